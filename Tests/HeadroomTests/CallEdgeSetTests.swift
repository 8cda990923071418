import Foundation
import GRDB
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import Testing

@testable import HeadroomStore

/// A bucket's call edges stored as one blob: the encoding, merging, the upgrade from rows, and the readers.
@Suite("call edge sets", .ownThreads)
struct CallEdgeSetTests {
    @Test("encode/decode round-trips; merge adds the same edge; a damaged blob is an error")
    func encoding() throws {
        let edges: [CallEdgeSet.Edge] = [(1, 2, 5), (1, 7, 1), (3, 2, 300), (40_000, 1, Int64(Int32.max) * 4)]
        let decoded = try CallEdgeSet.decode(CallEdgeSet.encode(edges))
        #expect(
            decoded.map { [$0.caller, $0.callee, $0.samples] } == edges.map { [$0.caller, $0.callee, $0.samples] })
        let merged = CallEdgeSet.merge(edges, CallEdgeSet.normalized([(3, 2, 1), (0, 9, 2), (3, 2, 1)]))
        #expect(
            merged.map { [$0.caller, $0.callee, $0.samples] } == [
                [0, 9, 2], [1, 2, 5], [1, 7, 1], [3, 2, 302], [40_000, 1, Int64(Int32.max) * 4],
            ])
        var damaged = CallEdgeSet.encode(edges)
        damaged.removeLast()
        #expect(throws: CallEdgeSet.CorruptBlob.self) { try CallEdgeSet.decode(damaged) }
        #expect(throws: CallEdgeSet.CorruptBlob.self) { try CallEdgeSet.decode(Data([0xff])) }
    }

    @Test("a store with call-edge rows is upgraded to one set per bucket with the same edges")
    func upgrade() throws {
        let queue = try DatabaseQueue()
        let migrator = Schema.migrator()
        try migrator.migrate(queue, upTo: "v16-program")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO service (id, name) VALUES (1, 'a'), (2, 'b')")
            try db.execute(sql: "INSERT INTO function (id, name, file) VALUES (1, 'f', ''), (2, 'g', ''), (3, 'h', '')")
            for (service, bucket, caller, callee, samples) in [
                (1, 60, 1, 2, 4), (1, 60, 2, 3, 1), (1, 120, 1, 3, 7), (2, 60, 3, 1, 2),
            ] {
                try db.execute(
                    sql: "INSERT INTO call_edge VALUES (?, ?, ?, ?, ?)",
                    arguments: [service, bucket, caller, callee, samples])
            }
        }
        try migrator.migrate(queue)
        let sets = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT service_id, bucket, edges FROM call_edge_set ORDER BY 1, 2").map {
                [$0["service_id"], $0["bucket"]]
                    + (try CallEdgeSet.decode($0["edges"])).flatMap {
                        [$0.caller, $0.callee, $0.samples]
                    }
            } as [[Int64]]
        }
        #expect(sets == [[1, 60, 1, 2, 4, 2, 3, 1], [1, 120, 1, 3, 7], [2, 60, 3, 1, 2]])
        #expect(try queue.read { try $0.tableExists("call_edge") } == false)
    }

    @Test("two profiles in one bucket add up; buckets stay apart; the readers name the functions")
    func readers() throws {
        let store = try Store.open(path: ":memory:")
        var options = ProfileReadOptions()
        options.format = .folded
        for (at, text) in [(60, "main;a;b 3\nmain;b 1\n"), (70, "main;a;b 2\n"), (130, "main;a 5\n")] {
            try ProfileIngestor(store: store).ingest(
                data: Data(text.utf8), source: "p\(at)", service: "s", at: Int64(at), options: options)
        }
        func key(_ e: (caller: FunctionRef, callee: FunctionRef, samples: Int64)) -> String {
            "\(e.caller.name)>\(e.callee.name)=\(e.samples)"
        }
        #expect(Set(try store.callEdges(service: "s").map(key)) == ["main>a=10", "a>b=5", "main>b=1"])
        #expect(Set(try store.callEdges(service: "s", from: 120, to: 180).map(key)) == ["main>a=5"])
        let byBucket = try store.callEdgeBuckets(service: "s").map {
            "\($0.bucket):\($0.caller.name)>\($0.callee.name)=\($0.samples)"
        }
        #expect(Set(byBucket) == ["60:main>a=5", "60:a>b=5", "60:main>b=1", "120:main>a=5"])
    }
}
