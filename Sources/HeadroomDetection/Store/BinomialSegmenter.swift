import Foundation
import HeadroomCore

/// A change in one count series, found by `BinomialSegmenter`.
public struct CountChange: Sendable, Equatable {
    /// Index of the first bucket of the new segment.
    public var index: Int
    /// Pooled share of the segment before and after.
    public var before: Double
    public var after: Double
    /// p-value of the split, corrected for the positions tried and for over-dispersion.
    public var pValue: Double
    /// Samples behind each side, for later re-tests.
    public var samplesBefore: Int64
    public var samplesAfter: Int64
    /// Over-dispersion factor φ ≥ 1 used for this split.
    public var dispersion: Double

    public init(
        index: Int, before: Double, after: Double, pValue: Double, samplesBefore: Int64, samplesAfter: Int64,
        dispersion: Double
    ) {
        self.index = index
        self.before = before
        self.after = after
        self.pValue = pValue
        self.samplesBefore = samplesBefore
        self.samplesAfter = samplesAfter
        self.dispersion = dispersion
    }
}

/// Change points of a share series whose points are binomial counts `k_i` out of `n_i` samples.
///
/// Method: binary segmentation (Scott & Knott 1974; Vostrikova 1981). For a segment, every split with at least
/// `minimumSegment` points on each side is scored by the binomial log-likelihood ratio
/// `Λ = 2 [ℓ(left) + ℓ(right) − ℓ(whole)]`, `ℓ = K log p̂ + (N−K) log(1−p̂)`. Real profiles vary between buckets more than
/// binomial sampling alone allows (load mix, GC, co-tenants), so `Λ` is divided by the Pearson over-dispersion
/// estimate `φ = χ²/(m−2)` of the two-segment fit (quasi-likelihood, McCullagh & Nelder 1989 §4.5). When φ > 1 it
/// is itself an estimate with m−2 degrees of freedom, so `Λ/φ` is referred to F(1, m−2) (the quasi-likelihood F
/// test); when the series is no noisier than binomial, φ = 1 and `Λ` is referred to χ²₁. The p-value is
/// Bonferroni-corrected over the positions tried; a split is kept when the corrected p is under `alpha`, then both
/// halves are searched again.
public struct BinomialSegmenter: Sendable {
    public var configuration: DetectionConfiguration

    public init(configuration: DetectionConfiguration = DetectionConfiguration()) {
        self.configuration = configuration
    }

    /// All significant change points, in index order.
    /// - Parameters:
    ///   - counts: samples of the function per bucket.
    ///   - totals: all samples per bucket; zero-total buckets are skipped by the caller.
    /// - Complexity: O(m log m) splits evaluated in O(1) each via prefix sums, for m buckets.
    public func changes(counts: [Int64], totals: [Int64]) -> [CountChange] {
        precondition(counts.count == totals.count)
        var prefixK = [Double](repeating: 0, count: counts.count + 1)
        var prefixN = prefixK
        for i in counts.indices {
            prefixK[i + 1] = prefixK[i] + Double(counts[i])
            prefixN[i + 1] = prefixN[i] + Double(totals[i])
        }
        var found: [CountChange] = []
        search(0, counts.count, counts, totals, prefixK, prefixN, &found)
        return found.sorted { $0.index < $1.index }
    }

    private func search(
        _ a: Int, _ b: Int, _ k: [Int64], _ n: [Int64], _ pk: [Double], _ pn: [Double], _ found: inout [CountChange]
    ) {
        let m = configuration.minimumSegment
        guard b - a >= 2 * m else { return }
        let whole = logLikelihood(pk[b] - pk[a], pn[b] - pn[a])
        var best = (index: -1, lr: 0.0)
        for t in (a + m)...(b - m) {
            let lr =
                2 * (logLikelihood(pk[t] - pk[a], pn[t] - pn[a]) + logLikelihood(pk[b] - pk[t], pn[b] - pn[t]) - whole)
            if lr > best.lr { best = (t, lr) }
        }
        guard best.index >= 0 else { return }
        let t = best.index
        let left = (pk[t] - pk[a]) / max(pn[t] - pn[a], 1)
        let right = (pk[b] - pk[t]) / max(pn[b] - pn[t], 1)
        let phi = dispersion(a, t, b, left, right, k, n)
        let positions = Double(b - a - 2 * m + 1)
        let pointP =
            phi > 1
            ? Distributions.f1SF(best.lr / phi, denominatorDF: Double(b - a - 2))
            : Distributions.chiSquared1SF(best.lr)
        let p = min(1, pointP * positions)
        guard p < configuration.alpha else { return }
        found.append(
            CountChange(
                index: t, before: left, after: right, pValue: p,
                samplesBefore: Int64(pn[t] - pn[a]), samplesAfter: Int64(pn[b] - pn[t]),
                dispersion: phi))
        search(a, t, k, n, pk, pn, &found)
        search(t, b, k, n, pk, pn, &found)
    }

    private func logLikelihood(_ k: Double, _ n: Double) -> Double {
        guard n > 0, k > 0, k < n else { return 0 }
        let p = k / n
        return k * log(p) + (n - k) * log(1 - p)
    }

    /// Pearson χ² of the two-segment fit over its degrees of freedom, floored at 1.
    private func dispersion(_ a: Int, _ t: Int, _ b: Int, _ left: Double, _ right: Double, _ k: [Int64], _ n: [Int64])
        -> Double
    {
        guard b - a > 2 else { return 1 }
        var chi2 = 0.0
        for i in a..<b where n[i] > 0 {
            let p = i < t ? left : right
            let expected = Double(n[i]) * p
            let variance = expected * (1 - p)
            if variance > 0 { chi2 += pow(Double(k[i]) - expected, 2) / variance }
        }
        return max(1, chi2 / Double(b - a - 2))
    }
}
