import Foundation
import HeadroomCore

/// A synthetic fleet with known events: services × functions × time, each function's CPU share sampled the way a
/// profiler samples it. Per service and bucket, N samples (a daily load cycle moves N) are split multinomially
/// over the functions' shares (sequential conditional binomials), with `other` holding the unreported rest, so an
/// event in one function does not dilute the others. On top of sampling noise every share wanders by a log-normal
/// factor (over-dispersion). Events are laid onto the true share: steps sized in MDE units, transients, spikes,
/// sibling cost shifts, slow drift, and daily cycles on a fraction of series.
public struct FleetSimulator: Sendable {
    public var configuration: SimulationConfiguration

    public init(configuration: SimulationConfiguration = SimulationConfiguration()) {
        self.configuration = configuration
    }

    /// One service's series: its true plan and its sampled counts.
    public struct ServiceSample: Sendable {
        public var service: String
        public var functionNames: [String]
        /// Parent (handler) name of each function.
        public var parents: [String]
        public var truths: [SimulatedTruth]
        /// Samples per bucket.
        public var totals: [Int64]
        /// counts[f][t]: samples of function f in bucket t.
        public var counts: [[Int64]]
    }

    public func serviceName(_ s: Int) -> String { "svc" + Self.padded(s, 4) }

    /// Simulates service `s` (deterministic for a seed and index, whatever order services are made in).
    public func service(_ s: Int) -> ServiceSample {
        let c = configuration
        var rng = SplitMix64(seed: c.seed &* 0x9E37_79B9 &+ UInt64(s) &* 0xD1B5_4A32_D192_ED03)
        let name = serviceName(s)
        let names = (0..<c.functions).map { name + ":fn" + Self.padded($0, 4) }
        let parents = (0..<c.functions).map { "handler\($0 % max(c.handlers, 1))" }
        // Zipf-like base shares.
        let weights = (0..<c.functions).map { 1 / Double($0 + 1) }
        let scale = c.reportedMass / weights.reduce(0, +)
        let base = weights.map { $0 * scale }
        let phase = rng.uniform() * 2 * .pi
        let totals = (0..<c.points).map { t -> Int64 in
            let cycle = 1 + 0.3 * sin(2 * .pi * Double(t) * Double(c.interval) / 86_400 + phase)
            return max(1, Int64((Double(c.samples) * cycle).rounded()))
        }
        let meanTotal = Double(totals.reduce(0, +)) / Double(c.points)
        // The long-run σ of each function's share per point, for sizing events in MDE units.
        let sigma = base.map { p in (p * (1 - p) / meanTotal + p * p * c.dispersion * c.dispersion).squareRoot() }
        var plans = (0..<c.functions).map { _ in Plan(points: c.points) }
        var truths: [SimulatedTruth?] = Array(repeating: nil, count: c.functions)
        let kinds = SimulatedKind.allCases
        let totalWeight = kinds.map { c.weights[$0] ?? 0 }.reduce(0, +)
        for f in 0..<c.functions where truths[f] == nil {
            var pick = rng.uniform() * totalWeight
            var kind = SimulatedKind.clean
            for candidate in kinds {
                pick -= c.weights[candidate] ?? 0
                if pick < 0 {
                    kind = candidate
                    break
                }
            }
            let partner = f + c.handlers
            if kind == .shift && (partner >= c.functions || truths[partner] != nil) { kind = .clean }
            let seasonal = rng.uniform() < c.seasonalFraction
            if seasonal {
                let amplitude = (3 + 5 * rng.uniform()) * sigma[f] / 2
                let offset = rng.uniform() * 2 * .pi
                for t in 0..<c.points {
                    plans[f].add[t] += amplitude * sin(2 * .pi * Double(t) * Double(c.interval) / 86_400 + offset)
                }
            }
            var truth = SimulatedTruth(
                series: names[f], kind: kind, before: base[f], after: base[f], seasonal: seasonal)
            let margin = max(20, 4 * c.analysis.minimumSegment)
            func position() -> Int { margin + Int(rng.next() % UInt64(max(1, c.points - 2 * margin))) }
            func mde(_ k: Int, _ sd: Double) -> Double {
                SeriesAnalyzer.minimumDetectableEffect(
                    sigma: sd, before: k, after: c.points - k,
                    positions: c.points - 2 * c.analysis.minimumSegment + 1, alpha: c.analysis.alpha,
                    power: c.analysis.power)
            }
            switch kind {
            case .clean:
                break
            case .regression, .improvement:
                let k = position()
                let size = c.stepSizes[Int(rng.next() % UInt64(c.stepSizes.count))]
                let delta = size * mde(k, sigma[f]) * (kind == .regression ? 1 : -1)
                for t in k..<c.points { plans[f].add[t] += delta }
                truth.index = k
                truth.sizeMDE = size
                truth.after = base[f] + delta
            case .transient:
                let k = position()
                let width =
                    c.analysis.minimumSegment + 1
                    + Int(rng.next() % UInt64(max(1, c.analysis.transientHorizon / 2 - c.analysis.minimumSegment)))
                let end = min(c.points, k + width)
                let delta = (5 + 5 * rng.uniform()) * sigma[f]
                for t in k..<end { plans[f].add[t] += delta }
                truth.index = k
                truth.endIndex = end
                truth.after = base[f] + delta
            case .spike:
                let count = 1 + Int(rng.next() % 3)
                for _ in 0..<count {
                    let t = Int(rng.next() % UInt64(c.points))
                    let width =
                        rng.uniform() < 0.3 ? 1 + Int(rng.next() % UInt64(max(1, c.analysis.minimumSegment - 2))) : 1
                    let size = (6 + 14 * rng.uniform()) * sigma[f] * (rng.uniform() < 0.8 ? 1 : -0.5)
                    for u in t..<min(c.points, t + width) { plans[f].add[u] += size }
                }
            case .shift:
                let k = position()
                let size = c.stepSizes[Int(rng.next() % UInt64(c.stepSizes.count))]
                let delta = min(size * mde(k, max(sigma[f], sigma[partner])), 0.8 * base[partner])
                for t in k..<c.points {
                    plans[f].add[t] += delta
                    plans[partner].add[t] -= delta
                }
                truth.index = k
                truth.sizeMDE = size
                truth.after = base[f] + delta
                truth.partner = names[partner]
                truths[partner] = SimulatedTruth(
                    series: names[partner], kind: .shift, index: k, sizeMDE: size, before: base[partner],
                    after: base[partner] - delta, seasonal: false, partner: names[f])
            case .drift:
                let total = 3 * mde(c.points / 2, sigma[f]) * (rng.uniform() < 0.5 ? 1 : -1)
                for t in 0..<c.points { plans[f].add[t] += total * Double(t) / Double(c.points - 1) }
                truth.after = base[f] + total
            }
            truths[f] = truth
        }
        // Sample.
        var counts = [[Int64]](repeating: [Int64](repeating: 0, count: c.points), count: c.functions)
        for t in 0..<c.points {
            var remaining = totals[t]
            var mass = 1.0
            for f in 0..<c.functions {
                let wander = exp(c.dispersion * rng.normal() - c.dispersion * c.dispersion / 2)
                let share = min(max((base[f] + plans[f].add[t]) * wander, 0), 0.999 * mass)
                let k = rng.binomial(n: remaining, p: mass > 0 ? min(1, share / mass) : 0)
                counts[f][t] = k
                remaining -= k
                mass = max(0, mass - share)
            }
        }
        return ServiceSample(
            service: name, functionNames: names, parents: parents, truths: truths.map { $0! },
            totals: totals, counts: counts)
    }

    struct Plan {
        var add: [Double]
        init(points: Int) { add = [Double](repeating: 0, count: points) }
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
