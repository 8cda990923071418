/// The costliest functions of a service over a range, as every adapter reports them: `headroom top --format json`
/// and the MCP tool `query_profile` (mode `top`) encode this value.
///
/// Shares are of the range's samples (`total_samples`); cores and watts are the function's total share under the
/// cost model whose `fleet_cores` and `watts_per_core` are part of the answer, so a reader sees where they came from.
public struct TopReport: Codable, Sendable, Equatable {
    /// One function's cost.
    public struct Row: Codable, Sendable, Equatable {
        public var function: String
        public var file: String?
        public var selfShare: Double
        public var total: Double
        public var selfSamples: Int64
        public var totalSamples: Int64
        public var cores: Double
        public var watts: Double

        enum CodingKeys: String, CodingKey {
            case function, file, total, cores, watts
            case selfShare = "self"
            case selfSamples = "self_samples"
            case totalSamples = "total_samples"
        }

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

    public var totalSamples: Int64
    public var fleetCores: Double
    public var wattsPerCore: Double
    public var functions: [Row]

    enum CodingKeys: String, CodingKey {
        case functions
        case totalSamples = "total_samples"
        case fleetCores = "fleet_cores"
        case wattsPerCore = "watts_per_core"
    }

    /// The report of `rows` (function, self samples, total samples) out of `totalSamples`.
    public init(
        totalSamples: Int64, rows: [(function: FunctionRef, selfSamples: Int64, totalSamples: Int64)],
        costs: CostModel
    ) {
        self.totalSamples = totalSamples
        fleetCores = costs.fleetCores
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
