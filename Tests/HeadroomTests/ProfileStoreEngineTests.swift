import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomStore
import HeadroomTesting
import Testing

/// The profile side of the store on both engines: the same profiles give the same timeline, logged or not, and on
/// PostgreSQL two servers ingesting and compacting at once count every profile exactly once.
@Suite("profile store, SQLite and PostgreSQL", .ownThreads)
struct ProfileStoreEngineTests {
    typealias Engine = JobQueueTests.Engine

    /// Runs `body` with `count` migrated PostgreSQL profile stores (separate clients: separate servers) on one
    /// throwaway cluster, then tears it down.
    static func withPostgres(
        clients count: Int = 1, _ body: @Sendable ([PostgresProfileStore]) async throws -> Void
    ) async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let location = try PostgresLocation(cluster.url)
        let stores = (0..<count).map { _ in PostgresProfileStore(location: location) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { await store.run() } }
            defer { group.cancelAll() }
            for store in stores + stores { try await store.migrate() }  // a second start changes nothing
            try await body(stores)
        }
    }

    /// Runs `body` with an empty profile store on `engine`.
    static func withStore(_ engine: Engine, _ body: @Sendable (any ProfileStore) async throws -> Void) async throws {
        switch engine {
        case .sqlite: try await body(try Store.open(path: ":memory:"))
        case .postgres: try await withPostgres { try await body($0[0]) }
        }
    }

    /// A timeline as sorted text lines.
    static func fingerprint(_ timeline: ServiceTimeline) -> [String] {
        var lines = timeline.buckets.map { "bucket \($0.time) \($0.total)" }
        for (function, series) in timeline.functions {
            lines += series.map { "cost \(function) \($0.bucket) \($0.selfSamples) \($0.totalSamples)" }
        }
        return lines.sorted()
    }

    static func reference() throws -> (contributions: [ProfileContribution], expected: [String]) {
        let store = try Store.open(path: ":memory:")
        let contributions = try IngestBatchTests.prepared(ProfileIngestor(store: store))
        for contribution in contributions { try store.ingest(contribution) }
        return (contributions, fingerprint(try store.timeline(service: "app")))
    }

    /// A range's stacks as sorted text lines, its total first.
    static func stackFingerprint(_ stacks: (totalSamples: Int64, stacks: [StoredStack])) -> [String] {
        ["total \(stacks.totalSamples)"]
            + stacks.stacks.map { "\($0.frames.map(\.description).joined(separator: ";")) \($0.samples)" }.sorted()
    }

    /// The SQLite store's stacks of the reference profiles, all time and in the first bucket.
    static func referenceStacks() async throws -> [[String]] {
        let store = try Store.open(path: ":memory:")
        for contribution in try reference().contributions { try store.ingest(contribution) }
        return [
            stackFingerprint(try store.stacks(service: "app")),
            stackFingerprint(try store.stacks(service: "app", to: 59)),
        ]
    }

    @Test(
        "logged then compacted, or written at once: the same timeline; re-sends are duplicates",
        arguments: Engine.allCases)
    func sameTimeline(engine: Engine) async throws {
        let (contributions, expected) = try Self.reference()
        #expect(expected.contains { $0.hasPrefix("cost ") })
        try await Self.withStore(engine) { store in
            let first = try await store.ingest(batch: Array(contributions.prefix(2)), deferred: true)
            #expect(first.allSatisfy { if case .success(.ingested) = $0 { true } else { false } })
            let second = try await store.ingest(
                batch: [contributions[0]] + Array(contributions.dropFirst(2)), deferred: false)
            #expect(try second[0].get() == .duplicate)
            #expect(try await store.profileCount(service: "app") == 5)
            #expect(try await store.compactIngestLog() == 1)
            #expect(try await store.compactIngestLog() == 0)
            let timeline = try await store.timeline(service: "app", from: nil, to: nil)
            #expect(Self.fingerprint(timeline) == expected)
            let narrow = try await store.timeline(service: "app", from: 0, to: 59)
            #expect(narrow.buckets.map(\.time) == [0])
            // The stacks read back, all time and per range, are the SQLite store's.
            let stacks = [
                Self.stackFingerprint(try await store.stacks(service: "app", from: nil, to: nil, label: nil)),
                Self.stackFingerprint(try await store.stacks(service: "app", from: nil, to: 59, label: nil)),
            ]
            let expectedStacks = try await Self.referenceStacks()
            #expect(expectedStacks[0].count > 3 && expectedStacks[0] != expectedStacks[1])
            #expect(stacks == expectedStacks)
            await #expect(throws: HeadroomError.self) {
                _ = try await store.timeline(service: "nope", from: nil, to: nil)
            }
        }
    }

    @Test("a bucket written to many times keeps a few stack chunks, merged, with the same stacks as SQLite's")
    func stackChunksMerge() async throws {
        let (contributions, _) = try Self.reference()
        let sqlite = try Store.open(path: ":memory:")
        // 30 writes into one bucket: each profile of the reference set, again and again under new identities.
        let writes = (0..<30).map { index in
            var contribution = contributions[index % contributions.count]
            contribution.time = 10
            contribution.contentHash = "write \(index)"
            return contribution
        }
        for write in writes { try sqlite.ingest(write) }
        let expected = Self.stackFingerprint(try sqlite.stacks(service: "app"))
        try await Self.withPostgres { stores in
            let store = stores[0]
            for (index, write) in writes.enumerated() {
                _ = try await store.ingest(batch: [write], deferred: index % 2 == 0)
                if index % 3 == 0 { _ = try await store.compactIngestLog() }
            }
            _ = try await store.compactIngestLog()
            let chunks = try await store.stackChunkCount(service: "app")
            #expect(chunks >= 1 && chunks < Int(PostgresProfileStore.stackChunksPerBucket), "\(chunks) chunks")
            let stacks = Self.stackFingerprint(try await store.stacks(service: "app", from: nil, to: nil, label: nil))
            #expect(stacks == expected)
        }
    }

    @Test("a profile of another sample type is refused alone; a batch of one throws", arguments: Engine.allCases)
    func sampleTypes(engine: Engine) async throws {
        let (contributions, _) = try Self.reference()
        var other = contributions[1]
        other.sampleType = "alloc_space/bytes"
        other.contentHash = "other"
        let foreign = other
        try await Self.withStore(engine) { store in
            let results = try await store.ingest(batch: [contributions[0], foreign, contributions[2]], deferred: true)
            #expect(throws: HeadroomError.self) { try results[1].get() }
            #expect(try results[2].get() == .ingested(bucket: 0))
            await #expect(throws: HeadroomError.self) { _ = try await store.ingest(batch: [foreign], deferred: true) }
            #expect(try await store.profileCount(service: "app") == 2)
        }
    }

    @Test("two servers ingest and compact one PostgreSQL store at once: every profile counted once")
    func twoServers() async throws {
        let (contributions, _) = try Self.reference()
        try await Self.withPostgres(clients: 2) { servers in
            // 120 pushes over 4 services, each sent twice (once to each server), compacted as they arrive.
            let outcomes = try await withThrowingTaskGroup(of: [IngestOutcome].self) { group in
                for (index, server) in servers.enumerated() {
                    group.addTask {
                        var outcomes: [IngestOutcome] = []
                        for push in 0..<120 {
                            var contribution = contributions[push % contributions.count]
                            contribution.service = "svc\(push % 4)"
                            contribution.contentHash = "push \(push)"
                            outcomes += try await server.ingest(batch: [contribution], deferred: true).map {
                                try $0.get()
                            }
                            if push % 10 == index { _ = try await server.compactIngestLog() }
                        }
                        _ = try await server.compactIngestLog()
                        return outcomes
                    }
                }
                var all: [IngestOutcome] = []
                for try await outcomes in group { all += outcomes }
                return all
            }
            #expect(outcomes.filter { $0 == .duplicate }.count == 120)
            _ = try await servers[0].compactIngestLog()
            var stored: Int64 = 0
            var expectedSamples: Int64 = 0
            for service in 0..<4 {
                #expect(try await servers[1].profileCount(service: "svc\(service)") == 30)
                let timeline = try await servers[1].timeline(service: "svc\(service)", from: nil, to: nil)
                stored += timeline.buckets.map(\.total).reduce(0, +)
            }
            for push in 0..<120 { expectedSamples += contributions[push % contributions.count].totalSamples }
            #expect(stored == expectedSamples)
        }
    }

    @Test("retention drops whole days: older buckets leave the timeline, newer stay")
    func retention() async throws {
        let (contributions, _) = try Self.reference()
        try await Self.withPostgres { stores in
            let store = stores[0]
            for day in 0..<3 {
                var contribution = contributions[0]
                contribution.time = Int64(day) * 86_400 + 120
                contribution.contentHash = "day \(day)"
                contribution.lines = [(frame: 0, line: 7, selfSamples: 5, totalSamples: 5 + Int64(day))]
                _ = try await store.ingest(batch: [contribution], deferred: false)
            }
            #expect(try await store.timeline(service: "app", from: nil, to: nil).buckets.count == 3)
            let function = contributions[0].frames[0]
            let lines = try await store.lineCosts(service: "app", function: function, from: nil, to: nil)
            #expect(lines[7]?.selfSamples == 15 && lines[7]?.totalSamples == 18)
            let dropped = try await store.dropPartitions(before: 2 * 86_400)
            #expect(
                dropped == [
                    "bucket_total_d0", "bucket_total_d1", "call_edge_set_d0", "call_edge_set_d1",
                    "function_bucket_set_d0", "function_bucket_set_d1", "line_cost_set_d0", "line_cost_set_d1",
                    "stack_chunk_d0", "stack_chunk_d1",
                ])
            // The line costs of the dropped days went with them.
            let kept = try await store.lineCosts(service: "app", function: function, from: nil, to: nil)
            #expect(kept[7]?.selfSamples == 5 && kept[7]?.totalSamples == 7 && kept.count == 1)
            let left = try await store.timeline(service: "app", from: nil, to: nil)
            #expect(Set(try await store.callEdgeBuckets(service: "app").map(\.bucket)) == [2 * 86_400 + 120])
            #expect(left.buckets.map(\.time) == [2 * 86_400 + 120])
            #expect(left.functions.values.allSatisfy { $0.map(\.bucket) == [2 * 86_400 + 120] })
            // The stacks of the dropped days went with them.
            let stacks = try await store.stacks(service: "app", from: nil, to: nil, label: nil)
            #expect(stacks.stacks.reduce(0) { $0 + $1.samples } == contributions[0].totalSamples)
        }
    }

    @Test("a function-cost blob round-trips, sums repeats when normalized, and a damaged one is an error")
    func costBlobs() throws {
        let costs: [FunctionCostSet.Cost] = [(3, 1, 5), (1, 0, 2), (3, 2, 2), (90_000, 7, Int64(Int32.max) * 3)]
        let normalized = FunctionCostSet.normalized(costs)
        #expect(
            normalized.map { [$0.function, $0.selfSamples, $0.totalSamples] } == [
                [1, 0, 2], [3, 3, 7], [90_000, 7, Int64(Int32.max) * 3],
            ])
        let decoded = try FunctionCostSet.decode(FunctionCostSet.encode(normalized))
        #expect(
            decoded.map(\.function) == [1, 3, 90_000] && decoded.map(\.totalSamples) == normalized.map(\.totalSamples))
        var damaged = FunctionCostSet.encode(normalized)
        damaged.removeLast()
        #expect(throws: FunctionCostSet.CorruptCostSet.self) { try FunctionCostSet.decode(damaged) }
        #expect(throws: FunctionCostSet.CorruptCostSet.self) { try FunctionCostSet.decode(Data([0x05, 0xff])) }
    }
}
