import Foundation
import HeadroomCore
import HeadroomSkills
import Testing

/// The A/B design of patch validation, on simulated timers: load drifts slowly and bursts hit single runs; the
/// sequential design must neither surface a patch that is not faster nor miss a real gain.
@Suite("validation: sequential A/B", .ownThreads)
struct ValidationTests {
    /// A timer whose runs take `base` seconds (÷ `speedup` on the after side) times a slowly drifting load, plus a
    /// one-run burst of up to 2× with probability `burst`.
    struct NoisyTimer {
        var rng: SplitMix64
        var load = 1.0
        var speedup: Double
        var burst: Double

        mutating func uniform() -> Double { Double(rng.next() % 1_000_000) / 1_000_000 }

        mutating func measure(before: Bool) -> Double {
            load = max(0.8, min(1.3, load * (0.97 + 0.06 * uniform())))
            var t = 0.1 * load * (1 + 0.05 * (uniform() - 0.5))
            if uniform() < burst { t *= 1 + uniform() }
            return before ? t : t / speedup
        }
    }

    func simulate(
        speedup: Double, burst: Double, trials: Int, seed: UInt64,
        configuration: ValidationConfiguration
    ) -> (gains: Int, runs: [Int]) {
        var gains = 0
        var runs: [Int] = []
        for trial in 0..<trials {
            var timer = NoisyTimer(rng: SplitMix64(seed: seed &+ UInt64(trial)), speedup: speedup, burst: burst)
            let result = Validator.sequentialAB(configuration) { timer.measure(before: $0) }
            if result.isSignificantGain { gains += 1 }
            runs.append(result.beforeSeconds.count)
        }
        return (gains, runs)
    }

    @Test("no gain: across three looks the false-gain rate stays within the one-sided 2.5% of a single 0.05 test")
    func nullIsControlled() {
        let configuration = ValidationConfiguration(runs: 12, maxLooks: 3)
        let trials = 300
        let (gains, runs) = simulate(speedup: 1, burst: 0.2, trials: trials, seed: 11, configuration: configuration)
        // Binomial(300, 0.025) has mean 7.5 and sd ≈ 2.7; allow 3 sd above the nominal level.
        #expect(gains <= 16, "\(gains) of \(trials) equal runs surfaced as gains")
        // Half the time the observed median is at most 1 and, the interval ruling out a 1.5× gain, the measurement
        // stops at the first look.
        #expect(runs.filter { $0 == 12 }.count > trials / 3)
        #expect(runs.allSatisfy { [12, 24, 36].contains($0) })
    }

    @Test("a real 1.3× gain under bursts of load is found, and a clear one needs no second look")
    func gainsAreFound() {
        let configuration = ValidationConfiguration(runs: 12, maxLooks: 3)
        let modest = simulate(speedup: 1.3, burst: 0.3, trials: 300, seed: 21, configuration: configuration)
        #expect(modest.gains >= 285, "found \(modest.gains) of 300")
        let clear = simulate(speedup: 3, burst: 0.3, trials: 100, seed: 31, configuration: configuration)
        #expect(clear.gains == 100 && clear.runs.allSatisfy { $0 == 12 })
        // A slower patch is refused, nearly always at the first look.
        let slower = simulate(speedup: 0.8, burst: 0.3, trials: 100, seed: 41, configuration: configuration)
        #expect(slower.gains == 0 && slower.runs.filter { $0 == 12 }.count >= 95)
    }

    @Test("a look too noisy to settle the answer is followed by another, even when its median shows no gain")
    func noisyLookContinues() {
        let configuration = ValidationConfiguration(runs: 12, maxLooks: 3)
        // The first 12 pairs are swamped by load (the after side caught most of it); later runs show the real 1.5×.
        var pair = 0
        var rng = SplitMix64(seed: 5)
        let result = Validator.sequentialAB(configuration) { before in
            if !before { pair += 1 }
            let jitter = 1 + Double(rng.next() % 1_000) / 20_000
            if pair <= 12 { return (before ? 0.10 : [0.05, 0.2, 0.12][pair % 3]) * jitter }
            return (before ? 0.15 : 0.10) * jitter
        }
        #expect(result.beforeSeconds.count > 12, "stopped at the first look: \(result.speedup) \(result.ci95)")
        // Clearly slower, and precisely so: one look settles it.
        var quiet = SplitMix64(seed: 6)
        let slower = Validator.sequentialAB(configuration) { before in
            (before ? 0.1 : 0.12) * (1 + Double(quiet.next() % 1_000) / 50_000)
        }
        #expect(slower.beforeSeconds.count == 12 && !slower.isSignificantGain)
    }

    @Test("a small real gain is below the practical floor: significant, but not delivered (1.03 by default)")
    func practicalFloor() throws {
        // A steady 2% gain, measured precisely: p is tiny and the interval is above 1, but it stays under 1.03.
        let before = (0..<12).map { 0.2 + Double($0 % 3) * 0.0002 }
        let after = before.map { $0 / 1.02 }
        let small = Validator.compare(before: before, after: after, alpha: 0.05 / 3, minimumSpeedup: 1.03)
        #expect(small.pValue < small.alpha && (small.ci95.first ?? 0) > 1)
        #expect(!small.isSignificantGain && small.isBelowFloor)
        // The same design with a 10% gain is delivered; without a floor (old records) the 2% one would have been.
        let real = Validator.compare(
            before: before, after: before.map { $0 / 1.1 }, alpha: 0.05 / 3, minimumSpeedup: 1.03)
        #expect(real.isSignificantGain && !real.isBelowFloor)
        #expect(Validator.compare(before: before, after: after, alpha: 0.05 / 3).isSignificantGain)
        #expect(ValidationConfiguration().minimumSpeedup == 1.03)
        let decoded = try JSONDecoder().decode(ValidationResult.self, from: JSONEncoder().encode(small))
        #expect(decoded.minimumSpeedup == 1.03 && !decoded.isSignificantGain)
    }

    @Test("the result keeps the level of its look; records made before sequential looks read as 0.05")
    func recordsKeepTheirLevel() throws {
        let r = Validator.compare(
            before: [0.2, 0.21, 0.19, 0.2, 0.22, 0.2, 0.2, 0.21, 0.2, 0.19, 0.2, 0.2],
            after: [0.1, 0.1, 0.11, 0.1, 0.1, 0.09, 0.1, 0.1, 0.1, 0.1, 0.105, 0.1], alpha: 0.05 / 3)
        #expect(r.isSignificantGain && abs(r.speedup - 2) < 1e-9 && r.alpha == 0.05 / 3)
        #expect(!Validator.compare(before: r.beforeSeconds, after: r.afterSeconds, alpha: 1e-9).isSignificantGain)
        let old =
            #"{"testsPassed":true,"speedup":1.5,"ci95":[1.2,1.8],"pValue":0.03,"beforeSeconds":[1],"afterSeconds":[1]}"#
        let decoded = try JSONDecoder().decode(ValidationResult.self, from: Data(old.utf8))
        #expect(decoded.alpha == 0.05 && decoded.minimumSpeedup == 1.0 && decoded.isSignificantGain)
        let again = try JSONDecoder().decode(ValidationResult.self, from: JSONEncoder().encode(r))
        #expect(again == r)
    }
}
