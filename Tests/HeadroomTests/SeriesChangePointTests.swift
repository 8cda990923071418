import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomTesting
import Testing

/// The single-series detector behind `headroom changepoints`: each guard has a case it must reject and one it must
/// keep.
@Suite("series change points", .ownThreads)
struct SeriesChangePointTests {
    struct Gaussian {
        var rng: SplitMix64
        init(seed: UInt64) { rng = SplitMix64(seed: seed) }
        mutating func next() -> Double {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
            let u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
    }

    static func noise(_ count: Int, seed: UInt64, sigma: Double = 1, level: Double = 100) -> [Double] {
        var g = Gaussian(seed: seed)
        return (0..<count).map { _ in level + sigma * g.next() }
    }

    let segmenter = SeriesSegmenter()

    @Test("keeps a persistent step, at the right index")
    func findsStep() {
        var values = Self.noise(336, seed: 1)
        for i in 200..<336 { values[i] += 1.5 }
        let changes = segmenter.changes(values)
        #expect(changes.count == 1)
        #expect(abs((changes.first?.index ?? 0) - 200) <= 2)
        #expect((changes.first?.after ?? 0) > (changes.first?.before ?? 0))
    }

    @Test("keeps several steps, up and down")
    func findsSeveral() {
        var values = Self.noise(336, seed: 2)
        for i in 80..<336 { values[i] += 3 }
        for i in 160..<336 { values[i] -= 5 }
        for i in 250..<336 { values[i] += 4 }
        let indices = segmenter.changes(values).map(\.index)
        #expect(indices.count == 3, "\(indices)")
        for (found, truth) in zip(indices, [80, 160, 250]) { #expect(abs(found - truth) <= 2) }
    }

    @Test("rejects single-point spikes, even huge ones")
    func ignoresSpikes() {
        for seed in 0..<50 as Range<UInt64> {
            var values = Self.noise(336, seed: 100 + seed)
            for position in [30, 90, 170, 171, 300] { values[position] += 25 }
            #expect(segmenter.changes(values).isEmpty, "seed \(seed)")
        }
    }

    @Test("rejects plain noise: at most one false positive in 1000 clean series")
    func quietOnNoise() {
        var falsePositives = 0
        for seed in 0..<1000 as Range<UInt64> where !segmenter.changes(Self.noise(336, seed: 10_000 + seed)).isEmpty {
            falsePositives += 1
        }
        #expect(falsePositives <= 1)
    }

    @Test("rejects slow autocorrelated wander, keeps a real step on top of it")
    func autocorrelation() {
        var quiet = 0
        for seed in 0..<100 as Range<UInt64> {
            var g = Gaussian(seed: 50_000 + seed)
            var level = 0.0
            let values = (0..<336).map { _ -> Double in
                level = 0.6 * level + g.next()  // AR(1): neighbours share noise
                return 100 + level
            }
            if segmenter.changes(values).isEmpty { quiet += 1 }
        }
        #expect(quiet >= 93)  // 95 measured (seeded); 72 before the long-run correction
        var g = Gaussian(seed: 7)
        var level = 0.0
        let stepped = (0..<336).map { i -> Double in
            level = 0.6 * level + g.next()
            return 100 + level + (i >= 168 ? 4 : 0)
        }
        #expect(segmenter.changes(stepped).map(\.index).contains { abs($0 - 168) <= 3 })
    }

    @Test("a smooth trend is not a staircase of changes; a step on a trend is one change")
    func trends() {
        // An accelerating curve (a population, a concentration): without the guard, binary segmentation on means
        // cuts it into steps; with it, nothing.
        var staircases = 0
        for seed in 0..<20 as Range<UInt64> {
            let noise = Self.noise(336, seed: 70_000 + seed, level: 0)
            let curve = (0..<336).map { i -> Double in
                let t = Double(i)
                return 100 + 0.2 * t + 0.001 * t * t + noise[i]
            }
            #expect(segmenter.changes(curve).isEmpty, "seed \(seed)")
            if SeriesSegmenter(trendAlpha: nil).changes(curve).count >= 3 { staircases += 1 }
        }
        #expect(staircases == 20)  // the guard is what removes them
        // A real step on top of a slope stays, at its place, and the slope around it is not cut into steps (each
        // spurious cut survives the guard with a small chance: 3 of 20 seeds keep one or more, measured).
        var exact = 0
        for seed in 0..<20 as Range<UInt64> {
            let noise = Self.noise(336, seed: 80_000 + seed, level: 0)
            let stepped = (0..<336).map { i -> Double in
                let step: Double = i >= 200 ? 3 : 0
                return 100 + 0.05 * Double(i) + noise[i] + step
            }
            let indices = segmenter.changes(stepped).map(\.index)
            #expect(indices.contains { abs($0 - 200) <= 5 }, "seed \(seed): \(indices)")
            if indices.count == 1 { exact += 1 }
            let unguarded = SeriesSegmenter(trendAlpha: nil).changes(stepped).count
            #expect(unguarded >= indices.count)
        }
        #expect(exact >= 16)
    }

    @Test("the trend guard's fit: a step on a parabola is measured exactly, a parabola alone has no step")
    func trendFit() {
        let curve = (0..<100).map { i -> Double in
            let t = Double(i)
            return 5 + 0.3 * t - 0.002 * t * t
        }
        let stepped = curve.indices.map { i -> Double in curve[i] + (i >= 60 ? 2.0 : 0.0) }
        #expect(SeriesSegmenter.trendStepSize(stepped, at: 60).map { abs($0 - 2) < 1e-9 } == true)
        #expect(SeriesSegmenter.trendStepSize(curve, at: 60).map { abs($0) < 1e-9 } == true)
    }

    @Test("constant, noiseless-step and too-short series")
    func edgeCases() {
        #expect(segmenter.changes(Array(repeating: 5, count: 100)).isEmpty)
        let step = Array(repeating: 5.0, count: 50) + Array(repeating: 7.0, count: 50)
        let change = segmenter.changes(step)
        #expect(change.map(\.index) == [50])
        #expect((change.first?.pValue ?? 1) < 1e-30)
        #expect(segmenter.changes([1, 2, 3, 100, 100, 100]).isEmpty)
    }

    @Test(
        "CSV: missing cells keep row indices; bad rows are one clear error naming the line",
        arguments: [
            ("timestamp,value\n1,5\n1,6\n", "repeats"),
            ("timestamp,value\n2,5\n1,6\n", "earlier"),
            ("timestamp,value\n1,5\n2,abc\n", "not a finite number"),
            ("timestamp,value\n1,5\n2,inf\n", "not a finite number"),
            ("time,v\n1,5\n", "no 'value' column"),
            ("value\n", "no data rows"),
            ("", "empty file"),
            ("timestamp,value\nyesterday,5\n", "not an ISO-8601"),
        ])
    func csvErrors(text: String, expected: String) {
        do {
            _ = try SeriesCSV.parse(text, source: "s.csv")
            Issue.record("accepted \(text)")
        } catch let error as HeadroomError {
            #expect(error.message.hasPrefix("s.csv"))
            #expect(error.message.contains(expected), "\(error.message)")
        } catch { Issue.record("\(error)") }
    }

    @Test("CSV: empty and nan cells are missing points")
    func csvMissing() throws {
        let series = try SeriesCSV.parse("value,other\n1,x\n,x\nnan,x\n4,x\n", source: "s.csv")
        #expect(series.values == [1, 4])
        #expect(series.rows == [0, 3])
        #expect(series.timestamps == nil)
    }

    @Test("headroom changepoints: JSON per the contract, index is the data row")
    func cli() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var values = Self.noise(120, seed: 9).map { String($0) }
        for i in 60..<120 { values[i] = String(Double(values[i])! + 5) }
        values[10] = ""
        let csv =
            "timestamp,value\n"
            + values.enumerated().map { "\(1_793_606_400 + $0.offset * 60),\($0.element)" }
            .joined(separator: "\n")
        let file = try dir.write("s.csv", csv)
        let run = try Checkout.headroom(["changepoints", file, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let points = try #require(json["changepoints"] as? [[String: Any]])
        #expect(points.count == 1)
        #expect(points.first?["index"] as? Int == 60)
        #expect(points.first?["timestamp"] as? String == "\(1_793_606_400 + 60 * 60)")
        let bad = try dir.write("bad.csv", "timestamp,value\n1,2\n1,3\n")
        let failed = try Checkout.headroom(["changepoints", bad])
        #expect(failed.status != 0)
        #expect(failed.stderr.split(separator: "\n").count == 1)
    }
}
