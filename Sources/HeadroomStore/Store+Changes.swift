import Foundation
import GRDB
import HeadroomCore

extension Store {
    /// Records commits of a repository in one transaction; already-known commits are replaced (re-import is
    /// idempotent). Returns how many were new.
    @discardableResult
    public func saveCommits(_ commits: [Commit], repository: String) throws -> Int {
        try writing { db in
            var added = 0
            let find = try db.cachedStatement(sql: "SELECT id FROM change_commit WHERE repo = ? AND sha = ?")
            for commit in commits {
                if let known = try Int64.fetchOne(find, arguments: [repository, commit.sha]) {
                    try db.execute(sql: "DELETE FROM change_commit WHERE id = ?", arguments: [known])
                } else {
                    added += 1
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO change_commit (repo, sha, kind, author, email, time, message, files, added_text,
                                                   lines_added, lines_removed, parents, service)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    repository, commit.sha, commit.kind.rawValue, commit.author, commit.email, commit.time,
                    commit.message, try JSONCoding.string(commit.files), commit.addedText, commit.linesAdded,
                    commit.linesRemoved, commit.parents.joined(separator: " "), commit.service,
                ])
                let id = db.lastInsertedRowID
                for function in commit.functions {
                    try db.cachedStatement(
                        sql: """
                            INSERT OR REPLACE INTO changed_function (commit_id, file, name, change, lines_added,
                                lines_removed, previous_name, added_text, removed_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [
                        id, function.file, function.name, function.change.rawValue, function.linesAdded,
                        function.linesRemoved, function.previousName, try JSONCoding.string(function.addedText),
                        try JSONCoding.string(function.removedText),
                    ])
                }
                for hunk in commit.hunks {
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO change_hunk (commit_id, file, old_start, old_count, new_start, new_count, functions)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [
                        id, hunk.file, hunk.oldStart, hunk.oldCount, hunk.newStart, hunk.newCount,
                        hunk.functions.joined(separator: "\n"),
                    ])
                }
                for key in commit.configKeys {
                    try db.cachedStatement(
                        sql: """
                            INSERT OR REPLACE INTO config_key_change (commit_id, file, key, old_value, new_value)
                            VALUES (?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [id, key.file, key.key, key.oldValue, key.newValue])
                }
            }
            return added
        }
    }

    /// The shas already imported from a repository (for incremental re-import).
    public func knownCommits(repository: String) throws -> Set<String> {
        try reading { db in
            Set(try String.fetchAll(db, sql: "SELECT sha FROM change_commit WHERE repo = ?", arguments: [repository]))
        }
    }

    /// Every stored commit's parents, by sha (the history graph deploy ranges are computed on).
    public func commitGraph() throws -> [String: [String]] {
        try reading { db in
            var graph: [String: [String]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT sha, parents FROM change_commit")
            while let row = try rows.next() {
                let parents: String = row["parents"]
                graph[row["sha"]] = parents.split(separator: " ").map(String.init)
            }
            return graph
        }
    }

    /// Every stored commit, oldest first.
    public func commits(repository: String? = nil) throws -> [Commit] {
        try reading { db in
            try loadCommits(db, where: "? IS NULL OR repo = ?", arguments: [repository, repository])
        }
    }

    /// The stored commits with these shas, oldest first.
    public func commits(shas: [String]) throws -> [Commit] {
        guard !shas.isEmpty else { return [] }
        return try reading { db in
            var result: [Commit] = []
            for start in stride(from: 0, to: shas.count, by: 500) {
                let chunk = Array(shas[start..<min(start + 500, shas.count)])
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                result += try loadCommits(db, where: "sha IN (\(marks))", arguments: StatementArguments(chunk))
            }
            return result.sorted { ($0.time, $0.sha) < ($1.time, $1.sha) }
        }
    }

    /// Configuration-repository commits made in `[from, to]`, oldest first.
    public func configCommits(from: Int64, to: Int64) throws -> [Commit] {
        try reading { db in
            try loadCommits(db, where: "kind = 'config' AND time BETWEEN ? AND ?", arguments: [from, to])
        }
    }

    /// Every repository folder commits were imported from.
    public func repositories() throws -> [String] {
        try reading { db in try String.fetchAll(db, sql: "SELECT DISTINCT repo FROM change_commit ORDER BY repo") }
    }

    /// The repository folder a commit was imported from.
    public func repository(ofCommit sha: String) throws -> String? {
        try reading { db in
            try String.fetchOne(db, sql: "SELECT repo FROM change_commit WHERE sha = ? LIMIT 1", arguments: [sha])
        }
    }

    /// The full sha of a stored commit from a full sha or a unique prefix (at least 7 hex digits).
    public func resolveCommit(_ reference: String) throws -> String {
        let ref = reference.lowercased()
        guard ref.count >= 7, ref.allSatisfy(\.isHexDigit) else {
            throw HeadroomError(.badInput, "'\(reference)' is not a commit sha (7 to 40 hex digits)")
        }
        let matches = try reading { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT sha FROM change_commit WHERE sha >= ? AND sha < ? LIMIT 2",
                arguments: [ref, ref + "g"])
        }
        guard let first = matches.first else {
            throw HeadroomError(
                .notFound, "unknown commit \(reference) (import its repository with headroom changes import)")
        }
        guard matches.count == 1 else { throw HeadroomError(.badInput, "commit prefix \(reference) is ambiguous") }
        return first
    }

