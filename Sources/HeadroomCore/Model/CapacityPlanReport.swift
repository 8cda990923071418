/// A capacity plan (`headroom plan`): a series' forecast with its intervals, and for a service what its open
/// regressions cost and its pending fixes would save.
public struct CapacityPlanReport: Sendable, Codable, Equatable {
    /// One step ahead.
    public struct Point: Sendable, Codable, Equatable {
        public var step: Int
        /// The step's time (ISO-8601 UTC) when the history had times.
        public var timestamp: String?
        public var mean: Double
        public var lower80: Double
        public var upper80: Double
        public var lower95: Double
        public var upper95: Double

        public init(
            step: Int, timestamp: String?, mean: Double, lower80: Double, upper80: Double, lower95: Double,
            upper95: Double
        ) {
            self.step = step
            self.timestamp = timestamp
            self.mean = mean
            self.lower80 = lower80
            self.upper80 = upper80
            self.lower95 = lower95
            self.upper95 = upper95
        }

        enum CodingKeys: String, CodingKey {
            case step, timestamp, mean
            case lower80 = "lower_80"
            case upper80 = "upper_80"
            case lower95 = "lower_95"
            case upper95 = "upper_95"
        }
    }

    /// The model's smoothing parameters: level α, trend β, season γ, trend damping φ.
    public struct Model: Sendable, Codable, Equatable {
        public var alpha: Double
        public var beta: Double
        public var gamma: Double
        public var phi: Double

        public init(alpha: Double, beta: Double, gamma: Double, phi: Double) {
            self.alpha = alpha
            self.beta = beta
            self.gamma = gamma
            self.phi = phi
        }
    }

    public var service: String?
    public var series: String?
    /// `cores` for a service, `value` for a CSV series.
    public var unit: String
    public var history: Int
    public var last: Double?
    public var period: Int
    public var model: Model
    public var forecast: [Point]
    /// A service's open, untriaged regressions' cores (gone if fixed); nil for a CSV series.
    public var openRegressionCores: Double?
    /// What its delivered, not yet applied fixes would save, in cores; nil for a CSV series.
    public var pendingFixCores: Double?

    public init(
        service: String?, series: String?, unit: String, history: Int, last: Double?, period: Int, model: Model,
        forecast: [Point], openRegressionCores: Double?, pendingFixCores: Double?
    ) {
        self.service = service
        self.series = series
        self.unit = unit
        self.history = history
        self.last = last
        self.period = period
        self.model = model
        self.forecast = forecast
        self.openRegressionCores = openRegressionCores
        self.pendingFixCores = pendingFixCores
    }

    enum CodingKeys: String, CodingKey {
        case service, series, unit, history, last, period, model, forecast
        case openRegressionCores = "open_regression_cores"
        case pendingFixCores = "pending_fix_cores"
    }
}
