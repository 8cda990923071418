import Foundation
import GRDB
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import Testing

@testable import HeadroomStore

/// Stacks are found by a 64-bit hash of their text and the text is compared: two stacks whose hashes collide stay
/// two stacks, each with its own samples.
@Suite struct StackIdentityTests {
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
