import Foundation
import GRDB
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import Testing

@testable import HeadroomStore

/// Stacks are found by a 64-bit hash of their text and the text is compared: two stacks whose hashes collide stay
/// two stacks, each with its own samples.
@Suite(.ownThreads) struct StackIdentityTests {
    private func ingest(_ store: Store, _ text: String, at time: Int64) throws {
        var options = ProfileReadOptions()
        options.format = .folded
        try ProfileIngestor(store: store).ingest(
            data: Data(text.utf8), source: "push \(time)", service: "app", at: time, identity: "\(time)",
            options: options)
    }

    @Test func aHashCollisionMakesASecondStack() throws {
        let store = try Store.open(path: ":memory:")
        try ingest(store, "main;a 5\n", at: 0)
        try ingest(store, "main;b 1\n", at: 60)
        let ids = try store.queue.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, id FROM function").map {
                    ($0["name"] as String, $0["id"] as Int64)
                })
        }
        // A stored stack with other text under the hash `main;b;a` will have: its lookup meets that row first.
        let wanted = "\(ids["main"]!),\(ids["b"]!),\(ids["a"]!)"
        var bytes = Array(wanted.utf8)
        let hash = bytes.withUnsafeMutableBufferPointer { Store.stackHash(UnsafeBufferPointer($0)) }
        try store.queue.write { db in
            try db.execute(
                sql: "INSERT INTO stack (hash, frames) VALUES (?, ?)", arguments: [hash, "\(ids["b"]!),\(ids["a"]!)"])
        }
        try ingest(store, "main;b;a 7\nmain;a 2\n", at: 120)
        let stacks = try store.stacks(service: "app", from: nil, to: nil, label: nil)
        let samples = Dictionary(
            uniqueKeysWithValues: stacks.stacks.map { ($0.frames.map(\.name).joined(separator: ";"), $0.samples) })
        #expect(samples == ["main;a": 7, "main;b": 1, "main;b;a": 7])
        let rows = try store.queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stack WHERE hash = ?", arguments: [hash])
        }
        #expect(rows == 2)
    }
}

/// Call edges and function costs over stacks: an edge or function counts once per sample even under recursion,
/// and label sets merge per stack.
@Suite(.ownThreads) struct AggregationWalkTests {
    @Test func edgesCountOncePerSampleUnderRecursionAndAcrossLabels() throws {
        var profile = StackProfile()
        let main = FunctionRef(name: "main", file: nil)
        let walk = FunctionRef(name: "walk", file: nil)
        let leaf = FunctionRef(name: "leaf", file: nil)
        try profile.add(stack: [main, walk, walk, walk, leaf], count: 3)
        try profile.add(stack: [main, walk, leaf], count: 2, labels: LabelSet([Label(key: "env", value: "prod")]))
        try profile.add(stack: [main, walk, leaf], count: 5)
        let edges = profile.callEdges()
        #expect(edges[CallEdge(caller: main, callee: walk)] == 10)
        #expect(edges[CallEdge(caller: walk, callee: walk)] == 3)
        #expect(edges[CallEdge(caller: walk, callee: leaf)] == 10)
        #expect(edges.count == 3)
        let costs = profile.functionCosts()
        #expect(costs[walk]?.totalSamples == 10)
        #expect(costs[leaf]?.selfSamples == 10)
        #expect(profile.grouped().stacks.count == 2)
        #expect(profile.grouped(label: Label(key: "env", value: "prod")).totals == [2])
    }

    @Test func manyDistinctEdgesSumLikeADictionary() throws {
        // Enough distinct edges to grow the table several times, each seen from several stacks.
        var profile = StackProfile()
        let frames = (0..<300).map { FunctionRef(name: "f\($0)", file: nil) }
        var expected: [CallEdge: Int64] = [:]
        for index in 0..<2_000 {
            let stack = [frames[index % 300], frames[(index * 7 + 1) % 300], frames[(index * 13 + 2) % 300]]
            let count = Int64(index % 5 + 1)
            try profile.add(stack: stack, count: count)
            var seen = Set<CallEdge>()
            for (caller, callee) in zip(stack, stack.dropFirst()) {
                let edge = CallEdge(caller: caller, callee: callee)
                if seen.insert(edge).inserted { expected[edge, default: 0] += count }
            }
        }
        #expect(profile.callEdges() == expected)
        let ordered = profile.frameEdges(profile.grouped())
        #expect(zip(ordered, ordered.dropFirst()).allSatisfy { ($0.caller, $0.callee) < ($1.caller, $1.callee) })
    }
}
