import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// Cores from the profiles themselves: CPU seconds the samples stand for over the wall time they cover.
@Suite("measured cores", .ownThreads)
struct MeasuredCoresTests {
    static let main = FunctionRef(name: "main.main", file: "main.go")
    static let work = FunctionRef(name: "main.work", file: "main.go")

    /// A Go-like CPU profile: 400 samples of 10 ms (4 CPU seconds) in a 2-second profile, 3 of 4 in `work`.
    static func goProfile(time: Int64, samplesPerStack: (Int64, Int64) = (300, 100), seconds: Int64 = 2) throws -> Data
    {
        var b = PprofBuilder(timeNanos: time * 1_000_000_000)
        b.cpuPeriod(nanoseconds: 10_000_000, durationNanos: seconds * 1_000_000_000)
        let m = b.location([main])
        let w = b.location([work])
        b.sample([w, m], values: [samplesPerStack.0, samplesPerStack.0 * 10_000_000])
        b.sample([m], values: [samplesPerStack.1, samplesPerStack.1 * 10_000_000])
        return try b.serialized()
    }

    @Test("pprof: CPU time from the cpu sample type or from sample counts × period; wall time from the duration")
    func pprof() throws {
        let data = try Self.goProfile(time: 1_800_000_000)
        let byCount = try ProfileReader.read(
            data: data, source: "cpu.pb", options: ProfileReadOptions(sampleType: "samples")
        ).profile
        #expect(byCount.sampleType == "samples/count")
        #expect(byCount.cpuSeconds.map { abs($0 - 4) < 1e-9 } == true)
        #expect(byCount.wallSeconds == 2)
        let byTime = try ProfileReader.read(
            data: data, source: "cpu.pb", options: ProfileReadOptions(sampleType: "cpu")
        ).profile
        #expect(byTime.cpuSeconds.map { abs($0 - 4) < 1e-9 } == true)
        // Not CPU time: allocations say nothing about cores.
        var heap = PprofBuilder(sampleTypes: [("alloc_objects", "count"), ("alloc_space", "bytes")])
        heap.duration(nanoseconds: 1_000_000_000)
        let h = heap.location([Self.main])
        heap.sample([h], values: [3, 4096])
        let allocations = try ProfileReader.read(data: try heap.serialized(), source: "heap.pb").profile
        #expect(allocations.cpuSeconds == nil)
        #expect(allocations.wallSeconds == 1)
    }

    @Test(
        "perf: a clock event's periods are CPU nanoseconds; idle samples (pid 0) are not busy; other events say nothing"
    )
    func perf() throws {
        // Four 10 ms cpu-clock samples over 30 ms on two CPUs: app on both, the idle task once.
        let text = """
            app 100/100 [000] 10.000000:   10000000 cpu-clock:
            \tffff0001 work+0x1 (/srv/app)

            app 100/101 [001] 10.010000:   10000000 cpu-clock:
            \tffff0001 work+0x1 (/srv/app)

            swapper     0 [001] 10.020000:   10000000 cpu-clock:
            \tffff0002 cpu_idle+0x1 ([kernel.kallsyms])

            app 100/100 [000] 10.030000:   10000000 cpu-clock:
            \tffff0001 work+0x1 (/srv/app)

            """
        let profile = try ProfileReader.read(data: Data(text.utf8), source: "perf.txt").profile
        #expect(profile.sampleType == "cpu-clock/nanoseconds")
        // Busy: 3 × 10 ms; the samples span 30 ms, plus one period.
        #expect(profile.cpuSeconds.map { abs($0 - 0.03) < 1e-12 } == true)
        #expect(profile.wallSeconds.map { abs($0 - 0.04) < 1e-9 } == true)
        // Cycles are not time; a clock without periods says nothing either.
        let cycles = text.replacingOccurrences(of: "cpu-clock", with: "cycles")
        #expect(try ProfileReader.read(data: Data(cycles.utf8), source: "perf.txt").profile.cpuSeconds == nil)
        let bare = text.replacingOccurrences(of: "   10000000 cpu-clock:", with: " cpu-clock:")
        #expect(try ProfileReader.read(data: Data(bare.utf8), source: "perf.txt").profile.cpuSeconds == nil)
    }

