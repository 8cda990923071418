import HeadroomCore

/// What `headroom demo` found and did; the JSON form of its output.
public struct DemoReport: Sendable, Codable {
    public struct RegressionPart: Sendable, Codable {
        public var id: Int64
        public var function: String
        public var file: String?
        public var metric: String
        public var before: Double
        public var after: Double
        /// nil (JSON null) for a function that appears from nothing.
        public var relative_change: Double?
        public var timestamp: String
        public var p_value: Double
        public var members: [String]
    }
    public struct RootCausePart: Sendable, Codable {
        public var commit: String
        public var author: String
        public var email: String
        public var message: String
        public var score: Double
        public var evidence: [String]
        public var runner_up: String?
        public var runner_up_score: Double?
    }
    public struct ValidationPart: Sendable, Codable {
        public var tests_passed: Bool
        public var speedup: Double
        public var ci95: [Double]
        public var p_value: Double
        public var before_median_seconds: Double
        public var after_median_seconds: Double
        public var runs: Int
    }
    public struct Stage: Sendable, Codable {
        public var name: String
        public var seconds: Double
    }

    public var status: String
    public var reason: String?
    public var workdir: String
    public var repository: String
    public var store: String
    public var deploys: Int
    public var samples_per_deploy: Int
    public var regression: RegressionPart
    public var root_cause: RootCausePart
    public var skill: String
    public var branch: String?
    public var diff: String
    public var pr_description: String?
    public var validation: ValidationPart?
    public var stages: [Stage]
    public var wall_seconds: Double
    /// The delivered patch's id (for `review show/apply`).
    public var patch: Int64?
    /// The example's service (`shop`, `links`) and the profiler its deploys ran under (`py-spy`, `runtime/pprof`).
    public var service: String?
    public var profiler: String?
}
