import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

@Suite("profiles and store")
struct ProfileAndStoreTests {
    @Test("py-spy raw frames become (name, file) and self/total count recursion once")
    func parsesFolded() throws {
        let text = """
            <module> (load.py:60);run (load.py:45);f (a.py:3);f (a.py:4) 5
            <module> (load.py:60);run (load.py:45);g (a.py:9) 3
             2
            """
        let profile = try ProfileReader.read(data: Data(text.utf8), source: "t.folded").profile
        #expect(profile.totalSamples == 10)
        let costs = profile.functionCosts()
        #expect(costs[FunctionRef(name: "f", file: "a.py")] == FunctionCost(selfSamples: 5, totalSamples: 5))
        #expect(costs[FunctionRef(name: "run", file: "load.py")] == FunctionCost(selfSamples: 0, totalSamples: 8))
        #expect(costs[FunctionRef(name: "g", file: "a.py")]?.selfSamples == 3)
    }

    @Test("frame normalisation", arguments: [
        ("apply (shop/pricing.py:42)", "apply", "shop/pricing.py"),
        ("Catalog.search.<locals>.<genexpr> (shop/catalog.py:61)", "Catalog.search.<locals>.<genexpr>", "shop/catalog.py"),
        ("memcpy+0x1f [libc.so.6]", "memcpy", "libc.so.6"),
        ("main", "main", nil),
    ] as [(String, String, String?)])
    func normalises(frame: String, name: String, file: String?) {
        #expect(FrameNormalizer.normalize(frame) == FunctionRef(name: name, file: file))
    }

    @Test("bad folded input is one clear error naming the file", arguments: [
        ("", "empty file"),
        ("a;b notanumber", "bad sample count"),
        ("a;b -4", "negative sample count"),
        ("justoneword", "expected"),
        ("a;b 9223372036854775807\nc 9", "overflow"),
    ])
    func rejectsBadInput(text: String, expected: String) {
        do {
            _ = try ProfileReader.read(data: Data(text.utf8), source: "bad.folded")
            Issue.record("parsed bad input")
        } catch let error as HeadroomError {
            #expect(error.message.hasPrefix("bad.folded"))
            #expect(error.message.contains(expected))
        } catch { Issue.record("unexpected error \(error)") }
    }

    @Test("invalid UTF-8 and 10,001-deep stacks are refused")
    func rejectsHostileInput() {
        #expect(throws: HeadroomError.self) { try ProfileReader.read(data: Data([0x61, 0xff, 0xfe, 0x20, 0x31]), source: "x") }
        let deep = Array(repeating: "f", count: 10_001).joined(separator: ";") + " 1"
        #expect(throws: HeadroomError.self) { try ProfileReader.read(data: Data(deep.utf8), source: "x") }
    }

    @Test("ingesting the same file twice is idempotent and top reports shares")
    func ingestIsIdempotent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let file = try dir.write("p.folded", "main (m.py:1);hot (m.py:5) 75\nmain (m.py:1);cold (m.py:9) 25\n")
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        #expect(try ingestor.ingest(file: file, service: "svc", at: 1_793_606_430).outcome == .ingested(bucket: 1_793_606_400))
        #expect(try ingestor.ingest(file: file, service: "svc", at: 1_793_606_430).outcome == .duplicate)
        let top = try store.top(service: "svc")
        #expect(top.totalSamples == 100)
        #expect(top.rows.first?.function == FunctionRef(name: "hot", file: "m.py"))
        #expect(top.rows.first?.selfSamples == 75)
        #expect(try store.profileCount(service: "svc") == 1)
    }

    @Test("top: all-time totals agree with summing the buckets; a function filter matches whole name components only")
    func topRollupsAndFunctionFilter() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        let profiles = [
            "main;shop.pricing.apply_discounts 40\nmain;shop.pricing.apply_discountsX 7\nmain;a_c 5\nmain;abc 3\n",
            "main;shop.pricing.apply_discounts 60\nmain;x_apply_discounts 9\nmain;a_c 1\n",
            "main;shop.pricing.apply_discounts 11\nmain;apply_discounts 2\n",
        ]
        for (index, text) in profiles.enumerated() {
            let file = try dir.write("p\(index).folded", text)
            try ingestor.ingest(file: file, service: "svc", at: 1_793_606_400 + Int64(index) * 600)
        }
        // Re-ingesting is a no-op for the totals too.
        try ingestor.ingest(file: dir.file("p0.folded"), service: "svc", at: 1_793_606_400)
        let all = try store.top(service: "svc", limit: 100)
        let summed = try store.top(service: "svc", from: 1_793_606_400, to: 1_793_607_599, limit: 100)
        #expect(all.totalSamples == 138 && summed.totalSamples == 125)
        let allTime = try store.top(service: "svc", from: 0, to: 1_900_000_000, limit: 100)
        #expect(allTime.rows == all.rows)
        #expect(all.rows.first { $0.function.name == "shop.pricing.apply_discounts" }?.selfSamples == 111)
        #expect(summed.rows.first { $0.function.name == "shop.pricing.apply_discounts" }?.selfSamples == 100)
        #expect(all.rows.first { $0.function.name == "main" }?.totalSamples == 138)
        for (from, to) in [(nil, nil), (Int64(1_793_606_400), Int64(1_793_607_599)) as (Int64?, Int64?)] {
            let named = try store.top(service: "svc", from: from, to: to, limit: 10, function: "apply_discounts")
            #expect(Set(named.rows.map(\.function.name)) == (from == nil ? ["shop.pricing.apply_discounts", "apply_discounts"]
                                                                            : ["shop.pricing.apply_discounts"]))
            // `_` is not a wildcard.
            #expect(try store.top(service: "svc", from: from, to: to, function: "a_c").rows.map(\.function.name) == ["a_c"])
            // The SQL filter is FunctionRef.namesMatch.
            let every = from == nil ? all.rows : summed.rows
            for wanted in ["pricing.apply_discounts", "apply_discountsX", "c", "main", "shop.pricing.apply_discounts"] {
                let rows = try store.top(service: "svc", from: from, to: to, limit: 100, function: wanted).rows
                #expect(rows == every.filter { FunctionRef.namesMatch($0.function.name, wanted) }, "\(wanted)")
            }
        }
        #expect(try store.top(service: "svc", byTotal: true, function: "shop.pricing.apply_discounts").rows.count == 2)
    }

    @Test("a bad profile leaves the store unchanged")
    func badProfileLeavesStoreUnchanged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let good = try dir.write("good.folded", "a;b 10\n")
        let bad = try dir.write("bad.folded", "a;b 10\nc;d x\n")
        let store = try Store.open(path: dir.file("s.sqlite"))
        try ProfileIngestor(store: store).ingest(file: good, service: "svc", at: 0)
        #expect(throws: HeadroomError.self) { try ProfileIngestor(store: store).ingest(file: bad, service: "svc", at: 60) }
        #expect(try store.top(service: "svc").totalSamples == 10)
        #expect(try store.profileCount(service: "svc") == 1)
    }

    @Test("a corrupt or directory store path is a clear error")
    func corruptStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let junk = try dir.write("junk.sqlite", String(repeating: "not a database ", count: 100))
        #expect(throws: HeadroomError.self) { try Store.open(path: junk) }
        #expect(throws: HeadroomError.self) { try Store.open(path: dir.path) }
        #expect(throws: HeadroomError.self) { try Store.open(path: dir.file("missing.sqlite"), create: false) }
    }
}
