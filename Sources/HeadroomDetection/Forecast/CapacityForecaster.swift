import Foundation
import HeadroomCore

/// A forecast of a series: the expected path and prediction intervals per step ahead.
public struct CapacityForecast: Sendable, Equatable {
    /// Expected value h steps ahead, h = 1…horizon.
    public var mean: [Double]
    /// 80% and 95% prediction intervals, per step.
    public var lower80: [Double]
    public var upper80: [Double]
    public var lower95: [Double]
    public var upper95: [Double]
    /// The model chosen: smoothing of level (α), trend (β), season (γ), trend damping (φ; 0 means no trend).
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    public var phi: Double
    /// The seasonal period used (0: none).
    public var period: Int
}

/// Capacity forecasts: additive Holt–Winters with a damped trend, fitted by grid search.
///
/// Why this model: cores per service move by trend (growth), by a weekly (or daily) cycle and by level shifts (a
/// regression, a fix, a migration). A damped trend extrapolates growth without letting it run away over a 90-day
/// horizon (Gardner & McKenzie; the damped trend is the standard robust default in the M-competitions) and the
/// additive season carries the cycle. Positive series are modelled on a log scale, where a 20% weekend dip and 0.3% a
/// day of growth are additive. Parameters are chosen by squared errors 1 to 14 steps ahead from every point of the
/// history, clipped at 4 robust σ so a spike does not pick the model. `Benchmarks/plan/run.py` backtests it against
/// the seasonal naive forecast.
///
/// Before the fit, two things a smoothing model handles badly are taken out of the history: isolated spikes (one
/// day at ×2 would move the level and that weekday's season for weeks; `despiked`) and level shifts (a step read as
/// trend is extrapolated, and a small level smoothing keeps half the old level for weeks; `levelAdjusted` moves the
/// history before each shift to today's level).
///
/// Intervals come from the model itself: 500 future paths with one-step errors resampled from the fit on the
/// history as it was (bootstrap, spikes included), pushed through the same equations, plus level shifts at the rate
/// and of the sizes the history showed; their quantiles, made never to narrow with the horizon. So they widen as the
/// level, trend and season would wander, and carry the series' own error shape (heavy tails included).
public struct CapacityForecaster: Sendable {
    /// Season length in points (7 for days in a week, 24 for hours in a day, 12 for months); 0 for none. A season
    /// needs two whole cycles of history to be used.
    public var period: Int
    /// Bootstrap paths for the intervals.
    public var paths: Int
    /// Seed of the bootstrap (forecasts are reproducible).
    public var seed: UInt64

    public init(period: Int = 0, paths: Int = 500, seed: UInt64 = 2026) {
        self.period = max(0, period)
        self.paths = max(50, paths)
        self.seed = seed
    }

    struct Parameters: Equatable {
        var alpha: Double
        var beta: Double
        var gamma: Double
        var phi: Double
    }

    struct State {
        var level: Double
        var trend: Double
        var season: [Double]  // ring of `period` values; index t % period
    }

    /// Forecasts `horizon` steps after `values` (finite values, oldest first). Nil with fewer than 4 points.
    public func forecast(_ values: [Double], horizon: Int) -> CapacityForecast? {
        let finite = values.filter(\.isFinite)
        // Cores grow and cycle by proportions (a 20% weekend dip, 0.3% a day): on a log scale those are the
        // additive level, trend and season the model has. Used whenever every value is positive.
        let logScale = Self.useLog && !finite.isEmpty && finite.allSatisfy { $0 > 0 }
        guard var result = forecastLinear(logScale ? finite.map(Foundation.log) : finite, horizon: horizon) else {
            return nil
        }
        if logScale {
            result.mean = result.mean.map(Foundation.exp)
            result.lower80 = result.lower80.map(Foundation.exp)
            result.upper80 = result.upper80.map(Foundation.exp)
            result.lower95 = result.lower95.map(Foundation.exp)
            result.upper95 = result.upper95.map(Foundation.exp)
        }
        return result
    }

