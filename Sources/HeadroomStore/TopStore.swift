import HeadroomCore

/// What `top` reads, whichever engine holds it: a range's function costs and the cores its profiles measured. The
/// SQLite store sums them in SQL; team mode's PostgreSQL store from its per-bucket cost blobs.
public protocol TopStore: DetectionStore {
    /// The range's total samples and its costliest functions (by self, or total, samples), at most `limit`; only
    /// functions named `function` (qualified, or its last component) when given.
    func top(service: String, from: Int64?, to: Int64?, byTotal: Bool, limit: Int, function: String?) async throws
        -> (totalSamples: Int64, rows: [TopRow])

    /// The cores the service's profiles in the range measured (their CPU over their wall time), if any said both.
    func measuredCores(service: String, from: Int64?, to: Int64?) async throws -> MeasuredCores?
}

extension Store: TopStore {}

extension Store {
    /// The not-found error for a service the store does not hold, listing those it does.
    public static func unknownService(_ name: String, known: [String]) -> HeadroomError {
        let list = known.isEmpty ? "none" : known.sorted().joined(separator: ", ")
        return HeadroomError(.notFound, "unknown service '\(name)' (known: \(list))")
    }
}

extension TopRow {
    /// `top` over a timeline (an engine that keeps each bucket's costs whole): every bucket's samples summed per
    /// function, ranked as the SQLite store ranks them (self, or total, samples, then the other, then the name).
    public static func top(of timeline: ServiceTimeline, byTotal: Bool, limit: Int, function: String?) -> (
        totalSamples: Int64, rows: [TopRow]
    ) {
        let total = timeline.buckets.reduce(Int64(0)) { $0 + $1.total }
        var rows: [TopRow] = []
        for (ref, series) in timeline.functions where function.map({ FunctionRef.namesMatch(ref.name, $0) }) ?? true {
            let selfSamples = series.reduce(Int64(0)) { $0 + $1.selfSamples }
            let totalSamples = series.reduce(Int64(0)) { $0 + $1.totalSamples }
            rows.append(TopRow(function: ref, selfSamples: selfSamples, totalSamples: totalSamples))
        }
        rows.sort { a, b in
            let (x, y) =
                byTotal
                ? ((a.totalSamples, a.selfSamples), (b.totalSamples, b.selfSamples))
                : ((a.selfSamples, a.totalSamples), (b.selfSamples, b.totalSamples))
            if x != y { return x > y }
            if a.function.name != b.function.name { return a.function.name < b.function.name }
            return (a.function.file ?? "") < (b.function.file ?? "")
        }
        return (total, Array(rows.prefix(max(0, limit))))
    }
}
