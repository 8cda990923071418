/// Two time ranges of a service compared function by function, as every adapter reports it: `headroom diff
/// --format json` and the MCP tool `query_profile` (mode `diff`) encode this value.
///
/// Contract: a function absent before has `relative: null`; `before_total`/`after_total` repeat the sides' sample
/// totals for readers of the tool's first shape.
public struct DiffReport: Codable, Sendable {
    /// One side of the comparison.
    public struct Side: Codable, Sendable {
        /// The range, `FROM..TO` (either end may be open).
        public var range: String
        /// Samples in the range.
        public var totalSamples: Int64
        enum CodingKeys: String, CodingKey {
            case range
            case totalSamples = "total_samples"
        }

        /// A side from its range and total.
        public init(range: String, totalSamples: Int64) {
            self.range = range
            self.totalSamples = totalSamples
        }
    }

    /// One function's change in share.
    public struct Row: Codable, Sendable {
        /// The function's qualified name.
        public var function: String
        /// Its file, when the profile names one.
        public var file: String?
        /// Its share of the before range's samples.
        public var before: Double
        /// Its share of the after range's samples.
        public var after: Double
        /// `after − before`, in share units.
        public var change: Double
        /// `change / before`; `null` when it was absent before.
        public var relative: Double?
        /// Its samples in the before range.
        public var beforeSamples: Int64
        /// Its samples in the after range.
        public var afterSamples: Int64
        /// The two-proportion z statistic (over-dispersion allowed for); `null` when undefined.
        public var z: Double?
        /// The change's p-value.
        public var pValue: Double
        /// Whether it is significant at the family-wise level the diff was asked for.
        public var significant: Bool

        enum CodingKeys: String, CodingKey {
            case function, file, before, after, change, relative, z, significant
            case beforeSamples = "before_samples"
            case afterSamples = "after_samples"
            case pValue = "p_value"
        }

        /// A row from its fields.
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

        /// Every key is written, absent values and non-finite numbers as `null`.
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

    /// The service compared.
    public var service: String
    /// `self` or `total`.
    public var metric: String
    /// The baseline range.
    public var before: Side
    /// The range compared with it.
    public var after: Side
    /// `before.total_samples` again, for readers of the tool's first shape.
    public var beforeTotal: Int64
    /// `after.total_samples` again, for readers of the tool's first shape.
    public var afterTotal: Int64
    /// The functions, significant changes first, largest first.
    public var functions: [Row]

    enum CodingKeys: String, CodingKey {
        case service, metric, before, after, functions
        case beforeTotal = "before_total"
        case afterTotal = "after_total"
    }

    /// A report from its sides and rows.
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
