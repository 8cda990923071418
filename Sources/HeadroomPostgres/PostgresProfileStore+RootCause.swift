import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// What root-cause ranking reads and writes on PostgreSQL besides the change history: one regression, a
/// service's buckets, and the stored rankings (each candidate as its JSON).
extension PostgresProfileStore {
    /// One regression by id, with its verdict; an unknown id is a not-found error, as on SQLite.
    public func regression(id: Int64) async throws -> Regression {
        guard
            let regression = try await Self.regressions(
                client.query(
                    """
                    SELECT \(unescaped: Self.regressionColumns) FROM regression r \(unescaped: Self.triageJoin)
                    WHERE r.id = \(id)
                    """, logger: logger)
            ).first
        else { throw HeadroomError(.notFound, "no regression with id \(id)") }
        return regression
    }

    /// Every service with its sample count and the time its buckets cover, by name in byte order (as SQLite).
    public func serviceSummaries() async throws -> [ServiceSummary] {
        var summaries: [ServiceSummary] = []
        for try await (name, samples, buckets, first, last) in try await client.query(
            """
            SELECT s.name, COALESCE(SUM(b.total_samples), 0)::BIGINT, COUNT(b.bucket), COALESCE(MIN(b.bucket), 0),
                   COALESCE(MAX(b.bucket), 0)
            FROM service s LEFT JOIN bucket_total b ON b.service_id = s.id
            GROUP BY s.id, s.name ORDER BY s.name COLLATE "C"
            """, logger: logger
        ).decode((String, Int64, Int64, Int64, Int64).self) {
            summaries.append(
                ServiceSummary(service: name, samples: samples, buckets: Int(buckets), from: first, to: last))
        }
        return summaries
    }

    /// A service's bucket start times, ascending (none for a service it does not know).
    public func buckets(service: String) async throws -> [Int64] {
        var buckets: [Int64] = []
        for try await bucket in try await client.query(
            """
            SELECT b.bucket FROM bucket_total b JOIN service s ON s.id = b.service_id WHERE s.name = \(service)
            ORDER BY b.bucket
            """, logger: logger
        ).decode(Int64.self) {
            buckets.append(bucket)
        }
        return buckets
    }

    /// Replaces a regression's ranked candidates in one transaction.
    public func saveCandidates(_ candidates: [RootCauseCandidate], regression: Int64) async throws {
        let ranks = Array(candidates.indices.map(Int64.init))
        let bodies = try candidates.map(Self.json)
        try await transaction { connection in
            try await connection.query(
                "DELETE FROM rootcause_candidate WHERE regression_id = \(regression)", logger: logger)
            guard !candidates.isEmpty else { return }
            try await connection.query(
                """
                INSERT INTO rootcause_candidate (regression_id, rank, body)
                SELECT \(regression), * FROM unnest(\(ranks)::BIGINT[], \(bodies)::TEXT[])
                """, logger: logger)
        }
    }

    /// A regression's stored candidates, best first.
    public func candidates(regression: Int64) async throws -> [RootCauseCandidate] {
        var found: [RootCauseCandidate] = []
        for try await body in try await client.query(
            "SELECT body FROM rootcause_candidate WHERE regression_id = \(regression) ORDER BY rank", logger: logger
        ).decode(String.self) {
            do {
                found.append(try JSONDecoder().decode(RootCauseCandidate.self, from: Data(body.utf8)))
            } catch {
                throw HeadroomError(.store, "a stored candidate of regression \(regression) does not decode")
            }
        }
        return found
    }
}
