import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

@Suite("profiles and store", .ownThreads)
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

    @Test(
        "frame normalisation",
        arguments: [
            ("apply (shop/pricing.py:42)", "apply", "shop/pricing.py"),
            (
                "Catalog.search.<locals>.<genexpr> (shop/catalog.py:61)", "Catalog.search.<locals>.<genexpr>",
                "shop/catalog.py"
            ),
            ("memcpy+0x1f [libc.so.6]", "memcpy", "libc.so.6"),
            ("main", "main", nil),
            ("\t apply (shop/pricing.py:42) ", "apply", "shop/pricing.py"),
            ("outer (inner) (a/b.py:3)", "outer (inner)", "a/b.py"),
            ("ns::f(int, char)", "ns::f(int, char)", nil),
            ("do_syscall_64_[k]", "do_syscall_64_[k]", nil),
            ("résumé (données/été.py:7)", "résumé", "données/été.py"),
        ] as [(String, String, String?)])
    func normalises(frame: String, name: String, file: String?) {
        #expect(FrameNormalizer.normalize(frame) == FunctionRef(name: name, file: file))
    }

    @Test(
        "bad folded input is one clear error naming the file",
        arguments: [
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
        #expect(
            errorCode {
                _ = try ProfileReader.read(data: Data([0x61, 0xff, 0xfe, 0x20, 0x31]), source: "x")
            } == .badInput)
        let deep = Array(repeating: "f", count: 10_001).joined(separator: ";") + " 1"
        #expect(errorCode { _ = try ProfileReader.read(data: Data(deep.utf8), source: "x") } == .badInput)
    }

    @Test("py-spy lines become per-line costs: self on top, total once per sample under recursion, stored per bucket")
    func lineCosts() throws {
        #expect(FrameNormalizer.line("apply (shop/pricing.py:42)") == 42)
        #expect(FrameNormalizer.line("memcpy+0x1f [libc.so.6]") == 0)
        #expect(FrameNormalizer.line("f (a.py:99999999999)") == 0)
        #expect(FrameNormalizer.line("main") == 0)
        let text = """
            main (m.py:1);f (m.py:3);f (m.py:3);g (m.py:9) 5
            main (m.py:1);f (m.py:3);f (m.py:4) 7
            main (m.py:2) 1
            """
        let profile = try ProfileReader.read(data: Data(text.utf8), source: "t.folded").profile
        func cost(_ name: String, _ line: Int32) -> LineCost? {
            guard let frame = profile.frames.firstIndex(of: FunctionRef(name: name, file: "m.py")) else { return nil }
            return profile.lineCosts.first { $0.frame == Int32(frame) && $0.line == line }
        }
        #expect(cost("f", 3).map { [$0.selfSamples, $0.totalSamples] } == [0, 12])  // once per sample, not 17
        #expect(cost("f", 4).map { [$0.selfSamples, $0.totalSamples] } == [7, 7])
        #expect(cost("g", 9).map { [$0.selfSamples, $0.totalSamples] } == [5, 5])
        #expect(cost("main", 1)?.totalSamples == 12)
        #expect(cost("main", 2).map { [$0.selfSamples, $0.totalSamples] } == [1, 1])
        // perf/stackcollapse frames name no lines: no line costs.
        let perf = try ProfileReader.read(data: Data("main;memcpy+0x1f [libc.so.6] 3\n".utf8), source: "p.folded")
        #expect(perf.profile.lineCosts.isEmpty)

        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        try ingestor.ingest(file: try dir.write("a.folded", text), service: "svc", at: 0)
        try ingestor.ingest(
            file: try dir.write("b.folded", "main (m.py:1);f (m.py:4) 2\n"), service: "svc", at: 864_000)
        let f = FunctionRef(name: "f", file: "m.py")
        let all = try store.lineCosts(service: "svc", function: f)
        #expect(all[3].map { [$0.selfSamples, $0.totalSamples] } == [0, 12])
        #expect(all[4].map { [$0.selfSamples, $0.totalSamples] } == [9, 9])
        #expect(try store.lineCosts(service: "svc", function: f, from: 864_000)[4]?.totalSamples == 2)
        #expect(try store.lineCosts(service: "svc", function: FunctionRef(name: "nope", file: "m.py")).isEmpty)
    }

    @Test("a file read from disk that fails anywhere (first piece, last line, gzip tail) is one error, never a hang")
    func fileFailuresEnd() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let lastLine = try dir.write("last.folded", "a;b 1\nbroken line")
        let firstLine = try dir.write("first.folded", "broken\n" + String(repeating: "a;b 1\n", count: 200_000))
        let gzip = dir.file("cut.folded.gz")
        _ = try Shell.run([
            "sh", "-c",
            "seq 1 200000 | sed 's/^/a;b /' | gzip -c > \(gzip).full && head -c $(( $(stat -c %s \(gzip).full) / 2 )) \(gzip).full > \(gzip)",
        ])
        for file in [lastLine, firstLine, gzip] {
            #expect(errorCode { _ = try ProfileReader.read(file: file) } == .badInput, "\(file)")
        }
        #expect(try ProfileReader.read(file: try dir.write("ok.folded", "a;b 1\n")).profile.totalSamples == 1)
    }

    @Test("ingesting the same file twice is idempotent and top reports shares")
    func ingestIsIdempotent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let file = try dir.write("p.folded", "main (m.py:1);hot (m.py:5) 75\nmain (m.py:1);cold (m.py:9) 25\n")
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        #expect(
            try ingestor.ingest(file: file, service: "svc", at: 1_793_606_430).outcome
                == .ingested(bucket: 1_793_606_400))
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
            #expect(
                Set(named.rows.map(\.function.name))
                    == (from == nil
                        ? ["shop.pricing.apply_discounts", "apply_discounts"]
                        : ["shop.pricing.apply_discounts"]))
            // `_` is not a wildcard.
            #expect(
                try store.top(service: "svc", from: from, to: to, function: "a_c").rows.map(\.function.name) == ["a_c"])
            // The SQL filter is FunctionRef.namesMatch.
            let every = from == nil ? all.rows : summed.rows
            for wanted in ["pricing.apply_discounts", "apply_discountsX", "c", "main", "shop.pricing.apply_discounts"] {
                let rows = try store.top(service: "svc", from: from, to: to, limit: 100, function: wanted).rows
                #expect(rows == every.filter { FunctionRef.namesMatch($0.function.name, wanted) }, "\(wanted)")
            }
        }
        #expect(try store.top(service: "svc", byTotal: true, function: "shop.pricing.apply_discounts").rows.count == 2)
    }

    @Test("flame: the heaviest stacks from the all-time rollup and from a range sum agree with summing every bucket")
    func heaviestStacksRollup() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        let base: Int64 = 1_793_606_400
        let leaves = (0..<12).map { FunctionRef(name: "leaf\($0)", file: "m.py") }
        let main = FunctionRef(name: "main", file: "m.py")
        // Stack i holds (i + 1) * (bucket + 1) * 7 samples, split over two label sets for even i, so every range
        // ranks the stacks the same way and no two tie.
        var expected: [[Int64]] = Array(repeating: Array(repeating: 0, count: leaves.count), count: 4)
        for bucket in 0..<4 {
            var builder = PprofBuilder(timeNanos: (base + Int64(bucket) * 60) * 1_000_000_000)
            let root = builder.location([main])
            for (index, leaf) in leaves.enumerated() {
                let samples = Int64(index + 1) * Int64(bucket + 1) * 7
                let location = builder.location([leaf])
                if index.isMultiple(of: 2) {
                    builder.sample([location, root], values: [samples - 3, 0], labels: [("endpoint", "/a")])
                    builder.sample([location, root], values: [3, 0], labels: [("endpoint", "/b")])
                } else {
                    builder.sample([location, root], values: [samples, 0])
                }
                expected[bucket][index] = samples
            }
            let file = dir.file("p\(bucket).pb")
            try builder.serialized().write(to: URL(fileURLWithPath: file))
            try ingestor.ingest(file: file, service: "svc")
        }
        // Re-ingesting is a no-op for the rollup too.
        try ingestor.ingest(file: dir.file("p0.pb"), service: "svc")
        for (from, to, buckets) in [(nil, nil, 0..<4), (base + 60, base + 120, 1..<3), (base + 180, base + 180, 3..<4)]
            as [(Int64?, Int64?, Range<Int>)]
        {
            let sums = leaves.indices.map { index in buckets.reduce(Int64(0)) { $0 + expected[$1][index] } }
            let want = sums.enumerated().sorted { $0.element > $1.element }.prefix(5)
                .map { "main;leaf\($0.offset):\($0.element)" }
            let got = try store.heaviestStacks(service: "svc", from: from, to: to, limit: 5)
            #expect(got.stacks.map { $0.frames.map(\.name).joined(separator: ";") + ":\($0.samples)" } == want)
            #expect(got.totalSamples == sums.reduce(0, +))
            // The flame graph's full read agrees.
            let all = try store.stacks(service: "svc", from: from, to: to)
            #expect(all.totalSamples == sums.reduce(0, +))
            #expect(
                Dictionary(uniqueKeysWithValues: all.stacks.map { ($0.frames.last!.name, $0.samples) })
                    == Dictionary(uniqueKeysWithValues: leaves.indices.map { ("leaf\($0)", sums[$0]) }))
        }
        #expect(try store.heaviestStacks(service: "svc", limit: 100).stacks.count == leaves.count)
        #expect(try store.heaviestStacks(service: "svc", from: base + 60, to: base + 60, limit: 0).stacks.isEmpty)
    }

    @Test("diff: a limit returns the first rows of the full ranking, ties at the cut decided by name")
    func diffLimit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        // a, b, d and e gain exactly the same share (a tie of four); n and c gain more; z loses the most.
        let before = "main;z 50\nmain;a 10\nmain;b 10\nmain;c 10\nmain;d 10\nmain;e 10\n"
        let after = "main;z 10\nmain;a 15\nmain;b 15\nmain;c 25\nmain;d 15\nmain;e 15\nmain;n 8\n"
        try ingestor.ingest(file: dir.write("b.folded", before), service: "svc", at: 1_793_606_400)
        try ingestor.ingest(file: dir.write("a.folded", after), service: "svc", at: 1_793_606_460)
        let queries = ProfileQueries(store: store)
        let (first, second) = (TimeRange(to: 1_793_606_400), TimeRange(from: 1_793_606_460))
        let full = try queries.diff(service: "svc", before: first, after: second, byTotal: false)
        #expect(full.functions.map(\.function.name) == ["z", "c", "n", "a", "b", "d", "e", "main"])
        for limit in 1...9 {
            let cut = try queries.diff(service: "svc", before: first, after: second, byTotal: false, limit: limit)
            #expect(cut.functions == Array(full.functions.prefix(limit)), "limit \(limit)")
        }
        // Significance is corrected over every function, whatever the limit.
        let one = try queries.diff(service: "svc", before: first, after: second, byTotal: false, alpha: 0.5, limit: 1)
        let all = try queries.diff(service: "svc", before: first, after: second, byTotal: false, alpha: 0.5)
        #expect(one.functions.first?.significant == all.functions.first?.significant)
        #expect(
            errorCode {
                _ = try queries.diff(service: "svc", before: TimeRange(to: 0), after: second, byTotal: false)
            } == .notFound)
    }

    @Test("a bad profile leaves the store unchanged")
    func badProfileLeavesStoreUnchanged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let good = try dir.write("good.folded", "a;b 10\n")
        let bad = try dir.write("bad.folded", "a;b 10\nc;d x\n")
        let store = try Store.open(path: dir.file("s.sqlite"))
        try ProfileIngestor(store: store).ingest(file: good, service: "svc", at: 0)
        #expect(
            errorCode {
                _ = try ProfileIngestor(store: store).ingest(file: bad, service: "svc", at: 60)
            } == .badInput)
        #expect(try store.top(service: "svc").totalSamples == 10)
        #expect(try store.profileCount(service: "svc") == 1)
    }

    @Test("a corrupt or directory store path is a clear error")
    func corruptStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let junk = try dir.write("junk.sqlite", String(repeating: "not a database ", count: 100))
        #expect(errorCode { _ = try Store.open(path: junk) } == .store)
        #expect(errorCode { _ = try Store.open(path: dir.path) } == .store)
        #expect(errorCode { _ = try Store.open(path: dir.file("missing.sqlite"), create: false) } == .store)
    }

    @Test("ingest after a regression named a new function on the same connection (the shared insert statement)")
    func ingestAfterRegressionWrite() throws {
        let store = try Store.open(path: ":memory:")
        // Stored through GRDB's cached INSERT INTO function, which the ingest path then binds and steps directly:
        // it used to fail with "NOT NULL constraint failed: function.name".
        _ = try store.replaceRegressions(
            service: "s",
            with: [
                Regression(
                    service: "s", function: FunctionRef(name: "f", file: "/a.py"), metric: .selfShare, index: 1,
                    timestamp: 120, previousTimestamp: 60, before: 0.1, after: 0.2, pValue: 1e-9, confidence: 1,
                    kind: .regression)
            ])
        var options = ProfileReadOptions()
        options.format = .folded
        try ProfileIngestor(store: store).ingest(
            data: Data("main;g 3\nmain;f 2\n".utf8), source: "p", service: "s", at: 180, options: options)
        let top = try ProfileQueries(store: store).topReport(
            service: "s", range: TimeRange(), byTotal: false, limit: 5, function: nil, costs: CostModel())
        #expect(top.functions.prefix(2).map(\.function) == ["g", "f"])
    }
}
