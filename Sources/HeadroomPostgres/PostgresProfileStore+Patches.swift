import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// Patches, calibration points and publications on PostgreSQL, with the SQLite store's semantics (`PatchStore`). A
/// patch's fields are the JSON the store round-trips; what changes after it is saved (its links, status, review,
/// owner) are columns, which win over the body when it is read, so a review, a cancellation or a regression that
/// vanished (its link set to null) needs no rewrite of the body.
extension PostgresProfileStore {
    static let patchTables = [
        """
        CREATE TABLE patch (
            id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL,
            regression_id BIGINT REFERENCES regression(id) ON DELETE SET NULL,
            opportunity_id BIGINT REFERENCES opportunity(id), skill TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
            review TEXT NOT NULL, review_note TEXT, reviewed_at BIGINT, applied_commit TEXT, owner TEXT,
            created_at BIGINT NOT NULL, body TEXT NOT NULL)
        """,
        "CREATE INDEX patch_by_owner ON patch (owner) WHERE owner IS NOT NULL",
        "CREATE INDEX patch_by_opportunity ON patch (opportunity_id) WHERE opportunity_id IS NOT NULL",
        """
        CREATE TABLE calibration (
            patch_id BIGINT PRIMARY KEY, opportunity_id BIGINT, pattern TEXT NOT NULL, share DOUBLE PRECISION NOT NULL,
            share_basis TEXT NOT NULL, predicted DOUBLE PRECISION NOT NULL, speedup DOUBLE PRECISION NOT NULL,
            measured DOUBLE PRECISION NOT NULL, significant BOOLEAN NOT NULL, recorded_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE publication (
            patch_id BIGINT PRIMARY KEY REFERENCES patch(id) ON DELETE CASCADE, forge TEXT NOT NULL,
            repo TEXT NOT NULL, number BIGINT NOT NULL, url TEXT NOT NULL, reviewer TEXT,
            published_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
    ]

    /// The columns a patch is read from: the body, then what overrides it.
    static let patchColumns = """
        id, body, regression_id, opportunity_id, status, reason, review, review_note, reviewed_at, applied_commit,
        created_at
        """

    public func savePatch(_ patch: PatchRecord) async throws -> PatchRecord {
        try await transaction { connection in
            var saved = patch
            if saved.id == nil { saved.createdAt = Timestamps.now() }
            var body = saved
            body.id = nil
            let json = try Self.json(body)
            if let id = saved.id {
                let updated = try await connection.query(
                    """
                    UPDATE patch SET kind = \(saved.kind.rawValue), regression_id = \(saved.regressionID),
                        opportunity_id = \(saved.opportunityID), skill = \(saved.skill), status = \(saved.status.rawValue),
                        reason = \(saved.reason), review = \(saved.review.rawValue), review_note = \(saved.reviewNote),
                        body = \(json)
                    WHERE id = \(id) RETURNING reviewed_at, applied_commit, created_at
                    """, logger: logger
                ).collect()
                guard let row = updated.first else { throw HeadroomError(.notFound, "no patch \(id)") }
                (saved.reviewedAt, saved.appliedCommit, saved.createdAt) = try row.decode(
                    (Int64?, String?, Int64).self)
            } else {
                saved.id = try await connection.query(
                    """
                    INSERT INTO patch (kind, regression_id, opportunity_id, skill, status, reason, review, review_note,
                                       created_at, body)
                    VALUES (\(saved.kind.rawValue), \(saved.regressionID), \(saved.opportunityID), \(saved.skill),
                            \(saved.status.rawValue), \(saved.reason), \(saved.review.rawValue), \(saved.reviewNote),
                            \(saved.createdAt ?? Timestamps.now()), \(json))
                    RETURNING id
                    """, logger: logger
                ).collect().first?.decode(Int64.self)
            }
            // Its outcome goes to the notification outbox in the same transaction, once per patch and outcome.
            let now = Timestamps.now()
            if let event = EventPayload.patch(saved, at: now) {
                try await connection.query(
                    """
                    INSERT INTO event (kind, subject, payload, created_at)
                    VALUES (\(event.event), \("patch/\(saved.id!)"), \(try event.json()), \(now))
                    ON CONFLICT (kind, subject) DO NOTHING
                    """, logger: logger)
            }
            return saved
        }
    }

    public func reviewPatch(id: Int64, review: PatchRecord.Review, note: String?, appliedCommit: String?)
        async throws
    {
        let updated = try await client.query(
            """
            UPDATE patch SET review = \(review.rawValue), review_note = \(note), reviewed_at = \(Timestamps.now()),
                applied_commit = \(appliedCommit)
            WHERE id = \(id) RETURNING id
            """, logger: logger
        ).collect()
        guard !updated.isEmpty else { throw HeadroomError(.notFound, "no patch \(id)") }
    }

    public func patches(skill: String?, review: PatchRecord.Review?, status: PatchRecord.Status?) async throws
        -> [PatchRecord]
    {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.patchColumns) FROM patch
            WHERE (\(skill)::TEXT IS NULL OR skill = \(skill)) AND (\(review?.rawValue)::TEXT IS NULL OR review = \(review?.rawValue))
              AND (\(status?.rawValue)::TEXT IS NULL OR status = \(status?.rawValue))
            ORDER BY id DESC
            """, logger: logger
        ).collect()
        return try rows.map(Self.patch(from:))
    }

    public func patch(id: Int64) async throws -> PatchRecord {
        guard
            let row = try await client.query(
                "SELECT \(unescaped: Self.patchColumns) FROM patch WHERE id = \(id)", logger: logger
            ).collect().first
        else { throw HeadroomError(.notFound, "no patch \(id) (see `headroom review list`)") }
        return try Self.patch(from: row)
    }

    static func patch(from row: PostgresRow) throws -> PatchRecord {
        let (id, body, regression, opportunity, status, reason, review, note, reviewedAt, applied, created) =
            try row.decode(
                (Int64, String, Int64?, Int64?, String, String?, String, String?, Int64?, String?, Int64).self)
        var record: PatchRecord
        do {
            record = try JSONDecoder().decode(PatchRecord.self, from: Data(body.utf8))
        } catch {
            throw HeadroomError(
                .store, "patch \(id): its stored JSON does not decode (\(HeadroomError.oneLine(error)))")
        }
        record.id = id
        record.regressionID = regression
        record.opportunityID = opportunity
        record.status = PatchRecord.Status(rawValue: status) ?? .failed
        record.reason = reason
        record.review = PatchRecord.Review(rawValue: review) ?? .pending
        record.reviewNote = note
        record.reviewedAt = reviewedAt
        record.appliedCommit = applied
        record.createdAt = created
        return record
    }

    // MARK: Owners

    public func setPatchOwner(_ ids: [Int64], owner: String?) async throws {
        guard !ids.isEmpty else { return }
        try await client.query("UPDATE patch SET owner = \(owner) WHERE id = ANY(\(ids))", logger: logger)
    }

    public func ownedPatches() async throws -> [(id: Int64, owner: String, status: PatchRecord.Status)] {
        var owned: [(id: Int64, owner: String, status: PatchRecord.Status)] = []
        for try await (id, owner, status) in try await client.query(
            "SELECT id, owner, status FROM patch WHERE owner IS NOT NULL ORDER BY id", logger: logger
        ).decode((Int64, String, String).self) {
            owned.append((id, owner, PatchRecord.Status(rawValue: status) ?? .failed))
        }
        return owned
    }

    public func releasePatches(owner: String) async throws {
        try await client.query("UPDATE patch SET owner = NULL WHERE owner = \(owner)", logger: logger)
    }

    @discardableResult
    public func cancelPatches(owner: String, reason: String) async throws -> [Int64] {
        try await transaction { connection in
            var ids: [Int64] = []
            for try await id in try await connection.query(
                """
                UPDATE patch SET status = 'cancelled', reason = \(reason) WHERE owner = \(owner) AND status = 'proposed'
                RETURNING id
                """, logger: logger
            ).decode(Int64.self) {
                ids.append(id)
            }
            try await connection.query("UPDATE patch SET owner = NULL WHERE owner = \(owner)", logger: logger)
            return ids.sorted()
        }
    }

    // MARK: Calibration

    public func recordCalibration(_ point: CalibrationPoint) async throws {
        try await client.query(
            """
            INSERT INTO calibration (patch_id, opportunity_id, pattern, share, share_basis, predicted, speedup,
                                     measured, significant, recorded_at)
            VALUES (\(point.patchID), \(point.opportunityID), \(point.pattern), \(point.share), \(point.shareBasis),
                    \(point.predicted), \(point.speedup), \(point.measured), \(point.significant), \(point.recordedAt))
            ON CONFLICT (patch_id) DO UPDATE SET opportunity_id = excluded.opportunity_id, pattern = excluded.pattern,
                share = excluded.share, share_basis = excluded.share_basis, predicted = excluded.predicted,
                speedup = excluded.speedup, measured = excluded.measured, significant = excluded.significant,
                recorded_at = excluded.recorded_at
            """, logger: logger)
    }

    public func calibration(pattern: String?) async throws -> [CalibrationPoint] {
        var points: [CalibrationPoint] = []
        for try await row in try await client.query(
            """
            SELECT patch_id, opportunity_id, pattern, share, share_basis, predicted, speedup, measured, significant,
                   recorded_at
            FROM calibration WHERE \(pattern)::TEXT IS NULL OR pattern = \(pattern) ORDER BY recorded_at, patch_id
            """, logger: logger
        ) {
            let (patch, opportunity, pattern, share, basis, predicted, speedup, measured, significant, recorded) =
                try row.decode((Int64, Int64?, String, Double, String, Double, Double, Double, Bool, Int64).self)
            var point = CalibrationPoint(
                patchID: patch, opportunityID: opportunity, pattern: pattern, share: share, shareBasis: basis,
                predicted: predicted, speedup: speedup, significant: significant, recordedAt: recorded)
            point.measured = measured
            points.append(point)
        }
        return points
    }

    // MARK: Publications

    public func savePublication(_ publication: Publication) async throws {
        try await client.query(
            """
            INSERT INTO publication (patch_id, forge, repo, number, url, reviewer, published_at, updated_at)
            VALUES (\(publication.patchID), \(publication.forge), \(publication.repo), \(Int64(publication.number)),
                    \(publication.url), \(publication.reviewer), \(publication.publishedAt), \(publication.updatedAt))
            ON CONFLICT (patch_id) DO UPDATE SET forge = excluded.forge, repo = excluded.repo,
                number = excluded.number, url = excluded.url,
                reviewer = coalesce(excluded.reviewer, publication.reviewer), updated_at = excluded.updated_at
            """, logger: logger)
    }

    public func publication(patch id: Int64) async throws -> Publication? {
        try await publications(where: id).first
    }

    public func publications() async throws -> [Publication] { try await publications(where: nil) }

    private func publications(where patch: Int64?) async throws -> [Publication] {
        var found: [Publication] = []
        for try await (id, forge, repo, number, url, reviewer, published, updated) in try await client.query(
            """
            SELECT patch_id, forge, repo, number, url, reviewer, published_at, updated_at FROM publication
            WHERE \(patch)::BIGINT IS NULL OR patch_id = \(patch) ORDER BY updated_at DESC, patch_id DESC
            """, logger: logger
        ).decode((Int64, String, String, Int64, String, String?, Int64, Int64).self) {
            found.append(
                Publication(
                    patchID: id, forge: forge, repo: repo, number: Int(number), url: url, reviewer: reviewer,
                    publishedAt: published, updatedAt: updated))
        }
        return found
    }
}
