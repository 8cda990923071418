import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
@testable import HeadroomStore
import HeadroomTesting
import Testing

@Suite("Group commit: a batch of profiles stores exactly what ingesting them one by one does", .ownThreads)
struct IngestBatchTests {
    /// Profiles sharing stacks, functions and lines, in two buckets, with and without labels.
    static let pushes: [(text: String, at: Int64, labels: [Label])] = [
        ("main (app.py:1);handle (app.py:10);parse (app.py:20) 5\nmain (app.py:1);handle (app.py:11) 3\n", 0, []),
        (
            "main (app.py:1);handle (app.py:10);parse (app.py:20) 2\nmain (app.py:1);log (app.py:30) 4\n", 10,
            [Label(key: "env", value: "prod")]
        ),
        ("main (app.py:1);handle (app.py:10);handle (app.py:12) 7\n", 20, [Label(key: "env", value: "dev")]),
        ("main (app.py:1);handle (app.py:11) 1\nmain (app.py:1);other (lib.py:5) 6\n", 3_700, []),
        ("main (app.py:1);log (app.py:30) 9\n", 30, [Label(key: "env", value: "prod")]),
    ]

    static func prepared(_ ingestor: ProfileIngestor) throws -> [ProfileContribution] {
        try pushes.enumerated().map { index, push in
            var options = ProfileReadOptions()
            options.format = .folded
            return try ingestor.prepare(
                data: Data(push.text.utf8), source: "push \(index)", service: "app", at: push.at,
                labels: push.labels, identity: "\(push.at)", options: options
            ).contribution
        }
    }

    /// Everything the store answers about a service, as text, for comparing two stores.
    static func fingerprint(_ store: Store) throws -> [String] {
        var lines: [String] = []
        let timeline = try store.timeline(service: "app")
        lines += timeline.buckets.map { "bucket \($0.time) \($0.total)" }
        for (function, series) in timeline.functions {
            lines += series.map { "cost \(function) \($0.bucket) \($0.selfSamples) \($0.totalSamples)" }
            for (line, cost) in try store.lineCosts(service: "app", function: function) {
                lines.append("line \(function) \(line) \(cost.selfSamples) \(cost.totalSamples)")
            }
        }
        lines += try store.callEdgeBuckets(service: "app").map {
            "edge \($0.caller) \($0.callee) \($0.bucket) \($0.samples)"
        }
        for label in [nil, (key: "env", value: "prod"), (key: "env", value: "dev")] as [(key: String, value: String)?] {
            for range in [(nil, nil), (Int64(0), Int64(0)), (Int64(3_600), Int64(3_600))] as [(Int64?, Int64?)] {
                let stacks = try store.stacks(service: "app", from: range.0, to: range.1, label: label)
                lines.append("total \(String(describing: label)) \(String(describing: range)) \(stacks.totalSamples)")
                lines += stacks.stacks.map { "stack \(String(describing: label)) \($0.frames) \($0.samples)" }
            }
        }
        lines.append("profiles \(try store.profileCount(service: "app"))")
        return lines.sorted()
    }

    @Test("merged writes equal one-by-one writes: costs, lines, edges, stacks by label and range, totals")
    func batchEqualsSequential() throws {
        let one = try Store.open(path: ":memory:")
        let batched = try Store.open(path: ":memory:")
        let contributions = try Self.prepared(ProfileIngestor(store: one))
        for contribution in contributions { try one.ingest(contribution) }
        let results = try batched.ingest(batch: contributions)
        #expect(results.allSatisfy { if case .success(.ingested) = $0 { true } else { false } })
        let expected = try Self.fingerprint(one)
        #expect(expected.contains("profiles 5"))
        #expect(expected.contains { $0.hasPrefix("line ") })
        #expect(try Self.fingerprint(batched) == expected)
    }

    @Test("in one batch, a repeat is a duplicate and a foreign sample type is refused; the rest is stored")
    func eachProfileJudgedAlone() throws {
        let store = try Store.open(path: ":memory:")
        let contributions = try Self.prepared(ProfileIngestor(store: store))
        var foreign = contributions[1]
        foreign.sampleType = "alloc_space/bytes"
        foreign.contentHash = "other"
        let results = try store.ingest(batch: [contributions[0], contributions[0], foreign, contributions[2]])
        #expect(try results[0].get() == .ingested(bucket: 0))
        #expect(try results[1].get() == .duplicate)
        #expect(throws: HeadroomError.self) { try results[2].get() }
        #expect(try results[3].get() == .ingested(bucket: 0))
        #expect(try store.profileCount(service: "app") == 2)
        #expect(try store.stacks(service: "app").totalSamples == 8 + 7)
        // A batch of one that is refused throws, as a single ingest does, and stores nothing.
        #expect(throws: HeadroomError.self) { try store.ingest(foreign) }
        #expect(try store.profileCount(service: "app") == 2)
    }

