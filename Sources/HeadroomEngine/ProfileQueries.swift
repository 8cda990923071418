import Foundation
import HeadroomCore
import HeadroomProfiles
import HeadroomStore

/// A time range `FROM..TO` (either end may be left open), in Unix seconds.
public struct TimeRange: Sendable, Equatable, CustomStringConvertible {
    /// The first second included, or nil for no lower bound.
    public var from: Int64?
    /// The last second included, or nil for no upper bound.
    public var to: Int64?

    /// A range; nil ends are open.
    public init(from: Int64? = nil, to: Int64? = nil) {
        self.from = from
        self.to = to
    }

    /// Parses `FROM..TO` where each end is ISO-8601 or Unix seconds, or empty.
    public static func parse(_ text: String, option: String) throws -> TimeRange {
        guard let dots = text.range(of: "..") else {
            throw HeadroomError(.badInput, "--\(option): '\(text)' is not a range FROM..TO (either end may be empty)")
        }
        func end(_ part: Substring) throws -> Int64? {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard let value = Timestamps.parse(trimmed) else {
                throw HeadroomError(.badInput, "--\(option): '\(trimmed)' is not an ISO-8601 time or Unix seconds")
            }
            return value
        }
        let range = TimeRange(from: try end(text[..<dots.lowerBound]), to: try end(text[dots.upperBound...]))
        if let from = range.from, let to = range.to, from > to {
            throw HeadroomError(.badInput, "--\(option): the range ends before it starts")
        }
        return range
    }

    /// `FROM..TO` with ISO-8601 ends, an open end left empty.
    public var description: String {
        "\(from.map(Timestamps.format) ?? "")..\(to.map(Timestamps.format) ?? "")"
    }
}

/// The store's profile queries — top, diff and flame graphs — shared by the CLI and the tools.
public struct ProfileQueries: Sendable {
    /// The store queried.
    public let store: Store
    /// Queries over `store`.
    public init(store: Store) { self.store = store }

    /// Functions by self or total samples, optionally only samples carrying `label`, or only functions named
    /// `function` (qualified, or its last component).
    /// `top` as the one answer every adapter encodes; a service the store does not hold is a not-found error that
    /// lists the known ones.
    public func topReport(
        service: String, range: TimeRange, byTotal: Bool, limit: Int, label: Label? = nil,
        function: String? = nil, costs: CostModel
    ) throws -> TopReport {
        try store.requireService(service)
        let (total, rows) = try top(
            service: service, range: range, byTotal: byTotal, limit: limit, label: label,
            function: function)
        // Measured cores scale shares of the whole service; a label's shares are of its own samples.
        let measured = label == nil ? try store.measuredCores(service: service, from: range.from, to: range.to) : nil
        return TopReport(
            totalSamples: total, rows: rows.map { ($0.function, $0.selfSamples, $0.totalSamples) },
            costs: costs.measured(measured?.cores))
    }

    /// The top rows of the stacks carrying a label (`stacks` is what the store returned under that filter).
    static func labelledTop(
        _ stacks: (totalSamples: Int64, stacks: [StoredStack]), byTotal: Bool, limit: Int, function: String?
    ) throws -> (totalSamples: Int64, rows: [TopRow]) {
        let costs = try labelledCosts(stacks)
        let rows = costs.filter { cost in function.map { FunctionRef.namesMatch(cost.key.name, $0) } ?? true }
            .map { TopRow(function: $0.key, selfSamples: $0.value.selfSamples, totalSamples: $0.value.totalSamples) }
            .sorted {
                let a = byTotal ? ($0.totalSamples, $0.selfSamples) : ($0.selfSamples, $0.totalSamples)
                let b = byTotal ? ($1.totalSamples, $1.selfSamples) : ($1.selfSamples, $1.totalSamples)
                return a != b ? a > b : $0.function.name < $1.function.name
            }
        return (stacks.totalSamples, Array(rows.prefix(limit)))
    }

    /// The rows behind ``topReport(service:range:byTotal:limit:label:function:costs:)``: the range's total and each function's self and total samples.
    public func top(
        service: String, range: TimeRange, byTotal: Bool, limit: Int, label: Label? = nil,
        function: String? = nil
    ) throws -> (totalSamples: Int64, rows: [TopRow]) {
        guard let label else {
            return try store.top(
                service: service, from: range.from, to: range.to, byTotal: byTotal, limit: limit,
                function: function)
        }
        let stacks = try store.stacks(service: service, from: range.from, to: range.to, label: (label.key, label.value))
        return try Self.labelledTop(stacks, byTotal: byTotal, limit: limit, function: function)
    }

    /// The result of comparing two ranges.
    public struct Diff: Sendable {
        /// Samples in the before range.
        public var beforeTotal: Int64
        /// Samples in the after range.
        public var afterTotal: Int64
        /// The functions, significant changes first.
        public var functions: [FunctionDelta]
    }

