import Foundation
import GRDB
import HeadroomCore

/// Cores a service used, measured by its own profiles rather than assumed from a fleet size.
public struct MeasuredCores: Sendable, Equatable, Codable {
    /// CPU-seconds per second of observed wall time.
    public var cores: Double
    /// CPU seconds the profiles' samples stand for.
    public var cpuSeconds: Double
    /// Wall seconds during which at least one profile was running (overlapping profiles count once).
    public var observedSeconds: Double
    /// Profiles that said both their CPU and their wall time.
    public var profiles: Int

    enum CodingKeys: String, CodingKey {
        case cores
        case cpuSeconds = "cpu_seconds"
        case observedSeconds = "observed_seconds"
        case profiles
    }

    /// Cores from profiles' `(start, wall seconds, CPU seconds)`: the CPU they stand for over the time at least one
    /// of them covered. Profiles of one process pushed one after another average out; profiles of several
    /// processes over the same minutes add up, as their cores do. Nil with no usable profile.
    /// Profiles (start, wall and CPU seconds) grouped by `step` seconds of their start, each slot's cores,
    /// ascending; slots whose profiles measure nothing are left out.
    public static func series(_ profiles: [(start: Int64, wall: Double, cpu: Double)], step: Int64)
        -> [(start: Int64, cores: MeasuredCores)]
    {
        var bySlot: [Int64: [(start: Double, wall: Double, cpu: Double)]] = [:]
        for profile in profiles {
            let start = profile.start
            let slot = start >= 0 ? start / step * step : (start - step + 1) / step * step
            bySlot[slot, default: []].append((start: Double(start), wall: profile.wall, cpu: profile.cpu))
        }
        return bySlot.keys.sorted().compactMap { slot in MeasuredCores.from(bySlot[slot]!).map { (slot, $0) } }
    }

    public static func from(_ profiles: [(start: Double, wall: Double, cpu: Double)]) -> MeasuredCores? {
        // In one total order, so the sums do not depend on the order an engine returned the rows in.
        let usable = profiles.filter { $0.wall > 0 && $0.cpu >= 0 && $0.wall.isFinite && $0.cpu.isFinite }
            .sorted { ($0.start, $0.wall, $0.cpu) < ($1.start, $1.wall, $1.cpu) }
        guard !usable.isEmpty else { return nil }
        var observed = 0.0
        var coveredUntil = -Double.infinity
        for profile in usable {
            let end = profile.start + profile.wall
            if profile.start >= coveredUntil {
                observed += profile.wall
            } else if end > coveredUntil {
                observed += end - coveredUntil
            }
            coveredUntil = max(coveredUntil, end)
        }
        let cpu = usable.reduce(0) { $0 + $1.cpu }
        guard observed > 0 else { return nil }
        return MeasuredCores(cores: cpu / observed, cpuSeconds: cpu, observedSeconds: observed, profiles: usable.count)
    }
}

extension Store {
    /// The service's cores measured by its profiles that started in `[from, to]` (Unix seconds, both included;
    /// nil bounds: open), or nil when none of them says its CPU and wall time.
    public func measuredCores(service: String, from: Int64? = nil, to: Int64? = nil) throws -> MeasuredCores? {
        try reading { db in
            guard let id = try serviceID(db, name: service, create: false) else { return nil }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT started_at, wall_seconds, cpu_seconds FROM profile
                    WHERE service_id = ? AND cpu_seconds IS NOT NULL AND wall_seconds IS NOT NULL
                      AND started_at IS NOT NULL AND started_at >= ? AND started_at <= ?
                    """, arguments: [id, from ?? Int64.min, to ?? Int64.max])
            return MeasuredCores.from(
                rows.map { (start: Double($0[0] as Int64), wall: $0[1] as Double, cpu: $0[2] as Double) })
        }
    }

    /// The service's measured cores per bucket (buckets whose profiles say their CPU and wall time), ascending.
    public func measuredCoresByBucket(service: String) throws -> [(bucket: Int64, cores: MeasuredCores)] {
        try measuredCoresSeries(service: service, step: Store.bucketSeconds).map { (bucket: $0.start, cores: $0.cores) }
    }

    /// The service's measured cores per `step` seconds (a day, an hour), by when its profiles started, ascending:
    /// the series a capacity plan forecasts.
    public func measuredCoresSeries(service: String, step: Int64) throws -> [(start: Int64, cores: MeasuredCores)] {
        precondition(step > 0, "a positive step")
        return try reading { db in
            guard let id = try serviceID(db, name: service, create: false) else { return [] }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT started_at, wall_seconds, cpu_seconds FROM profile
                    WHERE service_id = ? AND cpu_seconds IS NOT NULL AND wall_seconds IS NOT NULL
                      AND started_at IS NOT NULL
                    """, arguments: [id])
            return MeasuredCores.series(
                rows.map { (start: $0[0] as Int64, wall: $0[1] as Double, cpu: $0[2] as Double) }, step: step)
        }
    }
}
