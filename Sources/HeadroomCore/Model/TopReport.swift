/// The costliest functions of a service over a range, as every adapter reports them: `headroom top --format json`
/// and the MCP tool `query_profile` (mode `top`) encode this value.
///
/// Shares are of the range's samples (`total_samples`); cores and watts are the function's total share under the
/// cost model whose `fleet_cores` and `watts_per_core` are part of the answer, so a reader sees where they came from.
public struct TopReport: Codable, Sendable, Equatable {
    /// One function's cost.
    public struct Row: Codable, Sendable, Equatable {
        /// The function's qualified name.
        public var function: String
        /// Its file, when the profile names one (`null` otherwise, never left out).
        public var file: String?
        /// Its self share (`self` in JSON): samples with it on top.
        public var selfShare: Double
        /// Its total share: samples with it anywhere on the stack.
        public var total: Double
        /// Samples with it on top.
        public var selfSamples: Int64
        /// Samples with it anywhere on the stack.
        public var totalSamples: Int64
        /// Its total share in cores.
        public var cores: Double
        /// Its total share in watts.
        public var watts: Double

        enum CodingKeys: String, CodingKey {
            case function, file, total, cores, watts
            case selfShare = "self"
            case selfSamples = "self_samples"
            case totalSamples = "total_samples"
        }

        /// Every key is written, `file` as `null` when unknown.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(function, forKey: .function)
            try c.encode(file, forKey: .file)  // null when unknown, never left out
            try c.encode(selfShare, forKey: .selfShare)
            try c.encode(total, forKey: .total)
            try c.encode(selfSamples, forKey: .selfSamples)
            try c.encode(totalSamples, forKey: .totalSamples)
            try c.encode(cores, forKey: .cores)
            try c.encode(watts, forKey: .watts)
        }
    }

    /// Samples in the range.
    public var totalSamples: Int64
    /// The fleet size behind `cores`.
    public var fleetCores: Double
    /// `profile` when `fleet_cores` is the service's cores measured by its profiles, `fleet` when configured.
    public var coresBasis: CostModel.Basis = .fleet
    /// The watts per core behind `watts`.
    public var wattsPerCore: Double
    /// The functions, costliest first.
    public var functions: [Row]

    enum CodingKeys: String, CodingKey {
        case functions
        case totalSamples = "total_samples"
        case fleetCores = "fleet_cores"
        case coresBasis = "cores_basis"
        case wattsPerCore = "watts_per_core"
    }

    /// The report of `rows` (function, self samples, total samples) out of `totalSamples`.
    public init(
        totalSamples: Int64, rows: [(function: FunctionRef, selfSamples: Int64, totalSamples: Int64)],
        costs: CostModel
    ) {
        self.totalSamples = totalSamples
        fleetCores = costs.fleetCores
        coresBasis = costs.basis
        wattsPerCore = costs.wattsPerCore
        let denominator = Double(max(totalSamples, 1))
        functions = rows.map { row in
            let share = Double(row.totalSamples) / denominator
            return Row(
                function: row.function.name, file: row.function.file,
                selfShare: Double(row.selfSamples) / denominator, total: share, selfSamples: row.selfSamples,
                totalSamples: row.totalSamples, cores: costs.cores(forShare: share),
                watts: costs.watts(forShare: share))
        }
    }
}