    @Test("over time: one process pushing one window after another averages; processes side by side add up")
    func union() {
        // Two consecutive 10 s windows of one process, 5 and 15 CPU seconds: 1 core on average.
        let sequential = MeasuredCores.from([(0, 10, 5), (10, 10, 15)])
        #expect(sequential?.cores == 1)
        #expect(sequential?.observedSeconds == 20)
        // Two processes over the same 10 s, 5 CPU seconds each: 1 core between them.
        #expect(MeasuredCores.from([(0, 10, 5), (0, 10, 5)])?.cores == 1)
        // Overlapping in part: 15 s observed.
        #expect(MeasuredCores.from([(0, 10, 3), (5, 10, 3)])?.observedSeconds == 15)
        #expect(MeasuredCores.from([]) == nil)
        #expect(MeasuredCores.from([(0, 0, 5)]) == nil)
    }

    @Test("stored per profile: top and detect use measured cores, the fleet size only where profiles do not say")
    func storedAndUsed() throws {
        let store = try Store.open(path: ":memory:")
        let ingestor = ProfileIngestor(store: store)
        for (i, time) in stride(from: Int64(1_800_000_000), to: 1_800_000_000 + 6 * 3600, by: 3600).enumerated() {
            // Each hour: a 2-second profile at 2 cores (4 CPU seconds).
            let report = try ingestor.ingest(
                data: try Self.goProfile(time: time), source: "cpu-\(i).pb", service: "checkout")
            #expect(report.cpuSeconds.map { abs($0 - 4) < 1e-9 } == true)
            #expect(report.wallSeconds == 2)
        }
        let measured = try #require(try store.measuredCores(service: "checkout"))
        #expect(abs(measured.cores - 2) < 1e-9)
        #expect(measured.profiles == 6)
        #expect(try store.measuredCoresByBucket(service: "checkout").count == 6)
        let top = try ProfileQueries(store: store).topReport(
            service: "checkout", range: TimeRange(), byTotal: true, limit: 5, costs: CostModel(fleetCores: 1000))
        #expect(top.coresBasis == .profile)
        let work = try #require(top.functions.first { $0.function == "main.work" })
        #expect(abs(work.cores - 1.5) < 1e-9)  // 3/4 of 2 cores
        // A folded profile says nothing: the fleet size stays, unless the ingest says the rate and duration.
        _ = try ingestor.ingest(
            data: Data("main;work 300\nmain 100\n".utf8), source: "f.folded", service: "batch", at: 1_800_000_000)
        #expect(try store.measuredCores(service: "batch") == nil)
        #expect(store.costs(service: "batch", fallback: CostModel(fleetCores: 1000)).basis == .fleet)
        var options = ProfileReadOptions()
        options.sampleRate = 100
        options.duration = 8
        _ = try ingestor.ingest(
            data: Data("main;work 299\nmain 101\n".utf8), source: "f2.folded", service: "batch", at: 1_800_003_600,
            options: options)
        #expect(try store.measuredCores(service: "batch")?.cores == 0.5)  // 4 CPU seconds over 8
        #expect(store.costs(service: "batch", fallback: CostModel(fleetCores: 1000)).fleetCores == 0.5)
    }

    @Test("a Pyroscope push: CPU samples at its sampleRate over from–until")
    func push() async throws {
        let store = try Store.open(path: ":memory:")
        let ingest = PyroscopeIngest(ingestor: ProfileIngestor(store: store))
        _ = try await ingest.ingest(
            query: [
                "name": "shop.cpu{env=prod}", "from": "1800000000", "until": "1800000010", "sampleRate": "100",
                "format": "folded",
            ], body: Data("main;work 150\nmain 50\n".utf8), contentType: nil)
        // 200 samples at 100 Hz = 2 CPU seconds over 10 s.
        #expect(try store.measuredCores(service: "shop")?.cores == 0.2)
        await #expect(throws: HeadroomError.self) {
            _ = try await ingest.ingest(
                query: ["name": "shop.cpu", "from": "1800000010", "until": "1800000020", "sampleRate": "-3"],
                body: Data("main 1\n".utf8), contentType: nil)
        }
    }
}
