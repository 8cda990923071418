import HeadroomCore
import HeadroomProfiles

/// Two time ranges of a service compared function by function, as every adapter reports it: `headroom diff
/// --format json` and the MCP tool `query_profile` (mode `diff`) encode this value.
///
/// Contract: a function absent before has `relative: null`; `before_total`/`after_total` repeat the sides' sample
/// totals for readers of the tool's first shape.
public struct DiffReport: Encodable, Sendable {
    /// One side of the comparison.
    public struct Side: Encodable, Sendable {
        public var range: String
        public var totalSamples: Int64
        enum CodingKeys: String, CodingKey {
            case range
            case totalSamples = "total_samples"
        }
    }

    /// One function's change in share.
    public struct Row: Encodable, Sendable {
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

    /// The report of a diff's first `limit` rows.
    public init(
        service: String, byTotal: Bool, before: TimeRange, after: TimeRange, diff: ProfileQueries.Diff,
        limit: Int
    ) {
        self.service = service
        metric = byTotal ? "total" : "self"
        self.before = Side(range: before.description, totalSamples: diff.beforeTotal)
        self.after = Side(range: after.description, totalSamples: diff.afterTotal)
        beforeTotal = diff.beforeTotal
        afterTotal = diff.afterTotal
        functions = diff.functions.prefix(limit).map {
            Row(
                function: $0.function.name, file: $0.function.file, before: $0.beforeShare, after: $0.afterShare,
                change: $0.change, relative: $0.relative, beforeSamples: $0.beforeSamples,
                afterSamples: $0.afterSamples, z: $0.zScore, pValue: $0.pValue, significant: $0.significant)
        }
    }
}

extension ProfileQueries {
    /// `diff` as the one answer every adapter encodes.
    public func diffReport(
        service: String, before: TimeRange, after: TimeRange, byTotal: Bool, label: Label? = nil,
        alpha: Double = 0.001, limit: Int
    ) throws -> DiffReport {
        let diff = try self.diff(
            service: service, before: before, after: after, byTotal: byTotal, label: label,
            alpha: alpha, limit: limit)
        return DiffReport(service: service, byTotal: byTotal, before: before, after: after, diff: diff, limit: limit)
    }
}
