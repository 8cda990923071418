import Foundation
import GRDB
import HeadroomCore

extension Store {
    /// Records a patch and its validation; returns it with its id.
    public func savePatch(_ patch: PatchRecord) throws -> PatchRecord {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO patch (regression_id, skill, repo, branch, base_commit, diff, pr_description, status,
                      reason, validation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [patch.regressionID, patch.skill, patch.repository, patch.branch, patch.baseCommit,
                            patch.diff, patch.prDescription, patch.status.rawValue, patch.reason,
                            try patch.validation.map { try JSONCoding.string($0) }, Timestamps.now()])
            var saved = patch
            saved.id = db.lastInsertedRowID
            return saved
        }
    }

    /// Stored patches, newest first.
    public func patches() throws -> [PatchRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM patch ORDER BY id DESC").map { row in
                let validation: String? = row["validation"]
                return PatchRecord(
                    id: row["id"], regressionID: row["regression_id"], skill: row["skill"], repository: row["repo"],
                    branch: row["branch"], baseCommit: row["base_commit"], diff: row["diff"],
                    prDescription: row["pr_description"],
                    status: PatchRecord.Status(rawValue: row["status"]) ?? .failed, reason: row["reason"],
                    validation: try validation.map { try JSONCoding.decode(ValidationResult.self, $0) })
            }
        }
    }
}
