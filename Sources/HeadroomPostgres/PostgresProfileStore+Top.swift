import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// `top` over PostgreSQL: a range's per-bucket cost blobs summed per function, and the cores its profiles measured,
/// so `headroom top --database` answers what `headroom top` answers from the same profiles.
extension PostgresProfileStore: TopStore {
    public func top(service: String, from: Int64?, to: Int64?, byTotal: Bool, limit: Int, function: String?)
        async throws -> (totalSamples: Int64, rows: [TopRow])
    {
        TopRow.top(
            of: try await timeline(service: service, from: from, to: to), byTotal: byTotal, limit: limit,
            function: function)
    }

    public func measuredCores(service: String, from: Int64?, to: Int64?) async throws -> MeasuredCores? {
        let (lower, upper) = (from ?? Int64.min, to ?? Int64.max)
        var profiles: [(start: Double, wall: Double, cpu: Double)] = []
        for try await (start, wall, cpu) in try await client.query(
            """
            SELECT p.started_at, p.wall_seconds, p.cpu_seconds FROM profile p JOIN service s ON s.id = p.service_id
            WHERE s.name = \(service) AND p.cpu_seconds IS NOT NULL AND p.wall_seconds IS NOT NULL
              AND p.started_at IS NOT NULL AND p.started_at BETWEEN \(lower) AND \(upper)
            """, logger: logger
        ).decode((Int64, Double, Double).self) {
            profiles.append((Double(start), wall, cpu))
        }
        return MeasuredCores.from(profiles)
    }

    /// The service's measured cores per `step` seconds of its profiles' starts, ascending, as the SQLite store's.
    public func measuredCoresSeries(service: String, step: Int64) async throws -> [(start: Int64, cores: MeasuredCores)]
    {
        precondition(step > 0, "a positive step")
        var profiles: [(start: Int64, wall: Double, cpu: Double)] = []
        for try await (start, wall, cpu) in try await client.query(
            """
            SELECT p.started_at, p.wall_seconds, p.cpu_seconds FROM profile p JOIN service s ON s.id = p.service_id
            WHERE s.name = \(service) AND p.cpu_seconds IS NOT NULL AND p.wall_seconds IS NOT NULL
              AND p.started_at IS NOT NULL
            """, logger: logger
        ).decode((Int64, Double, Double).self) {
            profiles.append((start, wall, cpu))
        }
        return MeasuredCores.series(profiles, step: step)
    }
}