    private func loadCommits(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [Commit]
    {
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM change_commit WHERE \(condition) ORDER BY time, id", arguments: arguments)
        guard !rows.isEmpty else { return [] }
        let ids: [Int64] = rows.map { $0["id"] }
        var functions: [Int64: [ChangedFunction]] = [:]
        var hunks: [Int64: [Hunk]] = [:]
        var keys: [Int64: [ConfigKeyChange]] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM changed_function WHERE commit_id IN (\(marks)) ORDER BY file, name",
                arguments: StatementArguments(chunk))
            {
                functions[row["commit_id"], default: []].append(
                    ChangedFunction(
                        file: row["file"], name: row["name"],
                        change: ChangedFunction.Change(rawValue: row["change"]) ?? .modified,
                        linesAdded: row["lines_added"], linesRemoved: row["lines_removed"],
                        previousName: row["previous_name"],
                        addedText: try JSONCoding.decode([String].self, row["added_text"]),
                        removedText: try JSONCoding.decode([String].self, row["removed_text"])))
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM change_hunk WHERE commit_id IN (\(marks)) ORDER BY rowid",
                arguments: StatementArguments(chunk))
            {
                let names: String = row["functions"]
                hunks[row["commit_id"], default: []].append(
                    Hunk(
                        file: row["file"], oldStart: row["old_start"], oldCount: row["old_count"],
                        newStart: row["new_start"], newCount: row["new_count"],
                        functions: names.split(separator: "\n").map(String.init)))
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM config_key_change WHERE commit_id IN (\(marks)) ORDER BY file, key",
                arguments: StatementArguments(chunk))
            {
                keys[row["commit_id"], default: []].append(
                    ConfigKeyChange(
                        file: row["file"], key: row["key"], oldValue: row["old_value"], newValue: row["new_value"]))
            }
        }
        return try rows.map { row in
            let id: Int64 = row["id"]
            let parents: String = row["parents"]
            return Commit(
                sha: row["sha"], parents: parents.split(separator: " ").map(String.init),
                kind: Commit.Kind(rawValue: row["kind"]) ?? .code, service: row["service"], author: row["author"],
                email: row["email"], time: row["time"], message: row["message"],
                files: try JSONCoding.decode([String].self, row["files"]), functions: functions[id] ?? [],
                hunks: hunks[id] ?? [], configKeys: keys[id] ?? [], addedText: row["added_text"],
                linesAdded: row["lines_added"], linesRemoved: row["lines_removed"])
        }
    }

    /// Records a deploy of an imported commit; the same (service, commit, time) twice is a no-op.
    public func addDeploy(_ deploy: Deploy) throws { try addDeploys([deploy]) }

    /// Records deploys in one transaction: all or none. Each commit must be imported.
    @discardableResult
    public func addDeploys(_ deploys: [Deploy]) throws -> Int {
        try writing { db in
            var added = 0
            for deploy in deploys {
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM change_commit WHERE sha = ?", arguments: [deploy.commit]) ?? false
                else {
                    throw HeadroomError(
                        .notFound,
                        "unknown commit \(deploy.commit) (import it with headroom changes import)")
                }
                let service = try serviceID(db, name: deploy.service, create: true)!
                try db.execute(
                    sql: "INSERT OR IGNORE INTO deploy (service_id, commit_sha, time) VALUES (?, ?, ?)",
                    arguments: [service, deploy.commit, deploy.time])
                added += db.changesCount
            }
            return added
        }
    }

    /// A service's deploys, oldest first.
    public func deploys(service: String) throws -> [Deploy] {
        try reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.commit_sha, d.time FROM deploy d JOIN service s ON s.id = d.service_id
                    WHERE s.name = ? ORDER BY d.time, d.id
                    """, arguments: [service]
            ).map { Deploy(service: service, commit: $0["commit_sha"], time: $0["time"]) }
        }
    }

    /// Deploys of every service in `[from, to]`, oldest first.
    public func deploys(from: Int64, to: Int64) throws -> [Deploy] {
        try reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.name, d.commit_sha, d.time FROM deploy d JOIN service s ON s.id = d.service_id
                    WHERE d.time BETWEEN ? AND ? ORDER BY d.time, d.id
                    """, arguments: [from, to]
            ).map { Deploy(service: $0["name"], commit: $0["commit_sha"], time: $0["time"]) }
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
