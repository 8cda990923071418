import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// What root-cause ranking reads and writes on PostgreSQL besides the change history: one regression, a
/// service's buckets, and the stored rankings (each candidate as its JSON).
extension PostgresProfileStore {
    /// One regression by id; an unknown id is a not-found error, as on SQLite.
    public func regression(id: Int64) async throws -> Regression {
        guard
            let row = try await client.query(
                "SELECT body FROM regression WHERE id = \(id)", logger: logger
            ).collect().first
        else { throw HeadroomError(.notFound, "no regression with id \(id)") }
        var regression: Regression
        do {
            regression = try JSONDecoder().decode(Regression.self, from: Data(try row.decode(String.self).utf8))
        } catch {
            throw HeadroomError(.store, "regression \(id) does not decode")
        }
        regression.id = id
        return regression
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