    @Test("many concurrent commits through the batcher: every profile stored once, all samples counted")
    func concurrentCommits() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        let batcher = IngestBatcher(store: store, maximumBatch: 16)
        let template = try Self.prepared(ingestor)
        let outcomes = try await withThrowingTaskGroup(of: [Result<IngestOutcome, HeadroomError>].self) { group in
            for index in 0..<200 {
                var contribution = template[(index / 2) % template.count]
                contribution.contentHash = "push \(index / 2)"  // every push sent twice
                group.addTask { try await batcher.commit([contribution]) }
            }
            var all: [IngestOutcome] = []
            for try await results in group { all += try results.map { try $0.get() } }
            return all
        }
        #expect(outcomes.filter { $0 == .duplicate }.count == 100)
        #expect(try store.profileCount(service: "app") == 100)
        try await batcher.flush()
        #expect(try store.ingestLogCount() == 0)
        let expected = (0..<100).map { template[$0 % template.count].totalSamples }.reduce(0, +)
        #expect(try store.stacks(service: "app").totalSamples == expected)
        #expect(batcher.queued == 0)
    }

    @Test("logged then compacted equals written at once, in any split of the log; a reopened store compacts")
    func ingestLogCompaction() throws {
        let direct = try Store.open(path: ":memory:")
        let contributions = try Self.prepared(ProfileIngestor(store: direct))
        _ = try direct.ingest(batch: contributions)
        let expected = try Self.fingerprint(direct)

        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("s.sqlite")
        do {
            let logged = try Store.open(path: path)
            // Two commits: the first two pushes, then the rest (one of them a re-send, a duplicate).
            _ = try logged.ingest(batch: Array(contributions.prefix(2)), deferred: true)
            let second = try logged.ingest(batch: [contributions[1]] + contributions.dropFirst(2), deferred: true)
            #expect(try second[0].get() == .duplicate)
            #expect(try logged.profileCount(service: "app") == 5)
            #expect(try logged.ingestLogCount() == 3)  // one row per service and bucket of each commit (1 + 2)
            // Nothing of the aggregates is visible before compaction: no half-counted bucket.
            #expect(try logged.buckets(service: "app").isEmpty)
            #expect(try logged.stacks(service: "app").totalSamples == 0)
        }
        // Reopening (a server restarted after a crash, or any command) compacts what was left.
        let reopened = try Store.open(path: path)
        #expect(try reopened.ingestLogCount() == 0)
        #expect(try Self.fingerprint(reopened) == expected)
        #expect(try reopened.compactIngestLog() == 0)
    }

    @Test("a damaged ingest-log row stops compaction with one error naming it; nothing is half-written")
    func damagedLogRow() throws {
        let store = try Store.open(path: ":memory:")
        let contributions = try Self.prepared(ProfileIngestor(store: store))
        _ = try store.ingest(batch: [contributions[0]], deferred: true)
        try store.queue.write { db in
            try db.execute(sql: "UPDATE ingest_log SET aggregates = substr(aggregates, 1, length(aggregates) - 3)")
        }
        #expect {
            try store.compactIngestLog()
        } throws: { error in
            "\(error)".contains("ingest-log row") && "\(error)".contains("does not decode")
        }
        #expect(try store.ingestLogCount() == 1)
        #expect(try store.buckets(service: "app").isEmpty)
    }

    @Test("the batcher compacts by itself once pushes stop")
    func idleCompaction() async throws {
        let store = try Store.open(path: ":memory:")
        let batcher = IngestBatcher(store: store, idleDelay: .milliseconds(20))
        let contributions = try Self.prepared(ProfileIngestor(store: store))
        _ = try await batcher.commit(contributions)
        var waited = 0
        while try store.ingestLogCount() > 0, waited < 200 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(try store.ingestLogCount() == 0)
        #expect(try store.stacks(service: "app").totalSamples == contributions.map(\.totalSamples).reduce(0, +))
    }

    @Test("flush covers everything committed before it, even while a compaction pass is underway")
    func flushWhilePushesContinue() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        // Compaction after every row, so a pass is nearly always underway when the flush asks.
        let batcher = IngestBatcher(store: store, maximumBatch: 4, compactionRows: 1, idleDelay: .seconds(60))
        let template = try Self.prepared(ProfileIngestor(store: store))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<300 {
                    var contribution = template[index % template.count]
                    contribution.contentHash = "background \(index)"
                    contribution.service = "app\(index % 7)"
                    _ = try await batcher.commit([contribution])
                }
            }
            for index in 0..<40 {
                var contribution = template[index % template.count]
                contribution.contentHash = "mine \(index)"
                _ = try await batcher.commit([contribution])
                let committed = try store.ingestLogHighWater() ?? 0
                try await batcher.flush()
                let left = try await store.queue.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_log WHERE id <= ?", arguments: [committed])
                }
                #expect(left == 0, "flush \(index) returned with rows it should have covered still logged")
            }
            try await group.waitForAll()
        }
        try await batcher.flush()
        #expect(try store.ingestLogCount() == 0)
    }
}
