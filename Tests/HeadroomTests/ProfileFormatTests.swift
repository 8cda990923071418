import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// pprof, perf script and the readers' handling of hostile input. pprof fixtures are written with the generated
/// protobuf types (an independent encoder) and gzip-compressed by the system's gzip.
@Suite("profile formats", .ownThreads)
struct ProfileFormatTests {
    static let main = FunctionRef(name: "main", file: "cmd/server/main.go")
    static let handle = FunctionRef(name: "server.handle", file: "server/handler.go")
    static let encode = FunctionRef(name: "json.Marshal", file: "encoding/json/encode.go")
    static let inlined = FunctionRef(name: "json.appendString", file: "encoding/json/encode.go")

    /// main → handle → [Marshal with appendString inlined]: 30 samples; main → handle (self): 10; recursion: 5.
    static func sampleProfile(labels: Bool = true) -> PprofBuilder {
        var b = PprofBuilder(timeNanos: 1_793_606_400_000_000_000)
        let mainLocation = b.location([main])
        let handleLocation = b.location([handle])
        let marshal = b.location([inlined, encode])  // inlined first, the caller last
        b.sample(
            [marshal, handleLocation, mainLocation], values: [30, 300_000_000],
            labels: labels ? [("endpoint", "/checkout")] : [])
        b.sample(
            [handleLocation, mainLocation], values: [10, 100_000_000], labels: labels ? [("endpoint", "/cart")] : [])
        b.sample([handleLocation, handleLocation, mainLocation], values: [5, 50_000_000])
        return b
    }

