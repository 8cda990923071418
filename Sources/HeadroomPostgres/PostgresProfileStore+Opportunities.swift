import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// Opportunities and line costs on PostgreSQL. An opportunity's fields are the JSON every adapter writes; its
/// identity (service, file, function, pattern) and what it is ranked and kept by are columns, so a rescan updates it
/// in place and its id stays stable, as on SQLite.
extension PostgresProfileStore {
    static let opportunityTables = [
        """
        CREATE TABLE line_cost_set (
            service_id BIGINT NOT NULL, bucket BIGINT NOT NULL, lines BYTEA NOT NULL,
            PRIMARY KEY (service_id, bucket)) PARTITION BY RANGE (bucket)
        """,
        """
        CREATE TABLE opportunity (
            id BIGSERIAL PRIMARY KEY, service TEXT NOT NULL, file TEXT NOT NULL, function TEXT NOT NULL,
            pattern TEXT NOT NULL, repo TEXT NOT NULL, share_basis TEXT NOT NULL, blocked BOOLEAN NOT NULL,
            savings_cores DOUBLE PRECISION NOT NULL, found_at BIGINT NOT NULL, body TEXT NOT NULL,
            UNIQUE (service, file, function, pattern))
        """,
        "CREATE INDEX opportunity_by_service ON opportunity (service)",
    ]

    /// The ranking of `opportunities`: those a recipe can attempt first, then by estimated savings, then by id.
    static let opportunityOrder = "ORDER BY blocked, savings_cores DESC, id"

    /// A function's samples per source line over a range, summed over the range's buckets; empty when its profiles
    /// named no lines. An unknown service is a not-found error.
    public func lineCosts(service: String, function: FunctionRef, from: Int64?, to: Int64?) async throws
        -> [Int: (selfSamples: Int64, totalSamples: Int64)]
    {
        let (serviceID, known) = try await ids(service: service, function: function)
        guard let functionID = known else { return [:] }
        let (lower, upper) = (from ?? Int64.min, to ?? Int64.max)
        var lines: [Int: (selfSamples: Int64, totalSamples: Int64)] = [:]
        for try await blob in try await client.query(
            """
            SELECT lines FROM line_cost_set WHERE service_id = \(serviceID) AND bucket BETWEEN \(lower) AND \(upper)
            """, logger: logger
        ).decode(Data.self) {
            for cost in try LineCostSet.decode(blob) where cost.function == functionID {
                let old = lines[Int(cost.line)] ?? (0, 0)
                lines[Int(cost.line)] = (old.selfSamples + cost.selfSamples, old.totalSamples + cost.totalSamples)
            }
        }
        return lines
    }

    /// Replaces a scan's opportunities for `service` in `repository` in one transaction, as the SQLite store does:
    /// found ones upserted by identity (ids stable), ones no longer found removed unless a patch refers to them or a
    /// learning sweep added them.
    public func replaceOpportunities(service: String, repository: String, with found: [Opportunity]) async throws
        -> [Opportunity]
    {
        try await transaction { connection in
            // One scan of a service at a time: two workers' scans of it would each delete the other's rows.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.opportunityLockKey), hashtext(\(service)))", logger: logger)
            let now = Timestamps.now()
            var saved: [Opportunity] = []
            var kept: [Int64] = []
            for var opportunity in found {
                opportunity.id = nil
                opportunity.priorExamples = []
                let body = try Self.json(opportunity)
                guard
                    let id = try await connection.query(
                        """
                        INSERT INTO opportunity (service, file, function, pattern, repo, share_basis, blocked,
                                                 savings_cores, found_at, body)
                        VALUES (\(opportunity.service), \(opportunity.file), \(opportunity.function),
                                \(opportunity.pattern), \(opportunity.repository), \(opportunity.shareBasis),
                                \(opportunity.blocked != nil), \(Self.finite(opportunity.savingsCores)), \(now), \(body))
                        ON CONFLICT (service, file, function, pattern) DO UPDATE SET repo = excluded.repo,
                            share_basis = excluded.share_basis, blocked = excluded.blocked,
                            savings_cores = excluded.savings_cores, found_at = excluded.found_at, body = excluded.body
                        RETURNING id
                        """, logger: logger
                    ).collect().first?.decode(Int64.self)
                else { throw HeadroomError(.store, "opportunity in \(opportunity.function) neither stored nor found") }
                opportunity.id = id
                kept.append(id)
                saved.append(opportunity)
            }
            try await connection.query(
                """
                DELETE FROM opportunity WHERE service = \(service) AND repo = \(repository)
                AND NOT (id = ANY(\(kept))) AND share_basis != 'sweep'
                AND NOT EXISTS (SELECT 1 FROM patch p WHERE p.opportunity_id = opportunity.id)
                """, logger: logger)
            return saved
        }
    }

