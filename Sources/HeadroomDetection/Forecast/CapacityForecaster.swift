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
/// horizon (Gardner & McKenzie; the damped trend is the standard robust default in the M-competitions), the
/// additive season carries the cycle, and the level's smoothing absorbs a shift within a few points. Positive series
/// are modelled on a log scale, where a 20% weekend dip and 0.3% a day of growth are additive. Parameters are chosen
/// by squared errors 1 to 14 steps ahead from every point of the history, clipped at 4 robust σ so a spike does not
/// pick the model. `Benchmarks/plan/run.py` backtests it against the seasonal naive forecast.
///
/// Intervals come from the model itself: 500 future paths with one-step errors resampled from the fit (bootstrap),
/// pushed through the same equations, and their quantiles; so they widen with the horizon as the level, trend and
/// season would wander, and they carry the series' own error shape (heavy tails included).
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
    static let betas: [Double] = [0.002, 0.01, 0.05, 0.1, 0.2]
    static let phis: [Double] = [0.0, 0.8, 0.9, 0.98, 1.0]
    /// Steps ahead the fit scores from each point of the history (errors at h weighted 1/h): a plan looks weeks
    /// out, and parameters chosen on one-step errors alone chase the noise.
    static let multiStep = 14
    static let useLog = true

    func forecastLinear(_ y: [Double], horizon: Int) -> CapacityForecast? {
        guard y.count >= 4, horizon >= 1 else { return nil }
        let m = period >= 2 && y.count >= 2 * period ? period : 0
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
        let fit = Self.run(y, m, p, clip: .infinity)
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
        var rng = SplitMix64(seed: seed)
        var samples = [[Double]](repeating: [], count: horizon)
        for _ in 0..<paths {
            var s = fit.state
            var time = y.count
            for h in 0..<horizon {
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
        return CapacityForecast(
            mean: mean, lower80: (0..<horizon).map { quantile($0, 0.1) },
            upper80: (0..<horizon).map { quantile($0, 0.9) }, lower95: (0..<horizon).map { quantile($0, 0.025) },
            upper95: (0..<horizon).map { quantile($0, 0.975) }, alpha: p.alpha, beta: p.beta, gamma: p.gamma,
            phi: p.phi, period: m)
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

    /// Level from the first season's mean (or first point), trend from the first two seasons (or points), season
    /// from the first season's deviations.
    static func initial(_ y: [Double], _ m: Int) -> State {
        guard m > 0 else {
            return State(level: y[0], trend: y.count > 1 ? y[1] - y[0] : 0, season: [])
        }
        let first = y[0..<m].reduce(0, +) / Double(m)
        let second = y[m..<(2 * m)].reduce(0, +) / Double(m)
        var season = [Double](repeating: 0, count: m)
        for i in 0..<m { season[i] = y[i] - first }
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