    /// The grid: trend smoothing (small values keep a steady growth rate), trend damping (0: no trend; 1: a
    /// straight line on the log scale, i.e. steady percentage growth).
    static let betas: [Double] = [0.002, 0.01, 0.05]
    static let phis: [Double] = [0.0, 0.8, 0.9, 0.98, 1.0]
    /// Steps ahead the fit scores from each point of the history (errors at h weighted 1/h): a plan looks weeks
    /// out, and parameters chosen on one-step errors alone chase the noise.
    static let multiStep = 14
    static let useLog = true

    func forecastLinear(_ raw: [Double], horizon: Int) -> CapacityForecast? {
        guard raw.count >= 4, horizon >= 1 else { return nil }
        let m = period >= 2 && raw.count >= 2 * period ? period : 0
        // The model is fitted to the series with its isolated spikes replaced; the intervals keep the raw errors.
        let smooth = Self.despiked(raw, m)
        let (y, shifts) = Self.levelAdjusted(smooth, m)
        var best: (Parameters, Double)?
        let scale = Self.robustScale(y)
        for alpha in [0.05, 0.1, 0.2, 0.3, 0.5, 0.8] {
            for phi in Self.phis {
                for beta in phi == 0 ? [0.0] : Self.betas {
                    for gamma in m == 0 ? [0.0] : [0.01, 0.05, 0.1, 0.2, 0.3] {
                        let p = Parameters(alpha: alpha, beta: beta, gamma: gamma, phi: phi)
                        let loss = Self.run(y, m, p, clip: 4 * scale).loss
                        if loss < (best?.1 ?? .infinity) { best = (p, loss) }
                    }
                }
            }
        }
        guard let (p, _) = best else { return nil }
        var fit = Self.run(y, m, p, clip: .infinity)
        // Intervals from the errors against the series with its spikes (they recur) but not its shifts (the paths
        // add those at their own rate).
        let spiky = raw.indices.map { raw[$0] + y[$0] - smooth[$0] }
        // Errors from before the smoothing has forgotten its starting state (about 1/α points, m/γ for the season)
        // are the start's, not the model's: left out while enough remain.
        let settled = Self.run(spiky, m, p, clip: .infinity).errors
        let memory = max(1 / p.alpha, m > 0 && p.gamma > 0 ? Double(m) / p.gamma : 0)
        fit.errors = Array(settled.dropFirst(min(Int(memory), settled.count / 2)))
        var mean = [Double](repeating: 0, count: horizon)
        var state = fit.state
        var t = y.count
        for h in 0..<horizon {
            mean[h] = Self.predict(state, t, m, p)
            state = Self.step(state, t, m, p, observed: mean[h])
            t += 1
        }
        // Bootstrap paths with resampled one-step errors.
        // Errors centred on zero: the model's own forecast is the paths' centre, so the intervals are around it even
        // when a short or shifted history leaves the fit's errors leaning one way.
        let bias = fit.errors.isEmpty ? 0 : fit.errors.reduce(0, +) / Double(fit.errors.count)
        let errors = fit.errors.isEmpty ? [0] : fit.errors.map { $0 - bias }
        // The level shifts taken out of the history happen in the future too: each path meets one on a step with
        // the history's rate of them, its size one of theirs, up or down.
        let shiftRate = Double(shifts.count) / Double(y.count)
        var rng = SplitMix64(seed: seed)
        var samples = [[Double]](repeating: [], count: horizon)
        for _ in 0..<paths {
            var s = fit.state
            var time = y.count
            for h in 0..<horizon {
                if !shifts.isEmpty, Double(rng.next() >> 11) / Double(1 << 53) < shiftRate {
                    let size = abs(shifts[Int(rng.next() % UInt64(shifts.count))])
                    s.level += rng.next() & 1 == 0 ? size : -size
                }
                let e = errors[Int(rng.next() % UInt64(errors.count))]
                let value = Self.predict(s, time, m, p) + e
                samples[h].append(value)
                s = Self.step(s, time, m, p, observed: value)
                time += 1
            }
        }
        func quantile(_ h: Int, _ q: Double) -> Double {
            let sorted = samples[h].sorted()
            let position = q * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        // A forecast is never more certain further out: each bound's distance from the forecast is the largest
        // seen at or before its step (the paths' sampling noise can otherwise make day 28 look surer than day 1).
        func bound(_ q: Double) -> [Double] {
            var widest = 0.0
            return (0..<horizon).map { h in
                widest = max(widest, abs(quantile(h, q) - mean[h]))
                return mean[h] + (q < 0.5 ? -widest : widest)
            }
        }
        return CapacityForecast(
            mean: mean, lower80: bound(0.1), upper80: bound(0.9), lower95: bound(0.025), upper95: bound(0.975),
            alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi, period: m)
    }

    /// Runs the model over `y`: the final state, the one-step errors after the first season (or 2 points), and their
    /// clipped squared sum.
    static func run(_ y: [Double], _ m: Int, _ p: Parameters, clip: Double) -> (
        state: State, errors: [Double], loss: Double
    ) {
        var state = initial(y, m)
        var errors: [Double] = []
        errors.reserveCapacity(y.count)
        var loss = 0.0
        let warmup = max(m, 2)
        let ahead = multiStep
        for t in 0..<y.count {
            let predicted = predict(state, t, m, p)
            let error = y[t] - predicted
            if t >= warmup {
                errors.append(error)
                let clipped = min(abs(error), clip)
                loss += clipped * clipped
                if ahead > 1, clip.isFinite {
                    // Also the errors 2…ahead steps out from this origin: a plan looks far, not one step.
                    var s = state
                    var time = t
                    var forecast = predicted
                    for h in 1..<ahead where t + h < y.count {
                        s = step(s, time, m, p, observed: forecast)
                        time += 1
                        forecast = predict(s, time, m, p)
                        let e = min(abs(y[t + h] - forecast), clip * Double(h + 1).squareRoot())
                        loss += e * e / Double(h + 1)
                    }
                }
            }
            state = step(state, t, m, p, observed: y[t])
        }
        return (state, errors, loss)
    }

    /// How far a point must lie from its neighbourhood's level and season, in robust noise scales, to be a spike.
    static let spikeBound = 3.0

    /// The series with its isolated spikes replaced by what the neighbourhood says the point should be: the running
    /// median of the points around it (two seasons wide, or 7 points) plus its season slot's median deviation from
    /// that median. A point is a spike when its remainder exceeds `spikeBound` robust σ of all remainders and
    /// neither neighbour's does in the same direction: a level shift moves several points in a row and is kept, so
    /// the model still follows it. Holt–Winters takes every point into its level and season; one spike of ×2 on a
    /// quiet series would otherwise move them for weeks (Gelper, Fried & Croux 2010 on robust smoothing; R's
    /// `tsclean` does the same replacement).
    static func despiked(_ y: [Double], _ m: Int) -> [Double] {
        let n = y.count
        guard n >= 7 else { return y }
        var reference = runningMedian(y, half: max(m, 3))
        if m >= 2 {
            let season = seasonalDeviations(y, m)
            for t in 0..<n { reference[t] += season[t % m] }
        }
        let remainder = (0..<n).map { y[$0] - reference[$0] }
        let sorted = remainder.map(abs).sorted()
        let sigma = 1.4826 * sorted[n / 2]
        guard sigma > 0 else { return y }
        let bound = spikeBound * sigma
        func beyond(_ t: Int, _ sign: Bool) -> Bool {
            t >= 0 && t < n && abs(remainder[t]) > bound && (remainder[t] > 0) == sign
        }
        var cleaned = y
        for t in 0..<n where abs(remainder[t]) > bound {
            let up = remainder[t] > 0
            if !beyond(t - 1, up) && !beyond(t + 1, up) { cleaned[t] = reference[t] }
        }
        return cleaned
    }

    /// How many robust standard errors apart the levels either side of a point must be to call it a level shift.
    static let shiftBound = 5.0

    /// The series with its level shifts taken out: the history before each shift moved by the shift's size, so the
    /// model sees one continuous level at today's height. A shift (a regression, a fix, a migration) is a step, not
    /// growth, yet a smoothing model fitted across it reads part of the step as trend and extrapolates it, or keeps
    /// half the old level for weeks. Found on the seasonally adjusted series with its steady growth removed (the
    /// median of season-on-season changes, which a few steps do not move): the point where the medians of the
    /// two seasons before and after (at least 3 points after, so a shift days before the end is caught) differ by
    /// more than `shiftBound` standard errors of that difference; the largest first, up to three.
    static func levelAdjusted(_ y: [Double], _ m: Int) -> (values: [Double], shifts: [Double]) {
        let n = y.count
        let lag = max(m, 1)
        let window = max(2 * m, 7)
        guard n >= 2 * window else { return (y, []) }
        let season = seasonalDeviations(y, m)
        let seasonal = (0..<n).map { m >= 2 ? season[$0 % m] : 0 }
        let slopes = (lag..<n).map { (y[$0] - y[$0 - lag]) / Double(lag) }.sorted()
        let slope = slopes[slopes.count / 2]
        var adjusted = y
        var shifts: [Double] = []
        for _ in 0..<3 {
            let flat = (0..<n).map { adjusted[$0] - seasonal[$0] - slope * Double($0) }
            let differences = zip(flat.dropFirst(), flat).map { abs($0 - $1) }.sorted()
            let sigma = 1.4826 * differences[differences.count / 2] / 2.0.squareRoot()
            guard sigma > 0 else { break }
            var best: (at: Int, shift: Double, z: Double)?
            for t in window..<(n - 2) {
                let before = flat[(t - window)..<t].sorted()
                let after = flat[t..<min(n, t + window)].sorted()
                let shift = Self.median(after) - Self.median(before)
                // The median of k normal points has a standard error of about 1.25 σ / √k.
                let error = 1.2533 * sigma * (1 / Double(before.count) + 1 / Double(after.count)).squareRoot()
                let z = abs(shift) / error
                if z > shiftBound, z > (best?.z ?? 0) { best = (t, shift, z) }
            }
            guard let found = best else { break }
            // The windows' medians peak where both windows are full, not where the step is: the step is where one
            // split of the two windows' span separates the means best (the binary-segmentation statistic).
            let low = found.at - window
            let high = min(n, found.at + window)
            var prefix = [0.0]
            for t in low..<high { prefix.append(prefix.last! + flat[t]) }
            var at = found.at
            var strongest = -1.0
            for split in (low + 3)..<(high - 1) {
                let left = Double(split - low)
                let right = Double(high - split)
                let difference = (prefix[high - low] - prefix[split - low]) / right - prefix[split - low] / left
                let score = abs(difference) * (left * right / (left + right)).squareRoot()
                if score > strongest { (strongest, at) = (score, split) }
            }
            let before = flat[max(0, at - window)..<at].sorted()
            let after = flat[at..<high].sorted()
            let shift = Self.median(after) - Self.median(before)
            for t in 0..<at { adjusted[t] += shift }
            shifts.append(shift)
        }
        return (adjusted, shifts)
    }

    /// The median of sorted values: the mean of the middle two of an even count (the upper one alone would lean
    /// every short window's level up).
    static func median(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Each season slot's median deviation from the running median (two seasons wide); zeros without a season.
    static func seasonalDeviations(_ y: [Double], _ m: Int) -> [Double] {
        guard m >= 2, y.count >= 2 * m else { return [Double](repeating: 0, count: max(m, 0)) }
        let level = runningMedian(y, half: m)
        var slots = [[Double]](repeating: [], count: m)
        for t in y.indices { slots[t % m].append(y[t] - level[t]) }
        return slots.map { values in values.isEmpty ? 0 : values.sorted()[values.count / 2] }
    }

    /// The median of the points within `half` of each point.
    static func runningMedian(_ y: [Double], half: Int) -> [Double] {
        y.indices.map { t in
            let window = y[max(0, t - half)...min(y.count - 1, t + half)].sorted()
            return window[window.count / 2]
        }
    }

    /// Level from the first season's mean (or first point), trend from the first two seasons (or points), season
    /// from each slot's median deviation from its season's mean over the first four seasons (one season's
    /// deviations carry its noise, which a small season smoothing would keep for months).
    static func initial(_ y: [Double], _ m: Int) -> State {
        guard m > 0 else {
            return State(level: y[0], trend: y.count > 1 ? y[1] - y[0] : 0, season: [])
        }
        let first = y[0..<m].reduce(0, +) / Double(m)
        let second = y[m..<(2 * m)].reduce(0, +) / Double(m)
        var deviations = [[Double]](repeating: [], count: m)
        for cycle in 0..<min(4, y.count / m) {
            let slice = y[(cycle * m)..<((cycle + 1) * m)]
            let mean = slice.reduce(0, +) / Double(m)
            for (i, value) in slice.enumerated() { deviations[i].append(value - mean) }
        }
        let season = deviations.map { values in
            let sorted = values.sorted()
            return sorted.count % 2 == 1
                ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        // The level at the start of the series: the first season's mean, moved back half a season of trend.
        let trend = (second - first) / Double(m)
        return State(level: first - trend * Double(m - 1) / 2 - trend, trend: trend, season: season)
    }

    static func predict(_ s: State, _ t: Int, _ m: Int, _ p: Parameters) -> Double {
        s.level + p.phi * s.trend + (m > 0 ? s.season[t % m] : 0)
    }

    static func step(_ s: State, _ t: Int, _ m: Int, _ p: Parameters, observed y: Double) -> State {
        let seasonal = m > 0 ? s.season[t % m] : 0
        let level = p.alpha * (y - seasonal) + (1 - p.alpha) * (s.level + p.phi * s.trend)
        let trend = p.beta * (level - s.level) + (1 - p.beta) * p.phi * s.trend
        var next = State(level: level, trend: trend, season: s.season)
        if m > 0 { next.season[t % m] = p.gamma * (y - level) + (1 - p.gamma) * seasonal }
        return next
    }

    /// 1.4826 · the median absolute first difference / √2 (a noise scale that level shifts do not inflate), at least
    /// a tiny fraction of the series' size.
    static func robustScale(_ y: [Double]) -> Double {
        let differences = zip(y.dropFirst(), y).map { abs($0 - $1) }.sorted()
        let median = differences.isEmpty ? 0 : differences[differences.count / 2]
        let size = y.map(abs).max() ?? 1
        return max(1.4826 * median / 2.0.squareRoot(), 1e-9 * max(size, 1))
    }

    /// Mean absolute scaled error of `forecast` against `actual`, scaled by the in-sample MAE of the seasonal naive
    /// method on `history` (`y[t] − y[t−m]`, or `y[t] − y[t−1]` without a season): below 1 beats it.
    public static func mase(history: [Double], actual: [Double], forecast: [Double], period: Int) -> Double? {
        let m = max(1, period)
        guard history.count > m, !actual.isEmpty, actual.count == forecast.count else { return nil }
        let naive = (m..<history.count).map { abs(history[$0] - history[$0 - m]) }
        let scale = naive.reduce(0, +) / Double(naive.count)
        guard scale > 0 else { return nil }
        let error = zip(actual, forecast).map { abs($0 - $1) }.reduce(0, +) / Double(actual.count)
        return error / scale
    }
}