    /// Per-function change in self (or total) share between two ranges, sorted by impact; with `limit`, only that
    /// many (significance is still corrected over every function compared).
    public func diff(
        service: String, before: TimeRange, after: TimeRange, byTotal: Bool, label: Label? = nil,
        alpha: Double = 0.001, limit: Int? = nil
    ) throws -> Diff {
        if let label {
            let (beforeTotal, beforeCosts) = try labelledCosts(service: service, range: before, label: label)
            let (afterTotal, afterCosts) = try labelledCosts(service: service, range: after, label: label)
            try Self.requireSamples(service: service, before: (before, beforeTotal), after: (after, afterTotal))
            let pick: (FunctionCost) -> Int64 = { byTotal ? $0.totalSamples : $0.selfSamples }
            let functions = ProfileDiff.compare(
                before: beforeCosts.mapValues(pick), beforeTotal: beforeTotal, after: afterCosts.mapValues(pick),
                afterTotal: afterTotal, alpha: alpha, limit: limit)
            return Diff(beforeTotal: beforeTotal, afterTotal: afterTotal, functions: functions)
        }
        // By function id, naming only the functions returned.
        let beforeCosts = try store.functionCosts(service: service, from: before.from, to: before.to)
        let afterCosts = try store.functionCosts(service: service, from: after.from, to: after.to)
        let (beforeTotal, afterTotal) = (beforeCosts.totalSamples, afterCosts.totalSamples)
        try Self.requireSamples(service: service, before: (before, beforeTotal), after: (after, afterTotal))
        let pick: ((selfSamples: Int64, totalSamples: Int64)) -> Int64 = { byTotal ? $0.totalSamples : $0.selfSamples }
        let functions = try ProfileDiff.compare(
            before: beforeCosts.costs.mapValues(pick), beforeTotal: beforeTotal,
            after: afterCosts.costs.mapValues(pick),
            afterTotal: afterTotal, alpha: alpha, limit: limit
        ) { try store.functions(ids: $0) }
        return Diff(beforeTotal: beforeTotal, afterTotal: afterTotal, functions: functions)
    }

    /// A flame graph of a range; with `baseline`, a differential one (colour = change since the baseline range).
    ///
    /// Stacks stream from the store in path order into a tree that keeps only frames wide enough to draw, so memory
    /// follows the picture, not the store.
    public func flameGraph(service: String, range: TimeRange, baseline: TimeRange? = nil, label: Label? = nil) throws
        -> String
    {
        try store.requireService(service)
        let filter = label.map { ($0.key, $0.value) }
        var graph = FlameGraphSVG(title: "\(service) CPU" + (label.map { " (\($0))" } ?? ""))
        var builder = FlameTreeBuilder(minimumSamples: 0)
        var total: Int64 = 0
        try store.forEachStackInPathOrder(service: service, from: range.from, to: range.to, label: filter) {
            // The range's total comes first: it fixes how narrow a frame may be and still be drawn.
            total = $0
            builder = FlameTreeBuilder(minimumSamples: graph.minimumSamples(total: $0))
        } _: { frames, samples in
            builder.add(frames, samples: samples)
        }
        guard total > 0 else { throw HeadroomError(.notFound, "no stacks for \(service) in \(range)") }
        let unit = (try? store.sampleType(service: service)) ?? nil
        graph.subtitle = "\(range.description == ".." ? "all time" : range.description): \(total) \(unit ?? "samples")"
        if let baseline {
            var baseTotal: Int64 = 0
            try store.forEachStackInPathOrder(service: service, from: baseline.from, to: baseline.to, label: filter) {
                baseTotal = $0
            } _: { frames, samples in
                builder.addBaseline(frames, samples: samples)
            }
            guard baseTotal > 0 else { throw HeadroomError(.notFound, "no stacks for \(service) in \(baseline)") }
            builder.setBaselineTotal(baseTotal)
            graph.title = "\(service) CPU, differential" + (label.map { " (\($0))" } ?? "")
            graph.subtitle = "before \(baseline) (\(baseTotal) samples) → after \(range) (\(total) samples)"
        }
        let tree = try builder.finish { try store.functions(ids: $0) }
        return graph.render(tree, totalSamples: total)
    }

    static func requireSamples(service: String, before: (TimeRange, Int64), after: (TimeRange, Int64)) throws {
        guard before.1 > 0 else {
            throw HeadroomError(.notFound, "no samples for \(service) in the before range \(before.0)")
        }
        guard after.1 > 0 else {
            throw HeadroomError(.notFound, "no samples for \(service) in the after range \(after.0)")
        }
    }

    /// Costs computed from the stored stacks that carry `label`.
    private func labelledCosts(service: String, range: TimeRange, label: Label) throws -> (
        Int64, [FunctionRef: FunctionCost]
    ) {
        let stacks = try store.stacks(service: service, from: range.from, to: range.to, label: (label.key, label.value))
        return (stacks.totalSamples, try Self.labelledCosts(stacks))
    }

    /// Per-function costs of stacks (each function counted once per stack under recursion).
    static func labelledCosts(_ stacks: (totalSamples: Int64, stacks: [StoredStack])) throws -> [FunctionRef:
        FunctionCost]
    {
        var profile = StackProfile()
        for stack in stacks.stacks { try profile.add(stack: stack.frames, count: stack.samples) }
        return profile.functionCosts()
    }
}
