import Foundation
import HeadroomCore

/// A seasonal pattern found in a series and taken out of it.
public struct SeasonalFit: Sendable, Equatable {
    /// Period in points (24 for a daily cycle of hourly points).
    public var period: Int
    /// p-value of the phase effect (one-way ANOVA of detrended values by phase).
    public var pValue: Double
    /// Peak-to-trough size of the removed profile, in the series' units.
    public var amplitude: Double
}

/// Daily and weekly seasonality: tested, then removed before change points are searched, so a daily peak is never a
/// "regression" and a real step is judged against same-phase noise rather than against the cycle.
///
/// Method (a robust, one-pass cousin of STL): the trend is a centred moving mean over one period (a step moves it,
/// a cycle of that period does not); the detrended values, clipped at 4 robust σ so spikes do not pose as a phase, are tested
/// for a phase effect with a one-way ANOVA F test. Only when p < `alpha` is the phase profile (per-phase median of
/// the detrended values, centred on zero) subtracted. A period is tried only with at least `minimumCycles` whole
/// cycles in the series: fewer give too few points per phase to tell a cycle from a step.
public struct SeasonalAdjuster: Sendable {
    public var alpha: Double
    public var minimumCycles: Int

    public init(alpha: Double = 0.001, minimumCycles: Int = 3) {
        self.alpha = alpha
        self.minimumCycles = minimumCycles
    }

    /// Periods (in points) worth trying for a series sampled every `interval` seconds: a day and a week, when each
    /// is a whole number of intervals of at least 4 points.
    public static func candidatePeriods(interval: Int64) -> [Int] {
        guard interval > 0 else { return [] }
        return [86_400, 604_800].compactMap { length in
            length % interval == 0 && length / interval >= 4 ? Int(length / interval) : nil
        }
    }

    /// Tests `period` on `x` (its points at grid positions `grid`, which gives each point's phase even across
    /// gaps) and removes the profile in place when significant.
    func adjust(
        _ x: UnsafeMutablePointer<Double>, _ n: Int, grid: UnsafePointer<Int>?, period: Int, workspace: SeriesWorkspace
    ) -> SeasonalFit? {
        guard period >= 4, n >= minimumCycles * period else { return nil }
        workspace.reserve(n)
        let residual = workspace.clipped
        let window = period
        guard window <= n else { return nil }
        let phases = (0..<n).map { i in (grid.map { $0[i] } ?? i) % period }
        // Trend: a centred moving mean over one whole cycle (exactly blind to a cycle of that period, O(n)).
        var sum = 0.0
        for i in 0..<window { sum += x[i] }
        let half = window / 2
        var lower = 0
        for i in 0..<n {
            let wanted = max(0, min(i - half, n - window))
            while lower < wanted {
                sum += x[lower + window] - x[lower]
                lower += 1
            }
            residual[i] = x[i] - sum / Double(window)
        }
        // A cheap screen first: the plain ANOVA of the unclipped residuals. Spikes only add within-phase variance
        // there (never hide a cycle), so a series that shows no phase effect even at 10·alpha is done without the
        // medians the robust test needs.
        guard let screen = Self.phaseEffect(residual, n, phases: phases, period: period), screen < 10 * alpha else {
            return nil
        }
        // Clip at 4 robust σ around the median residual.
        let scratch = workspace.scratch
        scratch.update(from: residual, count: n)
        let center = OrderStatistics.median(scratch, n)
        for i in 0..<n { scratch[i] = abs(residual[i] - center) }
        let spread = 4 * 1.4826 * OrderStatistics.median(scratch, n)
        guard spread > 0 else { return nil }
        var sums = [Double](repeating: 0, count: period)
        var counts = [Int](repeating: 0, count: period)
        func phase(_ i: Int) -> Int { phases[i] }
        var grand = 0.0
        for i in 0..<n {
            residual[i] = min(max(residual[i], center - spread), center + spread)
            sums[phase(i)] += residual[i]
            counts[phase(i)] += 1
            grand += residual[i]
        }
        grand /= Double(n)
        var between = 0.0
        var groups = 0
        for p in 0..<period where counts[p] > 0 {
            let mean = sums[p] / Double(counts[p])
            between += Double(counts[p]) * (mean - grand) * (mean - grand)
            groups += 1
        }
        var within = 0.0
        for i in 0..<n {
            let mean = sums[phase(i)] / Double(counts[phase(i)])
            within += (residual[i] - mean) * (residual[i] - mean)
        }
        guard groups > 1, n > groups, within > 0 else { return nil }
        let f = (between / Double(groups - 1)) / (within / Double(n - groups))
        let p = Distributions.fSF(f, numeratorDF: Double(groups - 1), denominatorDF: Double(n - groups))
        guard p < alpha else { return nil }
        // Per-phase medians of the clipped detrended values, centred.
        var profile = [Double](repeating: 0, count: period)
        // Group the residuals by phase (counting sort), then take each group's median.
        var offsets = [Int](repeating: 0, count: period + 1)
        for p in 0..<period { offsets[p + 1] = offsets[p] + counts[p] }
        var fill = offsets
        for i in 0..<n {
            scratch[fill[phases[i]]] = residual[i]
            fill[phases[i]] += 1
        }
        for target in 0..<period where counts[target] > 0 {
            profile[target] = OrderStatistics.median(scratch + offsets[target], counts[target])
        }
        let used = (0..<period).filter { counts[$0] > 0 }
        let offset = used.map { profile[$0] }.reduce(0, +) / Double(used.count)
        for i in 0..<n { x[i] -= profile[phase(i)] - offset }
        let shape = used.map { profile[$0] }
        return SeasonalFit(period: period, pValue: p, amplitude: (shape.max() ?? 0) - (shape.min() ?? 0))
    }

    /// p-value of a one-way ANOVA of `r` grouped by phase; nil when it cannot be computed.
    static func phaseEffect(_ r: UnsafeMutablePointer<Double>, _ n: Int, phases: [Int], period: Int) -> Double? {
        var sums = [Double](repeating: 0, count: period)
        var counts = [Int](repeating: 0, count: period)
        var grand = 0.0
        var squares = 0.0
        for i in 0..<n {
            sums[phases[i]] += r[i]
            counts[phases[i]] += 1
            grand += r[i]
            squares += r[i] * r[i]
        }
        var between = 0.0
        var groups = 0
        var explained = 0.0
        for p in 0..<period where counts[p] > 0 {
            explained += sums[p] * sums[p] / Double(counts[p])
            groups += 1
        }
        between = explained - grand * grand / Double(n)
        let within = squares - explained
        guard groups > 1, n > groups, within > 0 else { return nil }
        let f = (between / Double(groups - 1)) / (within / Double(n - groups))
        return Distributions.fSF(f, numeratorDF: Double(groups - 1), denominatorDF: Double(n - groups))
    }
}
