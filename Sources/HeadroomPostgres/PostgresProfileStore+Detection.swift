import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// Detection over PostgreSQL: what a `detect-service` job reads (bucket totals, function costs, call edges) and
/// writes (the service's regressions), so `headroom worker --database` detects where the servers ingest.
extension PostgresProfileStore: DetectionStore {
    public func detectionServices() async throws -> [String] {
        var names: [String] = []
        for try await name in try await client.query(
            "SELECT name FROM service s WHERE EXISTS (SELECT 1 FROM profile p WHERE p.service_id = s.id) ORDER BY name",
            logger: logger
        ).decode(String.self) {
            names.append(name)
        }
        return names
    }

    /// Each service's newest profile's ingest time: what the loop queues detection by.
    public func lastIngest() async throws -> [String: Int64] {
        var latest: [String: Int64] = [:]
        for try await (name, time) in try await client.query(
            "SELECT s.name, MAX(p.ingested_at) FROM profile p JOIN service s ON s.id = p.service_id GROUP BY s.name",
            logger: logger
        ).decode((String, Int64).self) {
            latest[name] = time
        }
        return latest
    }

    public func callEdgeBuckets(service: String) async throws -> [(
        caller: FunctionRef, callee: FunctionRef, bucket: Int64, samples: Int64
    )] {
        var sets: [(bucket: Int64, edges: [CallEdgeSet.Edge])] = []
        var ids = Set<Int64>()
        for try await (bucket, blob) in try await client.query(
            """
            SELECT e.bucket, e.edges FROM call_edge_set e JOIN service s ON s.id = e.service_id
            WHERE s.name = \(service) ORDER BY e.bucket
            """, logger: logger
        ).decode((Int64, Data).self) {
            let edges: [CallEdgeSet.Edge]
            do {
                edges = try CallEdgeSet.decode(blob)
            } catch {
                throw HeadroomError(.store, "call edges of '\(service)' at \(bucket) do not decode")
            }
            for edge in edges {
                ids.insert(edge.caller)
                ids.insert(edge.callee)
            }
            sets.append((bucket, edges))
        }
        let names = try await functionNames(Array(ids))
        return sets.flatMap { bucket, edges in
            edges.compactMap { edge in
                guard let caller = names[edge.caller], let callee = names[edge.callee] else { return nil }
                return (caller, callee, bucket, edge.samples)
            }
        }
    }

    public func replaceRegressions(service: String, with regressions: [Regression]) async throws -> [Regression] {
        try await transaction { connection in
            guard
                let serviceID = try await connection.query(
                    "SELECT id FROM service WHERE name = \(service) FOR UPDATE", logger: logger
                ).collect().first?.decode(Int64.self)
            else { throw HeadroomError(.notFound, "unknown service '\(service)'") }
            let functions = try await functionIDs(connection, regressions.map(\.function))
            let now = Timestamps.now()
            var stored: [Regression] = []
            var kept: [Int64] = []
            // One statement per regression: a service has a handful, and the upsert keeps each one's id.
            for (regression, function) in zip(regressions, functions) {
                var regression = regression
                regression.id = nil
                regression.triage = nil
                let body = try Self.json(regression)
                guard
                    let id = try await connection.query(
                        """
                        INSERT INTO regression (service_id, function_id, metric, bucket, kind, detected_at, body)
                        VALUES (\(serviceID), \(function), \(regression.metric.rawValue), \(regression.timestamp),
                                \(regression.kind.rawValue), \(now), \(body))
                        ON CONFLICT (service_id, function_id, metric, bucket)
                        DO UPDATE SET kind = excluded.kind, body = excluded.body RETURNING id
                        """, logger: logger
                    ).collect().first?.decode(Int64.self)
                else { throw HeadroomError(.store, "regression of \(regression.function) neither stored nor found") }
                regression.id = id
                kept.append(id)
                stored.append(regression)
            }
            try await connection.query(
                "DELETE FROM regression WHERE service_id = \(serviceID) AND NOT (id = ANY(\(kept)))", logger: logger)
            return stored
        }
    }

    public func regressions(service: String?) async throws -> [Regression] {
        let rows =
            if let service {
                try await client.query(
                    """
                    SELECT \(unescaped: Self.regressionColumns) FROM regression r JOIN service s ON s.id = r.service_id
                    \(unescaped: Self.triageJoin) WHERE s.name = \(service) ORDER BY r.id
                    """, logger: logger)
            } else {
                try await client.query(
                    """
                    SELECT \(unescaped: Self.regressionColumns) FROM regression r \(unescaped: Self.triageJoin)
                    ORDER BY r.id
                    """, logger: logger)
            }
        return try await Self.regressions(rows).sorted(by: Regression.bySeverity)
    }

    /// A regression row's id, its JSON and its verdict, if a person gave one (`triageJoin`).
    static let regressionColumns = "r.id, r.body, t.verdict, t.note, t.decided_at, t.snooze_until"
    /// The verdict on a regression is kept by its identity, so it outlives the row's replacement by a new detection.
    static let triageJoin = """
        LEFT JOIN regression_triage t ON t.service_id = r.service_id AND t.function_id = r.function_id
          AND t.metric = r.metric AND t.bucket = r.bucket
        """

    /// Regressions from rows of `regressionColumns`.
    static func regressions(_ rows: PostgresRowSequence) async throws -> [Regression] {
        var found: [Regression] = []
        for try await (id, body, verdict, note, decided, snooze) in rows.decode(
            (Int64, String, String?, String?, Int64?, Int64?).self)
        {
            var regression: Regression
            do {
                regression = try JSONDecoder().decode(Regression.self, from: Data(body.utf8))
            } catch {
                throw HeadroomError(.store, "regression \(id) does not decode")
            }
            regression.id = id
            if let verdict = verdict.flatMap(Triage.Verdict.init(rawValue:)) {
                regression.triage = Triage(
                    verdict: verdict, note: note ?? "", decidedAt: decided ?? 0, snoozeUntil: snooze)
            }
            found.append(regression)
        }
        return found
    }

    /// Names of function ids.
    public func functionNames(_ ids: [Int64]) async throws -> [Int64: FunctionRef] {
        guard !ids.isEmpty else { return [:] }
        var names: [Int64: FunctionRef] = [:]
        for try await (id, name, file) in try await client.query(
            "SELECT id, name, file FROM function WHERE id = ANY(\(ids))", logger: logger
        ).decode((Int64, String, String).self) {
            names[id] = FunctionRef(name: name, file: file.isEmpty ? nil : file)
        }
        return names
    }
}