    /// Adds opportunities a learning sweep found (share basis `sweep`: look-alikes of an accepted fix, not yet
    /// measured by a profile) in one transaction; one already stored for the same identity is kept as it is.
    public func addSweepOpportunities(_ found: [Opportunity]) async throws -> [Opportunity] {
        try await transaction { connection in
            let now = Timestamps.now()
            var added: [Opportunity] = []
            for var opportunity in found {
                opportunity.id = nil
                opportunity.shareBasis = "sweep"
                opportunity.priorExamples = []
                let body = try Self.json(opportunity)
                let inserted = try await connection.query(
                    """
                    INSERT INTO opportunity (service, file, function, pattern, repo, share_basis, blocked,
                                             savings_cores, found_at, body)
                    VALUES (\(opportunity.service), \(opportunity.file), \(opportunity.function),
                            \(opportunity.pattern), \(opportunity.repository), 'sweep', \(opportunity.blocked != nil),
                            \(Self.finite(opportunity.savingsCores)), \(now), \(body))
                    ON CONFLICT (service, file, function, pattern) DO NOTHING RETURNING id
                    """, logger: logger
                ).collect()
                guard let id = try inserted.first?.decode(Int64.self) else { continue }
                opportunity.id = id
                added.append(opportunity)
            }
            return added
        }
    }

    /// Stored opportunities (of one service, or all) ranked by estimated savings, blocked ones last.
    public func opportunities(service: String?) async throws -> [Opportunity] {
        let rows =
            if let service {
                try await client.query(
                    """
                    SELECT id, body FROM opportunity WHERE service = \(service) \(unescaped: Self.opportunityOrder)
                    """, logger: logger)
            } else {
                try await client.query(
                    "SELECT id, body FROM opportunity \(unescaped: Self.opportunityOrder)", logger: logger)
            }
        var found: [Opportunity] = []
        for try await (id, body) in rows.decode((Int64, String).self) {
            found.append(try Self.opportunity(id: id, body: body))
        }
        return found
    }

    /// One stored opportunity; an unknown id is a not-found error.
    public func opportunity(id: Int64) async throws -> Opportunity {
        guard
            let row = try await client.query("SELECT id, body FROM opportunity WHERE id = \(id)", logger: logger)
                .collect().first
        else { throw HeadroomError(.notFound, "no opportunity \(id) (see `headroom opportunities`)") }
        let (id, body) = try row.decode((Int64, String).self)
        return try Self.opportunity(id: id, body: body)
    }

    static func opportunity(id: Int64, body: String) throws -> Opportunity {
        do {
            var opportunity = try JSONDecoder().decode(Opportunity.self, from: Data(body.utf8))
            opportunity.id = id
            return opportunity
        } catch {
            throw HeadroomError(.store, "opportunity \(id): its stored JSON does not decode (\(error))")
        }
    }

    /// A savings figure the ranking column can hold (a non-finite one ranks as none).
    static func finite(_ value: Double) -> Double { value.isFinite ? value : 0 }

    /// The first key of the advisory lock one scan of a service holds.
    static let opportunityLockKey: Int32 = 727_007
}
