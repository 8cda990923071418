import Foundation
import HeadroomCore

/// A change in the level of a plain numeric series (no sample counts), found by `SeriesSegmenter`.
public struct LevelChange: Sendable, Equatable {
    /// Index of the first point of the new segment (in the segmenter's input).
    public var index: Int
    /// Mean (after winsorising spikes) of the segment before and after.
    public var before: Double
    public var after: Double
    /// Two-sided p-value, Bonferroni-corrected for the split positions tried.
    public var pValue: Double
    /// Noise scale used for the test.
    public var sigma: Double

    public var relativeChange: Double? { before != 0 ? (after - before) / abs(before) : nil }
}

/// Change points in the mean of a numeric series whose noise is unknown: latency, throughput, a CPU share given
/// without its sample counts.
///
/// Method: binary segmentation on the standardised difference of means,
/// `z(k) = (m₂ − m₁) / (σ √(1/k + 1/(n−k)))`, over splits that leave `minimumSegment` points on each side, with the
/// best split's two-sided normal p-value multiplied by the number of splits tried (Bonferroni) and compared with
/// `alpha`; accepted splits are searched again on each side.
///
/// Noise is estimated robustly, so one default works across series without tuning:
/// - σ comes from median absolute deviations: of first differences (`1.4826·MAD(Δx)/√2`, blind to level shifts)
///   and of residuals around a running median. When the residuals are wider than the differences the noise is
///   autocorrelated; the implied lag-one correlation ρ inflates σ to the long-run scale `σ·√((1+ρ)/(1−ρ))`, so slow
///   wander does not become a string of change points. Each split also uses the residual scale around its own
///   two-segment fit when that is larger.
/// - Before means are taken, points further than 4σ from their side's median are clipped to that bound, so a
///   single spike moves a mean by at most 4σ/k and cannot alone make a change point. With `minimumSegment` 5 a
///   short burst is also too short to be a segment of its own.
/// - A constant series has σ = 0 and no change points; a noiseless step is reported with p = 0.
///
/// Finally each change point is re-tested between its neighbours' segments and dropped when it no longer holds
/// (binary segmentation can leave splits that only mattered before a later split).
public struct SeriesSegmenter: Sendable {
    public var alpha: Double
    public var minimumSegment: Int

    public init(alpha: Double = 0.001, minimumSegment: Int = 5) {
        self.alpha = alpha
        self.minimumSegment = max(2, minimumSegment)
    }

    public func changes(_ values: [Double]) -> [LevelChange] {
        guard values.count >= 2 * minimumSegment else { return [] }
        let diffSigma = Self.noiseScale(values, window: 4 * minimumSegment + 1)
        var cuts: [Int] = []
        var pending = [(0, values.count)]
        while let (start, end) = pending.popLast() {
            guard let best = bestSplit(values, start, end, diffSigma: diffSigma), best.pValue < alpha else { continue }
            cuts.append(best.index)
            pending.append((start, best.index))
            pending.append((best.index, end))
        }
        cuts.sort()
        // Prune: re-test each cut between its neighbours until every remaining cut holds.
        var changed = true
        while changed {
            changed = false
            let bounds = [0] + cuts + [values.count]
            var weakest: (position: Int, p: Double)?
            for i in 1..<bounds.count - 1 {
                let test = split(values, bounds[i - 1], bounds[i + 1], at: bounds[i], diffSigma: diffSigma, positions: 1)
                if test.pValue >= alpha, test.pValue > (weakest?.p ?? -1) { weakest = (i - 1, test.pValue) }
            }
            if let weakest {
                cuts.remove(at: weakest.position)
                changed = true
            }
        }
        let bounds = [0] + cuts + [values.count]
        return (1..<bounds.count - 1).map { i in
            split(values, bounds[i - 1], bounds[i + 1], at: bounds[i], diffSigma: diffSigma, positions: 1)
        }
    }

