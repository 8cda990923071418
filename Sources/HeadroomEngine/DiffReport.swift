import HeadroomCore
import HeadroomProfiles

extension DiffReport {
    /// The report of a diff's first `limit` rows.
    public init(
        service: String, byTotal: Bool, before: TimeRange, after: TimeRange, diff: ProfileQueries.Diff,
        limit: Int
    ) {
        self.init(
            service: service, metric: byTotal ? "total" : "self",
            before: Side(range: before.description, totalSamples: diff.beforeTotal),
            after: Side(range: after.description, totalSamples: diff.afterTotal),
            functions: diff.functions.prefix(limit).map {
                Row(
                    function: $0.function.name, file: $0.function.file, before: $0.beforeShare, after: $0.afterShare,
                    change: $0.change, relative: $0.relative, beforeSamples: $0.beforeSamples,
                    afterSamples: $0.afterSamples, z: $0.zScore, pValue: $0.pValue, significant: $0.significant)
            })
    }
}

extension ProfileQueries {
    /// `diff` as the one answer every adapter encodes.
    public func diffReport(
        service: String, before: TimeRange, after: TimeRange, byTotal: Bool, label: Label? = nil,
        alpha: Double = 0.001, limit: Int
    ) throws -> DiffReport {
        try store.requireService(service)
        let diff = try self.diff(
            service: service, before: before, after: after, byTotal: byTotal, label: label,
            alpha: alpha, limit: limit)
        return DiffReport(service: service, byTotal: byTotal, before: before, after: after, diff: diff, limit: limit)
    }
}
