import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

@Suite("Group commit: a batch of profiles stores exactly what ingesting them one by one does")
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
        let expected = (0..<100).map { template[$0 % template.count].totalSamples }.reduce(0, +)
        #expect(try store.stacks(service: "app").totalSamples == expected)
        #expect(batcher.queued == 0)
    }
}
