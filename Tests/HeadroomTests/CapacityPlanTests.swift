import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// Capacity plans: the forecaster on series whose future is known, and `headroom plan` end to end.
@Suite("capacity plan", .ownThreads)
struct CapacityPlanTests {
    /// Daily cores: 0.3%/day growth, weekends 20% lower, noise of `noise` (relative), from `seed`.
    static func daily(days: Int, seed: UInt64, noise: Double = 0.03) -> (values: [Double], truth: [Double]) {
        var rng = SplitMix64(seed: seed)
        var values: [Double] = []
        var truth: [Double] = []
        for d in 0..<days {
            let weekly = d % 7 >= 5 ? 0.8 : 1.0
            let level = 100 * pow(1.003, Double(d)) * weekly
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
            let u2 = Double(rng.next() >> 11) / Double(1 << 53)
            let gauss = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            truth.append(level)
            values.append(level * (1 + noise * gauss))
        }
        return (values, truth)
    }

    @Test("growth and a weekly cycle: the forecast follows the truth and beats the seasonal naive forecast")
    func followsTrendAndSeason() throws {
        let (values, truth) = Self.daily(days: 200, seed: 1)
        let history = Array(values[..<172])
        let forecast = try #require(CapacityForecaster(period: 7).forecast(history, horizon: 28))
        #expect(forecast.period == 7)
        let errors = zip(forecast.mean, truth[172...]).map { abs($0 - $1) / $1 }
        #expect(errors.max()! < 0.06, "\(errors.max()!)")
        let mase = try #require(
            CapacityForecaster.mase(
                history: history, actual: Array(values[172...]), forecast: forecast.mean, period: 7))
        #expect(mase < 1)
        // The weekend dip is forecast where the weekends fall.
        #expect(forecast.mean[172 % 7 == 0 ? 5 : (5 - 172 % 7 + 7) % 7] < forecast.mean[(7 - 172 % 7) % 7])
    }

    @Test("intervals cover the truth at about their nominal rate, and widen with the horizon")
    func coverage() throws {
        var inside80 = 0
        var inside95 = 0
        var total = 0
        for seed in 0..<40 as Range<UInt64> {
            let (values, _) = Self.daily(days: 150, seed: 100 + seed, noise: 0.05)
            let forecast = try #require(CapacityForecaster(period: 7).forecast(Array(values[..<122]), horizon: 28))
            for (h, actual) in values[122...].enumerated() {
                if forecast.lower80[h] <= actual && actual <= forecast.upper80[h] { inside80 += 1 }
                if forecast.lower95[h] <= actual && actual <= forecast.upper95[h] { inside95 += 1 }
                total += 1
            }
            // Relative widths: the model is multiplicative (log scale), so a weekend day's interval is narrower in
            // cores than a weekday's at the same uncertainty.
            func width(_ h: Int) -> Double { (forecast.upper95[h] - forecast.lower95[h]) / forecast.mean[h] }
            #expect(width(27) >= width(0), "\(width(27)) < \(width(0))")
            // The forecast is inside its own intervals.
            #expect(
                (0..<28).allSatisfy {
                    forecast.lower80[$0] <= forecast.mean[$0] && forecast.mean[$0] <= forecast.upper80[$0]
                })
        }
        let c80 = Double(inside80) / Double(total)
        let c95 = Double(inside95) / Double(total)
        #expect(c80 > 0.7 && c80 < 0.9, "\(c80)")
        #expect(c95 > 0.85 && c95 <= 1, "\(c95)")
    }

    @Test("a spike (×2.5 for one day, here the last one or a weekend day) moves neither the level nor the season")
    func spikes() throws {
        let (values, truth) = Self.daily(days: 200, seed: 7, noise: 0.02)
        let clean = Array(values[..<172])
        var spiked = clean
        spiked[171] *= 2.5
        spiked[166] *= 2.5  // a weekend day (166 % 7 == 5): the season's slot for that day
        let forecaster = CapacityForecaster(period: 7)
        let plain = try #require(forecaster.forecast(clean, horizon: 28))
        let withSpikes = try #require(forecaster.forecast(spiked, horizon: 28))
        let errors = zip(withSpikes.mean, truth[172...]).map { abs($0 - $1) / $1 }
        #expect(errors.max()! < 0.06, "\(errors.max()!)")
        let moved = zip(withSpikes.mean, plain.mean).map { abs($0 - $1) / $1 }
        #expect(moved.max()! < 0.02, "the spikes moved the forecast by \(moved.max()!)")
        // The spikes still widen the intervals: they happen, and the intervals say so.
        #expect(withSpikes.upper95[0] - withSpikes.lower95[0] >= plain.upper95[0] - plain.lower95[0])
    }

    @Test("a level shift a week before the end: the forecast starts at the new level and does not read it as growth")
    func levelShift() throws {
        var rng = SplitMix64(seed: 11)
        var values: [Double] = []
        for d in 0..<200 {
            let weekly = d % 7 >= 5 ? 0.8 : 1.0
            let level = d >= 165 ? 125.0 : 100.0  // +25% (a regression) 7 days before the end of the history
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
            let u2 = Double(rng.next() >> 11) / Double(1 << 53)
            values.append(level * weekly * (1 + 0.02 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)))
        }
        let forecast = try #require(CapacityForecaster(period: 7).forecast(Array(values[..<172]), horizon: 28))
        let truth = (172..<200).map { 125.0 * ($0 % 7 >= 5 ? 0.8 : 1.0) }
        let errors = zip(forecast.mean, truth).map { abs($0 - $1) / $1 }
        #expect(errors.max()! < 0.05, "\(errors.max()!): \(forecast.mean.map { Int($0) })")
        let mase = try #require(
            CapacityForecaster.mase(
                history: Array(values[..<172]), actual: Array(values[172...]), forecast: forecast.mean, period: 7))
        #expect(mase < 1, "\(mase)")
        // A series that shifted once in 172 days may shift again: the month-ahead interval says so.
        func width(_ h: Int) -> Double { (forecast.upper95[h] - forecast.lower95[h]) / forecast.mean[h] }
        #expect(width(27) > 1.3 * width(0), "\(width(27)) vs \(width(0))")
    }

    @Test("too little history is refused; a series without a season still forecasts")
    func edges() {
        #expect(CapacityForecaster(period: 7).forecast([1, 2, 3], horizon: 5) == nil)
        // A short history with a jump: its one-step errors lean one way, the intervals still surround the forecast.
        let jumped = CapacityForecaster(period: 0).forecast(
            [1, 1.1, 0.9, 1, 1, 1.05, 2, 2.1, 1.9, 2, 2.05, 1.95], horizon: 5)
        #expect(
            jumped.map { f in (0..<5).allSatisfy { f.lower80[$0] <= f.mean[$0] && f.mean[$0] <= f.upper80[$0] } }
                == true)
        let short = CapacityForecaster(period: 7).forecast([10, 11, 12, 13, 14, 15], horizon: 3)
        #expect(short?.period == 0)  // fewer than two weeks: no season
        #expect(short.map { $0.mean[0] > 14 } == true)
    }

    @Test("headroom plan: a service's measured cores per day forecast; a service without them is one clear error")
    func command() throws {
        let directory = try TemporaryDirectory()
        let storePath = directory.file("h.sqlite")
        let store = try Store.open(path: storePath)
        let ingestor = ProfileIngestor(store: store)
        let (values, _) = Self.daily(days: 60, seed: 9)
        let start = Timestamps.now() - 61 * 86_400
        for (d, cores) in values.enumerated() {
            // One 60-second profile a day at that day's cores: cores × 60 CPU seconds at 100 Hz.
            var options = ProfileReadOptions()
            options.sampleRate = 100
            options.duration = 60
            let samples = Int(cores * 60 * 100)
            _ = try ingestor.ingest(
                data: Data("main;work \(samples)\n".utf8), source: "d\(d).folded", service: "shop",
                at: start + Int64(d) * 86_400 + 3600, options: options)
        }
        _ = try ingestor.ingest(
            data: Data("main 5\n".utf8), source: "x.folded", service: "batch", at: start)
        let run = try Checkout.headroom([
            "plan", "--service", "shop", "--horizon", "14", "--store", storePath, "--format", "json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["unit"] as? String == "cores")
        #expect(object?["period"] as? Int == 7)
        #expect(object?["history"] as? Int == 60)
        let points = object?["forecast"] as? [[String: Any]] ?? []
        #expect(points.count == 14)
        let first = points.first?["mean"] as? Double ?? 0
        #expect(first > 100 && first < 140, "\(first)")
        let missing = try Checkout.headroom(["plan", "--service", "batch", "--store", storePath])
        #expect(missing.status != 0 && missing.stderr.contains("no profile says its CPU and wall time"))
    }
}
