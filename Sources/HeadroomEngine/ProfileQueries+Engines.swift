import HeadroomCore
import HeadroomProfiles
import HeadroomStore

/// The profile queries over any engine (team mode's PostgreSQL as well as the SQLite store): `top`, `diff` and
/// flame graphs from what every engine keeps - each range's per-function costs and its stacks - with the same
/// answers the SQLite store's own queries give from the same profiles.
extension ProfileQueries {
    /// `top` over any engine (team mode's PostgreSQL): the same report from the same profiles; with `label`, from
    /// the stacks carrying it.
    public static func topReport(
        in store: some TopStore & StackStore, service: String, range: TimeRange, byTotal: Bool, limit: Int,
        label: Label? = nil, function: String? = nil, costs: CostModel
    ) async throws -> TopReport {
        try await requireService(service, in: store)
        let (total, rows): (Int64, [TopRow])
        if let label {
            let stacks = try await store.stacks(
                service: service, from: range.from, to: range.to, label: (label.key, label.value))
            (total, rows) = try labelledTop(stacks, byTotal: byTotal, limit: limit, function: function)
        } else {
            (total, rows) = try await store.top(
                service: service, from: range.from, to: range.to, byTotal: byTotal, limit: limit, function: function)
        }
        let measured =
            label == nil ? try await store.measuredCores(service: service, from: range.from, to: range.to) : nil
        return TopReport(
            totalSamples: total, rows: rows.map { ($0.function, $0.selfSamples, $0.totalSamples) },
            costs: costs.measured(measured?.cores))
    }

    /// `diff` over any engine: per-function change in self (or total) share between two ranges; with `label`, from
    /// the stacks carrying it.
    public static func diffReport(
        in store: some TopStore & StackStore, service: String, before: TimeRange, after: TimeRange, byTotal: Bool,
        label: Label? = nil, alpha: Double = 0.001, limit: Int
    ) async throws -> DiffReport {
        try await requireService(service, in: store)
        let (beforeTotal, beforeCosts) = try await costs(in: store, service: service, range: before, label: label)
        let (afterTotal, afterCosts) = try await costs(in: store, service: service, range: after, label: label)
        try requireSamples(service: service, before: (before, beforeTotal), after: (after, afterTotal))
        let pick: (FunctionCost) -> Int64 = { byTotal ? $0.totalSamples : $0.selfSamples }
        let functions = ProfileDiff.compare(
            before: beforeCosts.mapValues(pick), beforeTotal: beforeTotal, after: afterCosts.mapValues(pick),
            afterTotal: afterTotal, alpha: alpha, limit: limit)
        return DiffReport(
            service: service, byTotal: byTotal, before: before, after: after,
            diff: Diff(beforeTotal: beforeTotal, afterTotal: afterTotal, functions: functions), limit: limit)
    }

    /// A flame graph over any engine; with `baseline`, a differential one. The range's stacks are numbered and
    /// sorted into path order here, as the SQLite store streams them.
    public static func flameGraph(
        in store: some TopStore & StackStore, service: String, range: TimeRange, baseline: TimeRange? = nil,
        label: Label? = nil
    ) async throws -> String {
        try await requireService(service, in: store)
        let filter = label.map { ($0.key, $0.value) }
        var graph = FlameGraphSVG(title: "\(service) CPU" + (label.map { " (\($0))" } ?? ""))
        var numbering = FunctionNumbering()
        let stacks = try await store.stacks(service: service, from: range.from, to: range.to, label: filter)
        let drawn = numbering.pathOrder(stacks.stacks)
        let total = stacks.totalSamples
        guard total > 0 else { throw HeadroomError(.notFound, "no stacks for \(service) in \(range)") }
        var builder = FlameTreeBuilder(minimumSamples: graph.minimumSamples(total: total))
        for stack in drawn { builder.add(stack.frames, samples: stack.samples) }
        let unit = (try? await store.sampleType(service: service)) ?? nil
        graph.subtitle = "\(range.description == ".." ? "all time" : range.description): \(total) \(unit ?? "samples")"
        if let baseline {
            let baseStacks = try await store.stacks(
                service: service, from: baseline.from, to: baseline.to, label: filter)
            let base = numbering.pathOrder(baseStacks.stacks)
            let baseTotal = baseStacks.totalSamples
            guard baseTotal > 0 else { throw HeadroomError(.notFound, "no stacks for \(service) in \(baseline)") }
            for stack in base { builder.addBaseline(stack.frames, samples: stack.samples) }
            builder.setBaselineTotal(baseTotal)
            graph.title = "\(service) CPU, differential" + (label.map { " (\($0))" } ?? "")
            graph.subtitle = "before \(baseline) (\(baseTotal) samples) → after \(range) (\(total) samples)"
        }
        let tree = builder.finish { ids in
            Dictionary(uniqueKeysWithValues: ids.compactMap { id in numbering.function(id).map { (id, $0) } })
        }
        return graph.render(tree, totalSamples: total)
    }

    /// A not-found error listing the known services, for a service the store does not hold.
    static func requireService(_ service: String, in store: some DetectionStore) async throws {
        let known = try await store.detectionServices()
        guard known.contains(service) else { throw Store.unknownService(service, known: known) }
    }

    /// Every function's costs over a range: the store's per-function sums, or with `label` the stacks carrying it.
    static func costs(in store: some TopStore & StackStore, service: String, range: TimeRange, label: Label?)
        async throws -> (Int64, [FunctionRef: FunctionCost])
    {
        if let label {
            let stacks = try await store.stacks(
                service: service, from: range.from, to: range.to, label: (label.key, label.value))
            return (stacks.totalSamples, try labelledCosts(stacks))
        }
        let (total, rows) = try await store.top(
            service: service, from: range.from, to: range.to, byTotal: false, limit: Int.max, function: nil)
        var costs: [FunctionRef: FunctionCost] = [:]
        for row in rows {
            costs[row.function] = FunctionCost(selfSamples: row.selfSamples, totalSamples: row.totalSamples)
        }
        return (total, costs)
    }
}

/// Functions numbered as they are first met, so stacks of names become stacks of ids a flame tree can take.
struct FunctionNumbering {
    private var ids: [FunctionRef: Int64] = [:]
    private var functions: [FunctionRef] = []

    /// The id of `function`, numbering it when new.
    mutating func id(_ function: FunctionRef) -> Int64 {
        if let known = ids[function] { return known }
        functions.append(function)
        ids[function] = Int64(functions.count - 1)
        return Int64(functions.count - 1)
    }

    /// The function numbered `id`.
    func function(_ id: Int64) -> FunctionRef? { id >= 0 && id < functions.count ? functions[Int(id)] : nil }

    /// Stacks as ids, sorted so that all stacks through one path are adjacent.
    mutating func pathOrder(_ stacks: [StoredStack]) -> [(frames: [Int64], samples: Int64)] {
        stacks.map { (frames: $0.frames.map { id($0) }, samples: $0.samples) }
            .sorted { $0.frames.lexicographicallyPrecedes($1.frames) }
    }
}
