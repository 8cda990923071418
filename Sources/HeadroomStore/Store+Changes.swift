import Foundation
import GRDB
import HeadroomCore

extension Store {
    /// Records commits of a repository in one transaction; already-known commits are replaced (re-import is
    /// idempotent). Returns how many were new.
    @discardableResult
    public func saveCommits(_ commits: [Commit], repository: String, kind: String = "commit") throws -> Int {
        try queue.write { db in
            var added = 0
            for commit in commits {
                let known = try Int64.fetchOne(
                    db, sql: "SELECT id FROM change_commit WHERE repo = ? AND sha = ?",
                    arguments: [repository, commit.sha])
                if let known { try db.execute(sql: "DELETE FROM change_commit WHERE id = ?", arguments: [known]) }
                else { added += 1 }
                try db.execute(
                    sql: """
                        INSERT INTO change_commit (repo, sha, kind, author, email, time, message, files, added_text,
                                                   lines_added, lines_removed)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [repository, commit.sha, kind, commit.author, commit.email, commit.time, commit.message,
                                try JSONCoding.string(commit.files), commit.addedText, commit.linesAdded,
                                commit.linesRemoved])
                let id = db.lastInsertedRowID
                for function in commit.functions {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO changed_function (commit_id, file, name, change, lines_added, lines_removed)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [id, function.file, function.name, function.change.rawValue, function.linesAdded,
                                    function.linesRemoved])
                }
            }
            return added
        }
    }

    /// Every stored commit, oldest first.
    public func commits(repository: String? = nil) throws -> [Commit] {
        try queue.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM change_commit WHERE ? IS NULL OR repo = ? ORDER BY time, id",
                arguments: [repository, repository])
            return try rows.map { row in
                let id: Int64 = row["id"]
                let functions = try Row.fetchAll(
                    db, sql: "SELECT * FROM changed_function WHERE commit_id = ? ORDER BY file, name", arguments: [id]
                ).map {
                    ChangedFunction(file: $0["file"], name: $0["name"],
                                    change: ChangedFunction.Change(rawValue: $0["change"]) ?? .modified,
                                    linesAdded: $0["lines_added"], linesRemoved: $0["lines_removed"])
                }
                return Commit(sha: row["sha"], author: row["author"], email: row["email"], time: row["time"],
                              message: row["message"], files: try JSONCoding.decode([String].self, row["files"]),
                              functions: functions, addedText: row["added_text"], linesAdded: row["lines_added"],
                              linesRemoved: row["lines_removed"])
            }
        }
    }

    /// Records a deploy of an imported commit; the same (service, commit, time) twice is a no-op.
    public func addDeploy(_ deploy: Deploy) throws {
        try queue.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM change_commit WHERE sha = ?", arguments: [deploy.commit])
                ?? false
            else {
                throw HeadroomError(.notFound, "unknown commit \(deploy.commit) (import it with headroom changes import)")
            }
            let service = try serviceID(db, name: deploy.service, create: true)!
            try db.execute(
                sql: "INSERT OR IGNORE INTO deploy (service_id, commit_sha, time) VALUES (?, ?, ?)",
                arguments: [service, deploy.commit, deploy.time])
        }
    }

    /// A service's deploys, oldest first.
    public func deploys(service: String) throws -> [Deploy] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT d.commit_sha, d.time FROM deploy d JOIN service s ON s.id = d.service_id
                    WHERE s.name = ? ORDER BY d.time, d.id
                    """, arguments: [service]
            ).map { Deploy(service: service, commit: $0["commit_sha"], time: $0["time"]) }
        }
    }
}

/// JSON helpers for columns that hold small documents.
enum JSONCoding {
    static func string<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