    /// The best split of `values[start..<end]`, its p-value corrected for the positions tried.
    private func bestSplit(_ values: [Double], _ start: Int, _ end: Int, diffSigma: Double) -> LevelChange? {
        let n = end - start
        guard n >= 2 * minimumSegment else { return nil }
        let clipped = Self.winsorised(Array(values[start..<end]), sigma: max(diffSigma, Self.tiny(values)))
        var prefix = [0.0]
        prefix.reserveCapacity(n + 1)
        for value in clipped { prefix.append(prefix.last! + value) }
        var bestK = -1
        var bestScore = -1.0
        for k in minimumSegment...(n - minimumSegment) {
            let m1 = prefix[k] / Double(k)
            let m2 = (prefix[n] - prefix[k]) / Double(n - k)
            let score = abs(m2 - m1) / (1 / Double(k) + 1 / Double(n - k)).squareRoot()
            if score > bestScore {
                bestScore = score
                bestK = k
            }
        }
        guard bestK > 0 else { return nil }
        return split(values, start, end, at: start + bestK, diffSigma: diffSigma,
                     positions: n - 2 * minimumSegment + 1)
    }

    /// The test of one split of `values[start..<end]` at `index`.
    private func split(_ values: [Double], _ start: Int, _ end: Int, at index: Int, diffSigma: Double, positions: Int)
        -> LevelChange
    {
        let left = Array(values[start..<index])
        let right = Array(values[index..<end])
        let leftMedian = Descriptive.median(left)
        let rightMedian = Descriptive.median(right)
        let residuals = left.map { $0 - leftMedian } + right.map { $0 - rightMedian }
        let residualSigma = 1.4826 * Descriptive.median(residuals.map(abs))
        let sigma = max(diffSigma, residualSigma)
        let bound = 4 * max(sigma, Self.tiny(values))
        let m1 = Descriptive.mean(left.map { min(max($0, leftMedian - bound), leftMedian + bound) })
        let m2 = Descriptive.mean(right.map { min(max($0, rightMedian - bound), rightMedian + bound) })
        let se = sigma * (1 / Double(left.count) + 1 / Double(right.count)).squareRoot()
        let p: Double
        if se > 0 {
            p = min(1, Double(positions) * Distributions.twoSidedNormalP((m2 - m1) / se))
        } else {
            p = abs(m2 - m1) > Self.tiny(values) ? 0 : 1
        }
        return LevelChange(index: index, before: m1, after: m2, pValue: p, sigma: sigma)
    }

    /// The series' long-run noise scale. First differences give σ_Δ (blind to level shifts); residuals around a
    /// running median give the local σ (the median follows steps, not noise). Autocorrelated noise makes neighbours
    /// share their error, so a mean over k points varies more than σ²/k: with lag-one correlation ρ by the factor
    /// (1+ρ)/(1−ρ), and since differences have variance 2σ²(1−ρ), ρ = 1 − σ_Δ²/σ².
    static func noiseScale(_ values: [Double], window: Int) -> Double {
        let diff = differenceSigma(values)
        guard values.count > window else { return diff }
        let half = window / 2
        var residuals: [Double] = []
        residuals.reserveCapacity(values.count)
        for i in 0..<values.count {
            let lower = max(0, min(i - half, values.count - window))
            residuals.append(abs(values[i] - Descriptive.median(Array(values[lower..<lower + window]))))
        }
        let local = 1.4826 * Descriptive.median(residuals)
        guard local > diff, local > 0 else { return diff }
        let rho = min(0.9, max(0, 1 - (diff * diff) / (local * local)))
        return local * ((1 + rho) / (1 - rho)).squareRoot()
    }

    /// σ from first differences: a level shift is one large difference among many, so the median ignores it.
    static func differenceSigma(_ values: [Double]) -> Double {
        guard values.count > 2 else { return 0 }
        let differences = zip(values.dropFirst(), values).map { abs($0 - $1) }
        return 1.4826 * Descriptive.median(differences) / 2.0.squareRoot()
    }

    /// Clips each point to within 4σ of the whole slice's median (the search's own spike guard).
    static func winsorised(_ values: [Double], sigma: Double) -> [Double] {
        let median = Descriptive.median(values)
        let bound = 4 * sigma
        return values.map { min(max($0, median - bound), median + bound) }
    }

    /// A scale below which differences are rounding, relative to the data's magnitude.
    static func tiny(_ values: [Double]) -> Double {
        1e-12 * max(1, values.map(abs).max() ?? 1)
    }
}
