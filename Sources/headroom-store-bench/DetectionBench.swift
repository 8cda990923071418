import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomStore

/// The detection half of the benchmark: `services × functions` function series (self and total share each) over
/// `buckets` one-minute buckets, ingested into SQLite and into PostgreSQL, then detected - SQLite by one process
/// service after service (`headroom detect`), PostgreSQL by two team workers draining one `detect-service` job per
/// service. Every service has one real step (its 8th function's cost +60% from three quarters of the way on), so the
/// regressions found are checked too: the same on both engines.
struct DetectionBench {
    var services: Int
    var functions: Int
    var buckets: Int

    /// Function `f` of a service: a Zipf-like share of ~200,000 samples a bucket, under a caller `f / 8` (a tree),
    /// with deterministic noise of about the binomial size.
    func contribution(service: Int, bucket: Int) -> ProfileContribution {
        let frames = (0..<functions).map { FunctionRef(name: "svc\(service).fn\($0)", file: "svc\(service)/code.py") }
        var state = UInt64(service &* 1_000_003 &+ bucket)
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var selfSamples = [Int64](repeating: 0, count: functions)
        for f in 0..<functions {
            var mean = 200_000 / Double(f + 10) / 6
            if f == 7, bucket >= buckets * 3 / 4 { mean *= 1.6 }
            let noise = (uniform() + uniform() + uniform() - 1.5) * 2 * mean.squareRoot()
            selfSamples[f] = max(0, Int64((mean + noise).rounded()))
        }
        // Totals up the caller tree (f's caller is f / 8; 0 is the root).
        var total = selfSamples
        for f in stride(from: functions - 1, through: 1, by: -1) { total[f / 8] += total[f] }
        let edges = (1..<functions).map { (caller: Int32($0 / 8), callee: Int32($0), samples: total[$0]) }
        var contribution = ProfileContribution(
            service: "svc\(service)", time: 1_800_000_000 + Int64(bucket) * 60,
            contentHash: "detect \(service)/\(bucket)", format: "folded", source: "bench", totalSamples: total[0],
            frames: frames,
            functions: (0..<functions).map { (Int32($0), selfSamples[$0], total[$0]) }, edges: edges)
        contribution.sampleType = "samples/count"
        return contribution
    }

    /// Everything into `store` in batches of 64 profiles, logged and compacted as the server does; seconds taken.
    func ingest(_ store: any ProfileStore) async throws -> Double {
        let start = ContinuousClock.now
        for bucket in 0..<buckets {
            let batch = (0..<services).map { contribution(service: $0, bucket: bucket) }
            var index = 0
            while index < batch.count {
                _ = try await store.ingest(batch: Array(batch[index..<min(index + 64, batch.count)]), deferred: true)
                index += 64
            }
            if bucket % 16 == 15 { _ = try await store.compactIngestLog() }
        }
        _ = try await store.compactIngestLog()
        return (ContinuousClock.now - start).seconds
    }

    /// Regressions as comparable lines.
    static func lines(_ regressions: [Regression]) -> [String] {
        regressions.filter { $0.kind == .regression }.map {
            "\($0.service) \($0.function.name) \($0.metric.rawValue) \($0.timestamp)"
        }.sorted()
    }

    /// Ingests and detects on both engines; prints the table.
    func run(postgres location: PostgresLocation, scratch: String) async throws {
        let series = services * functions * 2
        print(
            "\nDetection: \(services) services × \(functions) functions × 2 shares = \(series) series, \(buckets) buckets"
        )
        let sqlite = try Store.open(path: scratch)
        try sqlite.useWriteAheadLog()
        let sqliteIngest = try await ingest(sqlite)
        var start = ContinuousClock.now
        let detection = DetectionService(store: sqlite)
        var sqliteFound: [Regression] = []
        for service in 0..<services { sqliteFound += try detection.run(service: "svc\(service)") }
        let sqliteDetect = (ContinuousClock.now - start).seconds

        let team = (0..<2).map { _ in
            (queue: PostgresJobQueue(location: location), profiles: PostgresProfileStore(location: location))
        }
        let (postgresIngest, postgresDetect, postgresFound) = try await withThrowingTaskGroup(
            of: (Double, Double, [Regression]).self
        ) { group in
            for member in team {
                group.addTask {
                    await member.queue.run()
                    return (0, 0, [])
                }
                group.addTask {
                    await member.profiles.run()
                    return (0, 0, [])
                }
            }
            defer { group.cancelAll() }
            for member in team {
                try await member.queue.migrate()
                try await member.profiles.migrate()
            }
            let ingestSeconds = try await ingest(team[0].profiles)
            start = ContinuousClock.now
            _ = try await TeamWorker.enqueueDetection(
                queue: team[0].queue,
                latest: try await team[0].profiles.lastIngest().filter { $0.key.hasPrefix("svc") })
            let ran = try await withThrowingTaskGroup(of: Int.self) { workers in
                for (index, member) in team.enumerated() {
                    workers.addTask {
                        var worker = TeamWorker(queue: member.queue, profiles: member.profiles)
                        worker.owner = "bench-\(index)"
                        return try await worker.drain()
                    }
                }
                return try await workers.reduce(0, +)
            }
            precondition(ran == services, "ran \(ran) jobs for \(services) services")
            let detectSeconds = (ContinuousClock.now - start).seconds
            let found = try await team[0].profiles.regressions(service: nil).filter { $0.service.hasPrefix("svc") }
            return (ingestSeconds, detectSeconds, found)
        }
        let same = Self.lines(sqliteFound) == Self.lines(postgresFound)
        // A planted step counts as found when its service reports a regression of fn7 (self or total share; the event's
        // other member is listed with it).
        let stepsFound = Set(
            sqliteFound.filter { $0.kind == .regression && $0.function.name.hasSuffix(".fn7") }.map(\.service)
        ).count
        print("| engine | ingest s | profiles/s | detect s | series/s | regressions |")
        print("|---|---:|---:|---:|---:|---:|")
        let profiles = Double(services * buckets)
        for (name, ingestSeconds, detectSeconds, found) in [
            ("SQLite (1 process)", sqliteIngest, sqliteDetect, sqliteFound),
            ("PostgreSQL (2 workers)", postgresIngest, postgresDetect, postgresFound),
        ] {
            print(
                String(
                    format: "| %@ | %.1f | %.0f | %.1f | %.0f | %d |", name, ingestSeconds, profiles / ingestSeconds,
                    detectSeconds, Double(series) / detectSeconds, found.filter { $0.kind == .regression }.count))
        }
        print(
            String(
                format:
                    "PostgreSQL / SQLite: ingest rate %.2f (target >= 0.5), detection time %.2fx (target <= 2)",
                sqliteIngest / postgresIngest, postgresDetect / sqliteDetect))
        print(
            "regressions the same on both engines: \(same ? "yes" : "NO"); planted steps found: \(stepsFound) of \(services)"
        )
        precondition(same, "the engines found different regressions")
    }
}
