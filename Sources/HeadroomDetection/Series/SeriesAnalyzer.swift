import Foundation
import HeadroomCore

/// Settings for analysing plain numeric series (`changepoints`, `detect --series`); the defaults are meant to work
/// across domains without per-series tuning.
public struct SeriesAnalysisConfiguration: Sendable, Equatable {
    /// Family-wise false-alarm rate per split, after Bonferroni over the positions tried.
    public var alpha: Double = 0.001
    /// Fewest points in a segment: shorter bursts are never a change.
    public var minimumSegment: Int = 5
    /// A shift that returns to (within half of) its old level within this many points is a transient.
    public var transientHorizon: Int = 24
    /// Level of the trend guard: a change point stays only when its step is significant at this level against a
    /// local trend fitted around it (`SeriesSegmenter+Trend.swift`); nil turns the guard off.
    public var trendAlpha: Double? = 0.01
    /// Seasonal periods to try, in points; nil means a day and a week, worked out from the timestamps.
    public var periods: [Int]?
    /// Significance needed before a seasonal profile is removed.
    public var seasonalAlpha: Double = 0.001
    /// Power used for the minimum detectable effect.
    public var power: Double = 0.8
    /// Whether a rise is bad (CPU share, latency) or good (throughput).
    public var higherIsWorse = true
    /// The practical-size floor: a change is reported only when it is at least `minimumEffect` MDEs of its own
    /// series, at least `minimumRelativeChange` of the level before (when that level is not 0), and at least
    /// `minimumAbsoluteChange` in the series' units. Statistics alone flag real but irrelevant steps: on CI
    /// benchmark series a runner or toolchain change moves the level by 0.5–1.5% at 0.8–1.4 MDE, while regressions
    /// worth a person's time are ≥ 8%; on the simulated fleet a step of 1.5–2 MDE is ≥ 2.3% of its level (see
    /// README, "Detection on real-like series", for the figures). Hence 1 MDE and 2%.
    public var minimumEffect: Double = 1.0
    public var minimumRelativeChange: Double = 0.02
    public var minimumAbsoluteChange: Double = 0

    public init() {}
}

/// What one series did.
public struct SeriesEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case regression, improvement, transient
        /// The mean moved but the level did not: a growing share of slow (or fast) runs, not a step.
        case varianceChange = "variance-change"
    }
    public var kind: Kind
    /// First point of the new segment (index into the analysed points).
    public var index: Int
    /// Transients: the first point back at the old level.
    public var endIndex: Int?
    public var before: Double
    public var after: Double
    public var pValue: Double
    /// Long-run noise scale per point used by the test.
    public var sigma: Double
    /// Minimum detectable effect for a change at this position (same units as the series).
    public var mde: Double
    /// |after − before| / mde.
    public var effect: Double

    public var absoluteChange: Double { after - before }
    public var relativeChange: Double? { before != 0 ? (after - before) / abs(before) : nil }
}

/// The result of analysing one series.
public struct SeriesAnalysis: Sendable, Equatable {
    public var events: [SeriesEvent]
    public var seasonality: [SeasonalFit]
    /// Significant changes left out for being below the practical-size floor.
    public var belowFloor = 0
}

/// One series from points to events: seasonality out, change points in, transients told apart from persistent
/// shifts, and each shift sized against its minimum detectable effect.
///
/// MDE: for a split into k and m points, the smallest step found with probability `power` at the corrected level
/// α/positions is `σ √(1/k + 1/m) (z₁₋α/(2·positions) + z_power)`, σ the long-run noise scale; `effect` is the step in
/// those units (1 means "just detectable", and ranking by it puts the clearest events first).
public struct SeriesAnalyzer: Sendable {
    public var configuration: SeriesAnalysisConfiguration

    public init(configuration: SeriesAnalysisConfiguration = SeriesAnalysisConfiguration()) {
        self.configuration = configuration
    }

    /// Analyses `values`; `grid` gives each point's position on the regular time grid (for seasonal phase across
    /// gaps) and `interval` the grid step in seconds (for the default daily/weekly periods).
    /// `noiseFloor` is the least noise a point has when something besides the series says so (the spread of a
    /// build's repeats).
    public func analyze(
        _ values: [Double], grid: [Int]? = nil, interval: Int64? = nil, noiseFloor: Double = 0,
        workspace: SeriesWorkspace = SeriesWorkspace()
    ) -> SeriesAnalysis {
        var adjusted = values
        let n = values.count
        workspace.reserve(n)
        var fits: [SeasonalFit] = []
        let periods = configuration.periods ?? interval.map(SeasonalAdjuster.candidatePeriods(interval:)) ?? []
        if !periods.isEmpty {
            let adjuster = SeasonalAdjuster(alpha: configuration.seasonalAlpha)
            adjusted.withUnsafeMutableBufferPointer { x in
                for period in periods {
                    let fit: SeasonalFit? =
                        if let grid {
                            grid.withUnsafeBufferPointer {
                                adjuster.adjust(
                                    x.baseAddress!, n, grid: $0.baseAddress, period: period, workspace: workspace)
                            }
                        } else {
                            adjuster.adjust(x.baseAddress!, n, grid: nil, period: period, workspace: workspace)
                        }
                    if let fit { fits.append(fit) }
                }
            }
        }
        let segmenter = SeriesSegmenter(
            alpha: configuration.alpha, minimumSegment: configuration.minimumSegment,
            maximumBump: max(2 * configuration.minimumSegment, 2 * configuration.transientHorizon),
            noiseFloor: noiseFloor, trendAlpha: configuration.trendAlpha)
        let changes = adjusted.withUnsafeBufferPointer { segmenter.changes($0, workspace: workspace) }
        let all = adjusted.withUnsafeBufferPointer { events(from: changes, values: $0) }
        let kept = all.filter(isAboveFloor)
        return SeriesAnalysis(events: kept, seasonality: fits, belowFloor: all.count - kept.count)
    }