    @Test("pprof line costs: per (function, line), inlined frames their own lines, a site counted once per stack")
    func pprofLineCosts() throws {
        var b = PprofBuilder()
        let worker = FunctionRef(name: "worker", file: "app.go")
        let mainLocation = b.location([Self.main], lines: [1])
        let handleAt10 = b.location([Self.handle], lines: [10])
        let handleAt12 = b.location([Self.handle], lines: [12])
        let marshal = b.location([Self.inlined, Self.encode], lines: [40, 30])
        let unknownLine = b.location([worker], lines: [0])
        b.sample([marshal, handleAt10, mainLocation], values: [30, 0])
        b.sample([handleAt10, handleAt10, mainLocation], values: [5, 0])  // recursion through one site
        b.sample([handleAt12, handleAt10, mainLocation], values: [7, 0])
        b.sample([unknownLine, mainLocation], values: [2, 0])
        let profile = try ProfileReader.read(data: b.serialized(), source: "lines.pb").profile
        let costs = profile.lineCosts.map {
            "\(profile.frames[Int($0.frame)].name):\($0.line) \($0.selfSamples)/\($0.totalSamples)"
        }
        #expect(
            costs.sorted() == [
                "json.Marshal:30 0/30", "json.appendString:40 30/30", "main:1 0/44", "server.handle:10 5/42",
                "server.handle:12 7/7",
            ])
    }

    @Test("pprof: inlined frames, leaf-first samples, recursion counted once, labels, profile time")
    func readsPprof() throws {
        let data = try Self.sampleProfile().gzipped()
        let read = try ProfileReader.read(data: data, source: "cpu.pb.gz")
        #expect(read.format == .pprof)
        #expect(read.compressed)
        let profile = read.profile
        #expect(profile.sampleType == "samples/count")  // the count type, as the CPU-like default
        #expect(profile.totalSamples == 45)
        #expect(profile.time == 1_793_606_400)
        let costs = profile.functionCosts()
        #expect(costs[Self.inlined] == FunctionCost(selfSamples: 30, totalSamples: 30))
        #expect(costs[Self.encode] == FunctionCost(selfSamples: 0, totalSamples: 30))
        #expect(costs[Self.handle] == FunctionCost(selfSamples: 15, totalSamples: 45))
        #expect(costs[Self.main] == FunctionCost(selfSamples: 0, totalSamples: 45))
        #expect(profile.callEdges()[CallEdge(caller: Self.encode, callee: Self.inlined)] == 30)
        // The grouped walks the ingest uses agree with the plain ones.
        let grouped = profile.grouped()
        #expect(profile.functionCosts(grouped) == costs)
        #expect(profile.callEdges(grouped) == profile.callEdges())
        #expect(grouped.totals.reduce(0, +) == 45)
        #expect(profile.samples(label: Label(key: "endpoint", value: "/checkout")) == 30)
        let checkout = profile.functionCosts(label: Label(key: "endpoint", value: "/checkout"))
        #expect(checkout[Self.handle]?.selfSamples == 0)
        #expect(checkout[Self.inlined]?.selfSamples == 30)
        // The same bytes, uncompressed, read the same.
        let raw = try ProfileReader.read(data: Self.sampleProfile().serialized(), source: "cpu.pb")
        #expect(!raw.compressed)
        #expect(raw.profile.functionCosts() == costs)
    }

    @Test("pprof: --sample-type, default_sample_type, and the last type when none is CPU-like")
    func choosesSampleType() throws {
        let data = try Self.sampleProfile().serialized()
        var options = ProfileReadOptions(sampleType: "cpu")
        let cpu = try ProfileReader.read(data: data, source: "p", options: options).profile
        #expect(cpu.sampleType == "cpu/nanoseconds")
        #expect(cpu.totalSamples == 450_000_000)
        options.sampleType = "wall"
        #expect(errorCode { _ = try ProfileReader.read(data: data, source: "p", options: options) } == .badInput)

        var withDefault = PprofBuilder(defaultSampleType: "cpu")
        let l = withDefault.location([Self.main])
        withDefault.sample([l], values: [1, 7])
        #expect(
            try ProfileReader.read(data: withDefault.serialized(), source: "p").profile.sampleType == "cpu/nanoseconds")

        var heap = PprofBuilder(sampleTypes: [("alloc_objects", "count"), ("inuse_space", "bytes")])
        let h = heap.location([Self.main])
        heap.sample([h], values: [3, 4096])
        #expect(try ProfileReader.read(data: heap.serialized(), source: "p").profile.sampleType == "inuse_space/bytes")
    }

    @Test("pprof: an unsymbolised location is its address in the mapping's file")
    func unsymbolised() throws {
        var b = PprofBuilder()
        let known = b.location([Self.main])
        let bare = b.location([], address: 0x4012ab)
        b.sample([bare, known], values: [2, 20])
        let costs = try ProfileReader.read(data: b.serialized(), source: "p").profile.functionCosts()
        #expect(costs[FunctionRef(name: "0x4012ab", file: "/usr/bin/service")]?.selfSamples == 2)
    }

    /// Hand-written pprof bytes for the cases the generated encoder cannot produce.
    static func field(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        appendVarintForTest(number << 3 | 2, &out)
        appendVarintForTest(UInt64(payload.count), &out)
        return out + payload
    }
    static func varintField(_ number: UInt64, _ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        appendVarintForTest(number << 3, &out)
        appendVarintForTest(value, &out)
        return out
    }
    static func appendVarintForTest(_ value: UInt64, _ out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
    static func strings(_ list: [String]) -> [UInt8] { list.flatMap { field(6, Array($0.utf8)) } }
    static let sampleType = field(1, varintField(1, 1) + varintField(2, 2))
    static func sample(locations: [UInt64], value: Int64) -> [UInt8] {
        field(2, locations.flatMap { varintField(1, $0) } + varintField(2, UInt64(bitPattern: value)))
    }
    static let location1 = field(4, varintField(1, 1) + field(4, varintField(1, 1)))
    static let function1 = field(5, varintField(1, 1) + varintField(2, 3))

    @Test(
        "bad pprof input: one error line naming the file and the problem",
        arguments: [
            ("truncated gzip", "truncated gzip"),
            ("corrupt gzip", "corrupt gzip"),
            ("not protobuf", "not a valid protobuf"),
            ("string index out of range", "string index 9 out of range"),
            ("missing location", "missing location id 7"),
            ("missing function", "missing function id 1"),
            ("negative value", "negative value"),
            ("overflowing values", "overflow"),
            ("10,001-deep stack", "deeper than 10000"),
            ("invalid UTF-8 string", "not valid UTF-8"),
            ("empty file", "empty file"),
            ("empty gzip", "empty file"),
            ("no samples", "no samples"),
            ("truncated protobuf", "truncated protobuf"),
        ])
    func rejectsBadPprof(kind: String, expected: String) throws {
        let good = try Self.sampleProfile().serialized()
        let header = Self.sampleType + Self.strings(["", "samples", "count", "main"])
        var forced = true
        let bytes: Data
        switch kind {
        case "truncated gzip":
            let gz = try PprofBuilder.gzip(good)
            bytes = gz.prefix(gz.count - 12)
        case "corrupt gzip":
            var gz = try PprofBuilder.gzip(good)
            for i in 20..<40 { gz[i] ^= 0x5a }
            bytes = gz
        case "not protobuf": bytes = Data([0x0f, 0xff, 0xff, 0x00, 0x01, 0x02, 0x03])
        case "string index out of range":
            bytes = Data(
                header + Self.sample(locations: [1], value: 1) + Self.location1
                    + Self.field(5, Self.varintField(1, 1) + Self.varintField(2, 9)))
        case "missing location":
            bytes = Data(header + Self.sample(locations: [7], value: 1) + Self.location1 + Self.function1)
        case "missing function":
            bytes = Data(header + Self.sample(locations: [1], value: 1) + Self.location1)
        case "negative value":
            bytes = Data(header + Self.sample(locations: [1], value: -3) + Self.location1 + Self.function1)
        case "overflowing values":
            bytes = Data(
                header + Self.sample(locations: [1], value: Int64.max) + Self.sample(locations: [1], value: 2)
                    + Self.location1 + Self.function1)
        case "10,001-deep stack":
            bytes = Data(
                header + Self.sample(locations: Array(repeating: 1, count: 10_001), value: 1) + Self.location1
                    + Self.function1)
        case "invalid UTF-8 string":
            bytes = Data(
                Self.sampleType + Self.strings(["", "samples", "count"]) + Self.field(6, [0x66, 0xff, 0xfe])
                    + Self.sample(locations: [1], value: 1) + Self.location1 + Self.function1)
        case "empty file":
            bytes = Data()
            forced = false
        case "empty gzip": bytes = try PprofBuilder.gzip(Data())
        case "no samples": bytes = Data(header + Self.location1 + Self.function1)
        case "truncated protobuf": bytes = good.prefix(good.count - 3)
        default: fatalError(kind)
        }
        let options = ProfileReadOptions(format: forced ? .pprof : nil)
        do {
            _ = try ProfileReader.read(data: bytes, source: "bad.pb.gz", options: options)
            Issue.record("\(kind): accepted")
        } catch let error as HeadroomError {
            #expect(error.message.hasPrefix("bad.pb.gz"), "\(error.message)")
            #expect(error.message.contains(expected), "\(kind): \(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("perf script: leaf-first blocks, kernel frames marked, offsets stripped, comm kept as a label")
    func readsPerfScript() throws {
        let text = """
            # a comment from perf script --header
            worker 4242/4242 [001] 12345.678901:     250000 cpu-clock:pppH:
            \tffffffff8108a1b2 __do_softirq+0x22 ([kernel.kallsyms])
            \t    55d0c0de1234 hot_loop+0x14 (/opt/app/bin/worker)
            \t    55d0c0de5678 main+0x30 (/opt/app/bin/worker)
            \t    7f0011223344 __libc_start_main+0xf3 (/usr/lib/x86_64-linux-gnu/libc.so.6)

            worker 4242/4242 [001] 12345.688901:     250000 cpu-clock:pppH:
            \t    55d0c0de1234 hot_loop+0x20 (/opt/app/bin/worker)
            \t    55d0c0de5678 main+0x30 (/opt/app/bin/worker)
            \t    7f0011223344 __libc_start_main+0xf3 (/usr/lib/x86_64-linux-gnu/libc.so.6)

            my worker 77 12345.698901:     250000 cpu-clock:pppH:
            \t    55d0c0de9999 std::vector<int>::push_back(int const&)+0x9 (/opt/app/bin/worker)
            \t    55d0c0de5678 main+0x30 (/opt/app/bin/worker)

            """
        let read = try ProfileReader.read(data: Data(text.utf8), source: "perf.txt")
        #expect(read.format == .perf)
        let costs = read.profile.functionCosts()
        let hot = FunctionRef(name: "hot_loop", file: "/opt/app/bin/worker")
        // Each sample weighs its period (250 µs of cpu-clock), as `perf report` and stackcollapse-perf weigh it.
        #expect(read.profile.sampleType == "cpu-clock:pppH/nanoseconds")
        #expect(costs[hot] == FunctionCost(selfSamples: 250_000, totalSamples: 500_000))
        #expect(costs[FunctionRef(name: "__do_softirq_[k]", file: "[kernel.kallsyms]")]?.selfSamples == 250_000)
        #expect(
            costs[FunctionRef(name: "std::vector<int>::push_back(int const&)", file: "/opt/app/bin/worker")]?
                .selfSamples == 250_000)
        #expect(costs[FunctionRef(name: "main", file: "/opt/app/bin/worker")]?.totalSamples == 750_000)
        #expect(read.profile.samples(label: Label(key: "comm", value: "my worker")) == 250_000)
    }

    @Test("format detection: folded vs perf vs pprof, and binary junk is refused")
    func detectsFormats() throws {
        #expect(try ProfileReader.read(data: Data("a;b 3\nc 1\n".utf8), source: "x").format == .folded)
        #expect(try ProfileReader.read(data: Data("a;b (x.py:3) 3\n 2\n".utf8), source: "x").format == .folded)
        #expect(try ProfileReader.read(data: PprofBuilder.gzip(Data("a;b 3\n".utf8)), source: "x").format == .folded)
        #expect(
            errorCode {
                _ = try ProfileReader.read(data: Data([0x00, 0x01, 0x02, 0x03, 0xff]), source: "x")
            } == .badInput)
    }

    @Test("a line without a newline longer than 16 MiB is refused, not buffered forever")
    func refusesHugeLine() {
        let huge = Data(repeating: 0x61, count: (16 << 20) + 10)
        #expect(errorCode { _ = try ProfileReader.read(data: huge, source: "huge.folded") } == .badInput)
    }

    @Test("store: pprof ingest is idempotent, keeps labels for filtering, and refuses mixing sample types")
    func pprofInStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let file = dir.file("cpu.pb.gz")
        try Self.sampleProfile().gzipped().write(to: URL(fileURLWithPath: file))
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        let first = try ingestor.ingest(file: file, service: "api")
        #expect(first.outcome == .ingested(bucket: 1_793_606_400))  // the profile's own time
        #expect(try ingestor.ingest(file: file, service: "api").outcome == .duplicate)
        let queries = ProfileQueries(store: store)
        let all = try queries.top(service: "api", range: TimeRange(), byTotal: false, limit: 10)
        #expect(all.totalSamples == 45)
        #expect(all.rows.first?.function == Self.inlined)
        let cart = try queries.top(
            service: "api", range: TimeRange(), byTotal: false, limit: 10,
            label: Label(key: "endpoint", value: "/cart"))
        #expect(cart.totalSamples == 10)
        #expect(cart.rows.map(\.function) == [Self.handle, Self.main])
        let svg = try queries.flameGraph(service: "api", range: TimeRange())
        #expect(svg.contains("<title>json.appendString (encoding/json/encode.go) — 30 samples, 66.67%</title>"))

        let cpuFile = dir.file("cpu2.pb")
        var other = Self.sampleProfile(labels: false)
        other.profile.timeNanos = 1_793_606_460_000_000_000
        try other.serialized().write(to: URL(fileURLWithPath: cpuFile))
        #expect(
            errorCode {
                _ = try ingestor.ingest(file: cpuFile, service: "api", options: ProfileReadOptions(sampleType: "cpu"))
            } == .badInput)
        #expect(try store.profileCount(service: "api") == 1)
    }

    @Test("diff: the two-proportion test flags a real shift and not sampling noise")
    func diffSignificance() {
        let a = FunctionRef(name: "a", file: nil)
        let b = FunctionRef(name: "b", file: nil)
        let rows = ProfileDiff.compare(
            before: [a: 1000, b: 5000], beforeTotal: 10_000, after: [a: 1500, b: 5020], afterTotal: 10_000)
        #expect(rows.first?.function == a)
        #expect(rows.first?.significant == true)
        // z = 0.05 / sqrt(0.125 * 0.875 * 2e-4) = 10.69
        #expect(abs((rows.first?.zScore ?? 0) - 10.69) < 0.01)
        #expect(rows.last?.significant == false)
    }
}
