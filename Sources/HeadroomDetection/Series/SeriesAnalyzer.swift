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
    /// Seasonal periods to try, in points; nil means a day and a week, worked out from the timestamps.
    public var periods: [Int]?
    /// Significance needed before a seasonal profile is removed.
    public var seasonalAlpha: Double = 0.001
    /// Power used for the minimum detectable effect.
    public var power: Double = 0.8
    /// Whether a rise is bad (CPU share, latency) or good (throughput).
    public var higherIsWorse = true

    public init() {}
}

/// What one series did.
public struct SeriesEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case regression, improvement, transient }
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
    public func analyze(
        _ values: [Double], grid: [Int]? = nil, interval: Int64? = nil, workspace: SeriesWorkspace = SeriesWorkspace()
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
                    let fit: SeasonalFit? = if let grid {
                        grid.withUnsafeBufferPointer {
                            adjuster.adjust(x.baseAddress!, n, grid: $0.baseAddress, period: period, workspace: workspace)
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
            maximumBump: max(2 * configuration.minimumSegment, 2 * configuration.transientHorizon))
        let changes = adjusted.withUnsafeBufferPointer { segmenter.changes($0, workspace: workspace) }
        return SeriesAnalysis(events: events(from: changes), seasonality: fits)
    }

    /// Classifies change points: a run that starts with a shift and comes back within the horizon is one
    /// transient; everything else is a persistent regression or improvement.
    func events(from changes: [LevelChange]) -> [SeriesEvent] {
        var result: [SeriesEvent] = []
        var i = 0
        while i < changes.count {
            let first = changes[i]
            let step = first.after - first.before
            var back: Int?
            var j = i + 1
            while j < changes.count, changes[j].index - first.index <= configuration.transientHorizon {
                let candidate = changes[j]
                if (candidate.after - candidate.before) * step < 0, abs(candidate.after - first.before) <= 0.5 * abs(step) {
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
                result.append(sized(first))
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
