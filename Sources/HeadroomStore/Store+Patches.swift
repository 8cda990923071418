import Foundation
import GRDB
import HeadroomCore

extension Store {
    /// Records a new patch, or updates it when it has an id; returns it with its id.
    public func savePatch(_ patch: PatchRecord) throws -> PatchRecord {
        try writing { db in
            let arguments: StatementArguments = [
                patch.kind.rawValue, patch.regressionID, patch.opportunityID, patch.skill, patch.repository, patch.path,
                patch.function, patch.culprit, patch.branch, patch.baseCommit, patch.commit, patch.diff,
                try JSONCoding.string(patch.summary), patch.editJSON, patch.prDescription, patch.status.rawValue,
                patch.reason, try patch.validation.map { try JSONCoding.string($0) },
                try JSONCoding.string(patch.transcript), patch.review.rawValue, patch.reviewNote, patch.seconds,
            ]
            var saved = patch
            if let id = patch.id {
                try db.execute(
                    sql: """
                        UPDATE patch SET kind = ?, regression_id = ?, opportunity_id = ?, skill = ?, repo = ?, path = ?,
                          function = ?, culprit = ?, branch = ?, base_commit = ?, commit_sha = ?, diff = ?, summary = ?,
                          edit = ?, pr_description = ?, status = ?, reason = ?, validation = ?, transcript = ?, review = ?,
                          review_note = ?, seconds = ? WHERE id = ?
                        """, arguments: arguments + [id])
                guard db.changesCount == 1 else { throw HeadroomError(.notFound, "no patch \(id)") }
            } else {
                saved.createdAt = Timestamps.now()
                try db.execute(
                    sql: """
                        INSERT INTO patch (kind, regression_id, opportunity_id, skill, repo, path, function, culprit, branch,
                          base_commit, commit_sha, diff, summary, edit, pr_description, status, reason, validation,
                          transcript, review, review_note, seconds, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: arguments + [saved.createdAt])
                saved.id = db.lastInsertedRowID
            }
            // Its outcome goes to the notification outbox in the same transaction, once per patch and outcome.
            let now = Timestamps.now()
            if let event = EventPayload.patch(saved, at: now) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO event (kind, subject, payload, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [event.event, "patch/\(saved.id!)", try event.json(), now])
            }
            return saved
        }
    }

    /// Records a person's review of a patch.
    public func reviewPatch(id: Int64, review: PatchRecord.Review, note: String?, appliedCommit: String? = nil)
        throws
    {
        try writing { db in
            try db.execute(
                sql: "UPDATE patch SET review = ?, review_note = ?, reviewed_at = ?, applied_commit = ? WHERE id = ?",
                arguments: [review.rawValue, note, Timestamps.now(), appliedCommit, id])
            guard db.changesCount == 1 else { throw HeadroomError(.notFound, "no patch \(id)") }
        }
    }

    /// Stored patches, newest first; `skill` and `review` filter.
    public func patches(skill: String? = nil, review: PatchRecord.Review? = nil, status: PatchRecord.Status? = nil)
        throws -> [PatchRecord]
    {
        try reading { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let skill { conditions.append("skill = ?"); arguments += [skill] }
            if let review { conditions.append("review = ?"); arguments += [review.rawValue] }
            if let status { conditions.append("status = ?"); arguments += [status.rawValue] }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM patch \(filter) ORDER BY id DESC", arguments: arguments)
                .map(Self.patch(from:))
        }
    }

    public func patch(id: Int64) throws -> PatchRecord {
        let row = try reading { db in try Row.fetchOne(db, sql: "SELECT * FROM patch WHERE id = ?", arguments: [id]) }
        guard let row else { throw HeadroomError(.notFound, "no patch \(id) (see `headroom review list`)") }
        return try Self.patch(from: row)
    }

    static func patch(from row: Row) throws -> PatchRecord {
        let validation: String? = row["validation"]
        let summary: String = row["summary"]
        let transcript: String = row["transcript"]
        var record = PatchRecord(
            id: row["id"], kind: PatchRecord.Kind(rawValue: row["kind"]) ?? .regression,
            regressionID: row["regression_id"], opportunityID: row["opportunity_id"],
            skill: row["skill"], repository: row["repo"], path: row["path"], function: row["function"],
            culprit: row["culprit"], branch: row["branch"], baseCommit: row["base_commit"], commit: row["commit_sha"],
            diff: row["diff"], summary: (try? JSONCoding.decode([String].self, summary)) ?? [],
            editJSON: row["edit"], prDescription: row["pr_description"],
            status: PatchRecord.Status(rawValue: row["status"]) ?? .failed, reason: row["reason"],
            validation: try validation.map { try JSONCoding.decode(ValidationResult.self, $0) },
            transcript: (try? JSONCoding.decode([TranscriptStep].self, transcript)) ?? [],
            review: PatchRecord.Review(rawValue: row["review"]) ?? .pending, reviewNote: row["review_note"],
            seconds: row["seconds"], createdAt: row["created_at"])
        record.reviewedAt = row["reviewed_at"]
        record.appliedCommit = row["applied_commit"]
        return record
    }
}