    /// Whether an event is large enough to matter (see `SeriesAnalysisConfiguration.minimumEffect`).
    public func isAboveFloor(_ event: SeriesEvent) -> Bool {
        let c = configuration
        guard event.effect >= c.minimumEffect, abs(event.absoluteChange) >= c.minimumAbsoluteChange else {
            return false
        }
        guard let relative = event.relativeChange else { return true }
        return abs(relative) >= c.minimumRelativeChange
    }

    /// Classifies change points: a run that starts with a shift and comes back within the horizon is one
    /// transient; everything else is a persistent regression or improvement.
    func events(from changes: [LevelChange], values: UnsafeBufferPointer<Double>? = nil) -> [SeriesEvent] {
        var result: [SeriesEvent] = []
        var i = 0
        while i < changes.count {
            let first = changes[i]
            let step = first.after - first.before
            var back: Int?
            var j = i + 1
            while j < changes.count, changes[j].index - first.index <= configuration.transientHorizon {
                let candidate = changes[j]
                if (candidate.after - candidate.before) * step < 0,
                    abs(candidate.after - first.before) <= 0.5 * abs(step)
                {
                    back = j
                    break
                }
                j += 1
            }
            if let back {
                var event = sized(first)
                event.kind = .transient
                event.endIndex = changes[back].index
                result.append(event)
                i = back + 1
            } else {
                var event = sized(first)
                if let values, Self.isSpreadOnly(first, values) { event.kind = .varianceChange }
                result.append(event)
                i += 1
            }
        }
        return result
    }

    private func sized(_ change: LevelChange) -> SeriesEvent {
        let positions = max(1, change.pointsBefore + change.pointsAfter - 2 * configuration.minimumSegment + 1)
        let mde = Self.minimumDetectableEffect(
            sigma: change.sigma, before: change.pointsBefore, after: change.pointsAfter, positions: positions,
            alpha: configuration.alpha, power: configuration.power)
        let delta = change.after - change.before
        let worse = configuration.higherIsWorse ? delta > 0 : delta < 0
        return SeriesEvent(
            kind: worse ? .regression : .improvement, index: change.index, endIndex: nil, before: change.before,
            after: change.after, pValue: change.pValue, sigma: change.sigma, mde: mde,
            effect: mde > 0 ? abs(delta) / mde : .infinity)
    }

    /// Whether a change moved only one tail: a real step shifts every quantile, while a growing share of slow runs
    /// lifts the mean and the upper quantiles but leaves the lower quartile where it was (and fast runs the
    /// reverse). A rise counts as a level change only when the lower quartile rose by at least half of it; a fall
    /// only when the upper quartile fell by half of it.
    static func isSpreadOnly(_ change: LevelChange, _ values: UnsafeBufferPointer<Double>) -> Bool {
        let delta = change.after - change.before
        guard delta != 0, change.pointsBefore >= 4, change.pointsAfter >= 4,
            change.index - change.pointsBefore >= 0, change.index + change.pointsAfter <= values.count
        else { return false }
        let q = delta > 0 ? 0.25 : 0.75
        let before = quantile(values[(change.index - change.pointsBefore)..<change.index], q)
        let after = quantile(values[change.index..<(change.index + change.pointsAfter)], q)
        return (after - before) / delta < 0.5
    }

    /// The q-quantile by linear interpolation (type 7).
    static func quantile(_ slice: Slice<UnsafeBufferPointer<Double>>, _ q: Double) -> Double {
        let sorted = slice.sorted()
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    /// `σ √(1/k + 1/m) (z₁₋α/(2·positions) + z_power)`.
    public static func minimumDetectableEffect(
        sigma: Double, before k: Int, after m: Int, positions: Int, alpha: Double, power: Double
    ) -> Double {
        guard k > 0, m > 0 else { return .infinity }
        let zAlpha = Distributions.normalQuantile(1 - alpha / (2 * Double(max(positions, 1))))
        let zPower = Distributions.normalQuantile(power)
        return sigma * (1 / Double(k) + 1 / Double(m)).squareRoot() * (zAlpha + zPower)
    }
}
