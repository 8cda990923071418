/// Two time ranges of a service compared function by function, as every adapter reports it: `headroom diff
/// --format json` and the MCP tool `query_profile` (mode `diff`) encode this value.
///
/// Contract: a function absent before has `relative: null`; `before_total`/`after_total` repeat the sides' sample
/// totals for readers of the tool's first shape.
public struct DiffReport: Codable, Sendable {
    /// One side of the comparison.
    public struct Side: Codable, Sendable {
        public var range: String
        public var totalSamples: Int64
        enum CodingKeys: String, CodingKey {
            case range
            case totalSamples = "total_samples"
        }

        public init(range: String, totalSamples: Int64) {
            self.range = range
            self.totalSamples = totalSamples
        }
    }

    /// One function's change in share.
    public struct Row: Codable, Sendable {
        public var function: String
        public var file: String?
        public var before: Double
        public var after: Double
        public var change: Double
        public var relative: Double?
        public var beforeSamples: Int64
        public var afterSamples: Int64
        public var z: Double?
        public var pValue: Double
        public var significant: Bool

        enum CodingKeys: String, CodingKey {
            case function, file, before, after, change, relative, z, significant
            case beforeSamples = "before_samples"
            case afterSamples = "after_samples"
            case pValue = "p_value"
        }

        public init(
            function: String, file: String?, before: Double, after: Double, change: Double, relative: Double?,
            beforeSamples: Int64, afterSamples: Int64, z: Double?, pValue: Double, significant: Bool
        ) {
            self.function = function
            self.file = file
            self.before = before
            self.after = after
            self.change = change
            self.relative = relative
            self.beforeSamples = beforeSamples
            self.afterSamples = afterSamples
            self.z = z
            self.pValue = pValue
            self.significant = significant
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(function, forKey: .function)
            try c.encode(file, forKey: .file)
            try c.encode(before, forKey: .before)
            try c.encode(after, forKey: .after)
            try c.encode(change, forKey: .change)
            try c.encode(relative.finite, forKey: .relative)
            try c.encode(beforeSamples, forKey: .beforeSamples)
            try c.encode(afterSamples, forKey: .afterSamples)
            try c.encode(z.finite, forKey: .z)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(significant, forKey: .significant)
        }
    }

    public var service: String
    /// `self` or `total`.
    public var metric: String
    public var before: Side
    public var after: Side
    public var beforeTotal: Int64
    public var afterTotal: Int64
    public var functions: [Row]

    enum CodingKeys: String, CodingKey {
        case service, metric, before, after, functions
        case beforeTotal = "before_total"
        case afterTotal = "after_total"
    }

    public init(service: String, metric: String, before: Side, after: Side, functions: [Row]) {
        self.service = service
        self.metric = metric
        self.before = before
        self.after = after
        beforeTotal = before.totalSamples
        afterTotal = after.totalSamples
        self.functions = functions
    }
}
