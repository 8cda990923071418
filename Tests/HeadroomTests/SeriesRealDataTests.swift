import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomTesting
import Testing

/// The properties of real benchmark series that the simulated fleet lacks: quantised readings, repeats per build,
/// a growing share of slow runs, and real but irrelevant small steps. Each case has a series that must stay quiet
/// and one that must still alert.
@Suite("series detection on real-data properties", .ownThreads)
struct SeriesRealDataTests {
    static func quantised(_ count: Int, seed: UInt64, level: Double, sigma: Double, step: (at: Int, by: Double)? = nil)
        -> [Double]
    {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let shift = step.map { i >= $0.at ? $0.by : 0 } ?? 0
            return (level + shift + sigma * rng.normal()).rounded()
        }
    }

    @Test(
        "quantised readings: most differences are 0, yet noise is not taken for zero",
        arguments: [UInt64(1), 2, 3, 4, 5])
    func quantisedNoise(seed: UInt64) {
        // Integer readings of a level of 100.4 with noise 0.3: mostly 100, some 101. The MAD of differences is 0.
        let quiet = Self.quantised(200, seed: seed, level: 100.4, sigma: 0.3)
        #expect(SeriesSegmenter().changes(quiet).isEmpty, "\(SeriesSegmenter().changes(quiet))")
        // A real step of 3 units on the same readings is still found, at its index.
        let stepped = Self.quantised(200, seed: seed, level: 100.4, sigma: 0.3, step: (120, 3))
        let found = SeriesSegmenter().changes(stepped)
        #expect(found.count == 1)
        #expect(abs((found.first?.index ?? 0) - 120) <= 1)
    }

    @Test("the noise scale of quantised readings stays near the truth")
    func quantisedScale() {
        let values = Self.quantised(2000, seed: 9, level: 50.5, sigma: 0.5)
        let sigma = SeriesSegmenter.differenceNoise(of: values)
        // Readings of N(50.5, 0.5²) rounded to integers have a standard deviation of about 0.58.
        #expect(sigma > 0.4 && sigma < 0.8, "σ = \(sigma)")
    }

    /// 30 builds × 10 repeats: build offsets (sd 1%) dominate run noise (sd 0.1%).
    static func builds(seed: UInt64, step: Double) -> String {
        var rng = SplitMix64(seed: seed)
        var csv = "series,timestamp,build,value\n"
        for b in 0..<30 {
            let offset = 0.01 * rng.normal() + (b >= 15 ? step : 0)
            for r in 0..<10 {
                let value = 1000 * (1 + offset + 0.001 * rng.normal())
                csv += "bench,\(1_793_577_600 + 3600 * b + r),c\(b),\(String(format: "%.1f", value))\n"
            }
        }
        return csv
    }

    @Test("repeats of one build are one observation: build-to-build noise is the noise a change must beat")
    func buildColumn() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var alarmsAsBuilds = 0
        for seed in UInt64(1)...6 {
            // No step: 30 builds, each one observation (the repeats' median) with a noise floor from their spread.
            let text = Self.builds(seed: seed, step: 0)
            let points = try SeriesCSV.parse(text.replacingOccurrences(of: ",build,", with: ",tag,"), source: "b.csv")
            let grouped = try SeriesCSV.parse(text, source: "b.csv")
            #expect(points.values.count == 300)
            #expect(grouped.values.count == 30)
            #expect(grouped.rows.prefix(3) == [0, 10, 20])  // each build's first data row
            #expect(grouped.noiseFloor > 0)
            alarmsAsBuilds += SeriesSegmenter(noiseFloor: grouped.noiseFloor).changes(grouped.values).count
        }
        #expect(alarmsAsBuilds == 0)
        // A real 8% step across builds is found at the first row of its build.
        let stepped = try SeriesCSV.parse(Self.builds(seed: 11, step: 0.08), source: "b.csv")
        let found = SeriesSegmenter(noiseFloor: stepped.noiseFloor).changes(stepped.values)
        #expect(found.count == 1)
        #expect(found.first.map { stepped.rows[$0.index] } == 150)
        // Through the fleet reader too, with repeated timestamps allowed inside a build.
        let file = try dir.write(
            "fleet.csv",
            Self.builds(seed: 11, step: 0.08).replacingOccurrences(of: ",1793577601,", with: ",1793577600,"))
        let report = try FleetDetector(threads: 1).run(path: file)
        #expect(report.pointCount == 30)
        #expect(report.regressions.map(\.lead.row) == [150])
    }

    @Test("a real step below the practical floor is counted, not reported; --min-relative-change 0 reports it")
    func practicalFloor() {
        // 1% step on a quiet series: statistically clear (many MDEs), practically small.
        var rng = SplitMix64(seed: 4)
        let values = (0..<300).map { i in 1000 * (1 + (i >= 150 ? 0.01 : 0) + 0.002 * rng.normal()) }
        let analyzer = SeriesAnalyzer()
        let analysis = analyzer.analyze(values)
        #expect(analysis.events.isEmpty)
        #expect(analysis.belowFloor == 1)
        var permissive = SeriesAnalysisConfiguration()
        permissive.minimumRelativeChange = 0
        let all = SeriesAnalyzer(configuration: permissive).analyze(values)
        #expect(all.events.map(\.kind) == [.regression])
        #expect((all.events.first?.effect ?? 0) > 3)
        // An 8% step is above every floor.
        let big = (0..<300).map { i in 1000 * (1 + (i >= 150 ? 0.08 : 0) + 0.002 * rng.normal()) }
        #expect(analyzer.analyze(big).events.map(\.kind) == [.regression])
    }

    @Test("a growing share of slow runs is a variance change, not a regression")
    func spikeDensity() {
        var rng = SplitMix64(seed: 21)
        var spiky: [Double] = []
        for i in 0..<300 {
            // Slow runs (+30%) in 2% of runs, then in 60% of the last 40: the median moves, the fast runs do not.
            let share = i < 260 ? 0.02 : 0.6
            var value = 100 * (1 + 0.003 * rng.normal())
            if rng.uniform() < share { value *= 1.3 }
            spiky.append(value)
        }
        let events = SeriesAnalyzer().analyze(spiky).events
        #expect(!events.contains { $0.kind == .regression }, "\(events)")
        #expect(events.contains { $0.kind == .varianceChange }, "\(events)")
        // The same slow runs on top of a real 10% step: the step is still a regression.
        let stepped = spiky.enumerated().map { $0.offset >= 150 ? $0.element * 1.1 : $0.element }
        #expect(SeriesAnalyzer().analyze(stepped).events.contains { $0.kind == .regression })
    }
}
