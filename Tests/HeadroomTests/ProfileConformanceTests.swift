import Foundation
import HeadroomCore
import HeadroomProfiles
import HeadroomTesting
import Testing

/// The reader cases found on real captures (FlameGraph's perf test files, real pprof agents), each with a small
/// fixture of our own. `Benchmarks/conformance/run.py` checks the real files against their references.
@Suite("profile readers on real-capture shapes", .ownThreads)
struct ProfileConformanceTests {
    typealias P = ProfileFormatTests

    static func read(_ text: String, sampleType: String? = nil, format: ProfileFormat? = nil) throws -> ReadProfile {
        try ProfileReader.read(
            data: Data(text.utf8), source: "perf.txt",
            options: ProfileReadOptions(format: format, sampleType: sampleType))
    }

    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as HeadroomError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("perf: frame lines in column 0 are frames, not headers, and the format is detected")
    func columnZeroFrames() throws {
        let text = """
            java 19983 cycles:
            ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])
            7f722d12e1d4 LBusy;::main (/tmp/perf-19982.map)
            7f72432b4e9a start_thread (/lib/x86_64-linux-gnu/libpthread-2.15.so)

            java 19983 cycles:
            7f722d12e1d4 LBusy;::main (/tmp/perf-19982.map)
            7f72432b4e9a start_thread (/lib/x86_64-linux-gnu/libpthread-2.15.so)
            """
        let read = try Self.read(text)
        #expect(read.format == .perf)
        #expect(read.profile.totalSamples == 2)
        let costs = read.profile.functionCosts()
        #expect(costs[FunctionRef(name: "native_write_msr_safe_[k]", file: "[kernel.kallsyms]")]?.selfSamples == 1)
        #expect(
            costs[FunctionRef(name: "LBusy;::main_[j]", file: "/tmp/perf-19982.map")]
                == FunctionCost(selfSamples: 1, totalSamples: 2))
        #expect(
            costs[FunctionRef(name: "start_thread", file: "/lib/x86_64-linux-gnu/libpthread-2.15.so")]?.totalSamples
                == 2)
    }

    @Test("perf: a command name that looks like hex is still a header")
    func hexLookingCommand() throws {
        let text = """
            dd 29776 666709.771979:   10101010 cpu-clock: 
            \t          414b3b fsnotify (/lib/modules/4.1.0-virtual/build/vmlinux)
            \t           e5f70 read (/lib/x86_64-linux-gnu/libc-2.15.so)
            \t               0 [unknown] (/bin/dd)

            """
        let read = try Self.read(text)
        #expect(read.profile.totalSamples == 10_101_010)
        #expect(read.profile.sampleType == "cpu-clock/nanoseconds")
        #expect(read.profile.samples(label: Label(key: "comm", value: "dd")) == 10_101_010)
        let costs = read.profile.functionCosts()
        #expect(
            costs[FunctionRef(name: "fsnotify_[k]", file: "/lib/modules/4.1.0-virtual/build/vmlinux")]?.selfSamples
                == 10_101_010)
        // An unknown symbol in a known module is named after the module, as stackcollapse-perf names it.
        #expect(costs[FunctionRef(name: "[dd]", file: "/bin/dd")]?.totalSamples == 10_101_010)
    }

    @Test("perf: one event per profile — the first by default, another on request, the rest reported")
    func oneEventType() throws {
        let text = """
            app 10 [000] 1.000000:    100 cycles: 
            \t  4005d0 hot (/opt/app)

            app 10 [000] 1.000100:    300 instructions: 
            \t  4005e0 cold (/opt/app)

            app 10 [000] 1.000200:    200 cycles: 
            \t  4005e0 cold (/opt/app)

            """
        let cycles = try Self.read(text)
        #expect(cycles.profile.sampleType == "cycles/count")
        #expect(cycles.profile.totalSamples == 300)
        #expect(cycles.profile.skippedSampleTypes == ["instructions": 300])
        let costs = cycles.profile.functionCosts()
        // Weighted by period: `hot` has one sample of two but a third of the cycles.
        #expect(costs[FunctionRef(name: "hot", file: "/opt/app")]?.selfSamples == 100)
        #expect(costs[FunctionRef(name: "cold", file: "/opt/app")]?.selfSamples == 200)
        let instructions = try Self.read(text, sampleType: "instructions")
        #expect(instructions.profile.totalSamples == 300)
        #expect(instructions.profile.functionCosts()[FunctionRef(name: "cold", file: "/opt/app")]?.selfSamples == 300)
        #expect(instructions.profile.skippedSampleTypes == ["cycles": 300])
        let missing = Self.message { _ = try Self.read(text, sampleType: "branch-misses") }
        #expect(
            missing?.contains("no 'branch-misses' samples (the file has cycles, instructions)") == true,
            "\(missing ?? "")")
    }

    @Test("perf: kernel-space frames are marked whatever the module spelling; JIT frames too")
    func kernelAndJITMarks() throws {
        let text = """
            iperf 27409/28744 [000] 441995.133575: cpu-clock: 
            \t             f7a __vdso_gettimeofday ([vdso])
            \t          8c3453 tcp_sendmsg (/lib/modules/4.3.0-rc1-virtual/build/vmlinux)
            \t             7d8 ipv4_conntrack_local+0x7f8f80b8 ([nf_conntrack_ipv4])
            \t    7f08b5783b58 [unknown] (/tmp/perf-10939.map)
            \t    7f1e2215d058  (/lib/x86_64-linux-gnu/libc-2.15.so)
            \t               0 [unknown] ([unknown])

            """
        let frames = Set(try Self.read(text).profile.functionCosts().keys)
        #expect(
            frames == [
                FunctionRef(name: "__vdso_gettimeofday_[k]", file: "[vdso]"),
                FunctionRef(name: "tcp_sendmsg_[k]", file: "/lib/modules/4.3.0-rc1-virtual/build/vmlinux"),
                FunctionRef(name: "ipv4_conntrack_local_[k]", file: "[nf_conntrack_ipv4]"),
                FunctionRef(name: "[perf-10939.map]_[j]", file: "/tmp/perf-10939.map"),
                FunctionRef(name: "[libc-2.15.so]", file: "/lib/x86_64-linux-gnu/libc-2.15.so"),
                FunctionRef(name: "[unknown]", file: nil),
            ])
    }

    @Test("text that is no profile is refused in one line that says what was expected")
    func refusesProse() {
        let readme = """
            # Headroom

            Headroom is an open, self-hostable capacity-efficiency platform written in Swift. It turns
            continuous-profiling data into function-level cost series, catches CPU regressions in them.
              1. example. Examples/shop/make_history.py builds a real git history
            """
        let error = Self.message { _ = try Self.read(readme) }
        #expect(error?.contains("expected a pprof profile") == true, "\(error ?? "accepted")")
        // Forced to perf, prose is refused at its first line that is neither a header nor a frame.
        let forced = Self.message { _ = try Self.read(readme, format: .perf) }
        #expect(forced?.contains("neither a perf sample header nor a stack frame") == true, "\(forced ?? "accepted")")
    }

    @Test(
        "legacy pprof formats are named and refused",
        arguments: [
            ("heap profile:   1:   262144 [     1:   262144] @ heapprofile\n", "heap profile: a legacy pprof format"),
            ("--- contention:\ncycles/second=3000000000\n", "contention profile: a legacy pprof format"),
        ])
    func refusesLegacyText(text: String, expected: String) {
        let error = Self.message { _ = try Self.read(text) }
        #expect(error?.contains(expected) == true, "\(error ?? "accepted")")
    }

    @Test("the legacy binary CPU profile is named and refused")
    func refusesLegacyBinary() {
        var words: [UInt64] = [0, 3, 0, 10_000, 0, 1, 1, 0x4005d0]
        let data = Data(bytes: &words, count: words.count * 8)
        let error = Self.message { _ = try ProfileReader.read(data: data, source: "cpu.prof") }
        #expect(error?.contains("legacy binary CPU profile") == true, "\(error ?? "accepted")")
    }

    static let twoTypes =
        P.field(1, P.varintField(1, 1) + P.varintField(2, 2))
        + P.field(1, P.varintField(1, 4) + P.varintField(2, 5))
    static let twoTypeStrings = P.strings(["", "alloc_objects", "count", "main", "alloc_space", "bytes"])
    static func twoValueSample(_ a: Int64, _ b: Int64) -> [UInt8] {
        P.field(
            2, P.varintField(1, 1) + P.varintField(2, UInt64(bitPattern: a)) + P.varintField(2, UInt64(bitPattern: b)))
    }

    @Test("pprof: negative values are checked only for the sample type read (diff profiles)")
    func negativesOfAnotherType() throws {
        let bytes = Data(
            Self.twoTypes + Self.twoTypeStrings + Self.twoValueSample(4, -512) + Self.twoValueSample(2, 256)
                + P.location1 + P.function1)
        // The default (the last type, no CPU-like one) has a negative value: refused, naming the usable type.
        let error = Self.message { _ = try ProfileReader.read(data: bytes, source: "delta.pb") }
        #expect(
            error
                == "delta.pb (pprof): 'alloc_space/bytes' has negative values, as a diff profile does; not ingested (--sample-type alloc_objects/count has none)"
        )
        let objects = try ProfileReader.read(
            data: bytes, source: "delta.pb",
            options: ProfileReadOptions(sampleType: "alloc_objects"))
        #expect(objects.profile.totalSamples == 6)
    }

    @Test("hostile sizes: a small gzip that inflates past the limit, and string tables past theirs, are one error")
    func boundedReads() throws {
        // 8 MiB of one string compresses to a few KB: past a 4 MiB limit the read stops.
        let huge =
            P.sampleType + P.strings(["", "samples", "count", "main", String(repeating: "a", count: 8 << 20)])
            + P.sample(locations: [1], value: 1) + P.location1 + P.function1
        let gz = try PprofBuilder.gzip(Data(huge))
        #expect(gz.count < 100_000)
        var small = ProfileReadOptions()
        small.maximumBytes = 4 << 20
        let inflated = Self.message { _ = try ProfileReader.read(data: gz, source: "bomb.pb.gz", options: small) }
        #expect(inflated?.contains("decompresses to more than 4 MiB, the limit") == true, "\(inflated ?? "accepted")")
        var strings = ProfileReadOptions()
        strings.maximumStringBytes = 1 << 20
        let bytes = Self.message { _ = try ProfileReader.read(data: gz, source: "bomb.pb.gz", options: strings) }
        #expect(bytes?.contains("the string table holds more than 1 MiB, the limit") == true, "\(bytes ?? "accepted")")
        let many =
            P.sampleType + P.strings(["", "samples", "count", "main"] + (0..<200).map { "s\($0)" })
            + P.sample(locations: [1], value: 1) + P.location1 + P.function1
        var entries = ProfileReadOptions()
        entries.maximumStrings = 100
        let counted = Self.message { _ = try ProfileReader.read(data: Data(many), source: "many.pb", options: entries) }
        #expect(counted?.contains("more than 100 entries") == true, "\(counted ?? "accepted")")
        // Within the default limits the same file reads.
        #expect(try ProfileReader.read(data: gz, source: "ok.pb.gz").profile.totalSamples == 1)
    }

    @Test("pprof: a function with id 0 is read when it is the only one; shared id 0 is refused")
    func functionIDZero() throws {
        let header = P.sampleType + P.strings(["", "samples", "count", "main"])
        let locationToZero = P.field(4, P.varintField(1, 1) + P.field(4, P.varintField(1, 0)))
        let functionZero = P.field(5, P.varintField(1, 0) + P.varintField(2, 3))
        let one = Data(header + P.sample(locations: [1], value: 2) + locationToZero + functionZero)
        let costs = try ProfileReader.read(data: one, source: "dotnet.pb").profile.functionCosts()
        #expect(costs[FunctionRef(name: "main", file: nil)]?.selfSamples == 2)
        let two = Data(header + P.sample(locations: [1], value: 2) + locationToZero + functionZero + functionZero)
        let error = Self.message { _ = try ProfileReader.read(data: two, source: "dotnet.pb") }
        #expect(error?.contains("refers to function id 0, which 2 functions share") == true, "\(error ?? "accepted")")
    }
}
