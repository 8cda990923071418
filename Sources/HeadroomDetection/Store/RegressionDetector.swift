import Foundation
import HeadroomCore

/// Finds regressions (and improvements) across every function of a service, then removes what is not a real,
/// independent cost change.
///
/// 1. Each function's self and total share is segmented by `BinomialSegmenter`.
/// 2. Went-away: a shift that reverts to its old level within `transientHorizon` buckets is dropped as transient.
/// 3. Dedup: changes at the same bucket are one event when they are the same function (self and total) or when one
///    function calls the other (an ancestor's total rises with its callee's cost). The event is reported once, on
///    the function where the cost landed (largest self-share rise, else the deepest function carrying the rise).
/// 4. Dilution: shares sum to one, so when one event raises a share every other share falls (and the reverse). An
///    opposite-direction change at the same bucket is kept only if it is significant against the level that
///    dilution alone predicts.
/// 5. Cost shift: a change matched by an opposite change of its siblings under a common caller whose own total did
///    not move (the work moved from one callee to another; the service pays the same) is not a regression.
/// 6. Severity: each event carries its minimum detectable effect, `√(φ p(1−p)(1/N₁+1/N₂))·(z₁₋α/(2·positions) +
///    z_power)` with φ the over-dispersion and N the samples either side, and its change in those units.
public struct RegressionDetector: Sendable {
    public var configuration: DetectionConfiguration

    public init(configuration: DetectionConfiguration = DetectionConfiguration()) {
        self.configuration = configuration
    }

    /// One significant change of one series, before grouping.
    struct Finding {
        var function: FunctionRef
        var metric: CostMetric
        var change: CountChange
        var delta: Double { change.after - change.before }
        var isIncrease: Bool { delta > 0 }
    }

    /// An event the filters removed, and why.
    public struct Filtered: Sendable {
        public var regression: Regression
        public var reason: String
    }

    /// Regressions and improvements of a service, largest absolute change first.
    public func detect(_ series: ServiceSeries) -> [Regression] { detectWithFiltered(series).regressions }

    /// Regressions and improvements, plus what the cost-shift filter removed.
    public func detectWithFiltered(_ series: ServiceSeries) -> (regressions: [Regression], filtered: [Filtered]) {
        var filtered: [Filtered] = []
        let kept = candidates(series) { finding in
            let startup = StartupFrames.reason(finding.function)
            guard let reason = startup ?? costShift(finding.function, at: finding.change.index, in: series) else {
                return false
            }
            if !filtered.contains(where: {
                $0.regression.function == finding.function && $0.regression.index == finding.change.index
            }) {
                filtered.append(
                    Filtered(
                        regression: Regression(
                            service: series.service, function: finding.function, metric: finding.metric,
                            index: finding.change.index, timestamp: series.times[finding.change.index],
                            previousTimestamp: series.times[max(finding.change.index - 1, 0)],
                            before: finding.change.before,
                            after: finding.change.after, pValue: finding.change.pValue,
                            confidence: max(0, 1 - finding.change.pValue),
                            kind: finding.isIncrease ? .regression : .improvement),
                        reason: reason))
            }
            return true
        }
        return (kept, filtered)
    }

    /// Why `regression` is cost moving between siblings, or nil: under some caller that carries at least half of the
    /// function's move (its edge to the function moved that much), the caller's other callees moved the other way by
    /// at least half as much while the caller's own total moved by less than half of it, comparing
    /// `minimumSegment` (at least 3) buckets either side of the onset. Without per-edge counts, the function's whole
    /// move counts as the caller's.
    ///
    /// Moves are measured against the service's common drift: the median after/before ratio of every function's self
    /// share. Another regression elsewhere, or this function's own growth, shrinks every unrelated share by the same
    /// factor (dilution); measured raw, that would look like cost leaving the siblings.
    func costShift(_ function: FunctionRef, at index: Int, in series: ServiceSeries) -> String? {
        guard let counts = series.functions[function] else { return nil }
        let n = series.totals.count
        let w = max(configuration.minimumSegment, 3)
        let before = max(0, index - w)..<index
        let after = index..<min(n, index + w)
        guard !before.isEmpty, !after.isEmpty else { return nil }
        func share(_ values: [Int64], _ range: Range<Int>) -> Double {
            let total = range.reduce(Int64(0)) { $0 + series.totals[$1] }
            return total > 0 ? Double(range.reduce(Int64(0)) { $0 + values[$1] }) / Double(total) : 0
        }
        var ratios: [Double] = []
        for (other, otherCounts) in series.functions where other != function {
            let b = share(otherCounts.selfCounts, before)
            let a = share(otherCounts.selfCounts, after)
            let samples = before.reduce(Int64(0)) { $0 + otherCounts.selfCounts[$1] }
            if samples >= 50, b > 0, a > 0 { ratios.append(a / b) }
        }
        let drift = ratios.count >= 5 ? Descriptive.median(ratios) : 1
        func delta(_ values: [Int64]) -> Double { share(values, after) - drift * share(values, before) }
        let own = delta(counts.totalCounts)
        guard own != 0 else { return nil }
        for (parent, callees) in series.callees where callees.contains(function) && parent != function {
            guard let parentCounts = series.functions[parent] else { continue }
            let siblings = callees.subtracting([function, parent])
            var carried = own
            var moved = siblings.reduce(0.0) { $0 + (series.functions[$1].map { delta($0.totalCounts) } ?? 0) }
            if let edge = series.edges[ServiceSeries.CallEdge(caller: parent, callee: function)] {
                carried = delta(edge)
                guard carried * own > 0, abs(carried) >= 0.5 * abs(own) else { continue }
                moved = siblings.reduce(0.0) {
                    $0 + (series.edges[ServiceSeries.CallEdge(caller: parent, callee: $1)].map(delta) ?? 0)
                }
            }
            let parentMoved = delta(parentCounts.totalCounts)
            if moved * carried < 0, abs(moved) >= 0.5 * abs(carried), abs(parentMoved) < 0.5 * abs(carried) {
                let points = { (value: Double) in String(format: "%+.3f", value * 100) }
                return "cost shift under \(parent.name): its other callees \(points(moved)) points, its total "
                    + "\(points(parentMoved)) points, while this moved \(points(own)) points"
            }
        }
        return nil
    }

    /// Every event that passes the significance, transient, dedup and dilution rules. `drop` removes single
    /// findings (cost shifts) before they are grouped, so a shift cannot lead, or hide inside, another event.
    func candidates(_ series: ServiceSeries, drop: (Finding) -> Bool = { _ in false }) -> [Regression] {
        let findings = series.functions.flatMap { function, counts -> [Finding] in
            guard counts.totalCounts.reduce(0, +) >= configuration.minimumSamples else { return [] }
            return findingsFor(function, .selfShare, counts.selfCounts, series.totals)
                + findingsFor(function, .totalShare, counts.totalCounts, series.totals)
        }.filter { !drop($0) }
        let byIndex = Dictionary(grouping: findings, by: { $0.change.index }).mapValues { group($0, in: series) }
        // The largest event at each bucket; its direction tells which way dilution pushes everything else.
        let primaries = byIndex.compactMap { index, groups -> (index: Int, lead: Finding)? in
            groups.map(representative(of:)).max { abs($0.delta) < abs($1.delta) }.map { (index, $0) }
        }
        var regressions: [Regression] = []
        for (index, groups) in byIndex {
            for members in groups {
                let lead = representative(of: members)
                let opposing = primaries.filter {
                    abs($0.index - index) <= configuration.minimumSegment && $0.lead.isIncrease != lead.isIncrease
                        && $0.lead.function != lead.function
                }
                if !opposing.isEmpty, !survivesDilution(lead, excluding: opposing.map(\.lead), in: series) { continue }
                if !lead.isIncrease && !configuration.reportImprovements { continue }
                regressions.append(
                    Regression(
                        service: series.service, function: lead.function, metric: lead.metric, index: index,
                        timestamp: series.times[index], previousTimestamp: series.times[max(index - 1, 0)],
                        before: lead.change.before, after: lead.change.after, pValue: lead.change.pValue,
                        confidence: max(0, min(1, 1 - lead.change.pValue)),
                        kind: lead.isIncrease ? .regression : .improvement,
                        members: members.filter { !($0.function == lead.function && $0.metric == lead.metric) }
                            .sorted { abs($0.delta) > abs($1.delta) }
                            .map {
                                RegressionMember(
                                    function: $0.function, metric: $0.metric,
                                    before: $0.change.before, after: $0.change.after)
                            },
                        mde: mde(lead.change, buckets: series.totals.count),
                        effect: mde(lead.change, buckets: series.totals.count).map { abs(lead.delta) / $0 }))
            }
        }
        return regressions.sorted(by: Regression.bySeverity)
    }

    /// The smallest share change this split could have found with the configured power.
    func mde(_ change: CountChange, buckets: Int) -> Double? {
        guard change.samplesBefore > 0, change.samplesAfter > 0 else { return nil }
        let p = min(max(change.before, 1e-9), 1 - 1e-9)
        let sd =
            (change.dispersion * p * (1 - p) * (1 / Double(change.samplesBefore) + 1 / Double(change.samplesAfter)))
            .squareRoot()
        let positions = Double(max(1, buckets - 2 * configuration.minimumSegment + 1))
        return sd
            * (Distributions.normalQuantile(1 - configuration.alpha / (2 * positions))
                + Distributions.normalQuantile(0.8))
    }

    private func findingsFor(_ function: FunctionRef, _ metric: CostMetric, _ counts: [Int64], _ totals: [Int64])
        -> [Finding]
    {
        let changes = BinomialSegmenter(configuration: configuration).changes(counts: counts, totals: totals)
        return withoutTransients(changes).compactMap { change in
            let delta = abs(change.after - change.before)
            guard delta >= configuration.minimumAbsoluteChange,
                change.before == 0 || delta / change.before >= configuration.minimumRelativeChange,
                mde(change, buckets: totals.count).map({ delta >= configuration.minimumEffect * $0 }) ?? true
            else { return nil }
            return Finding(function: function, metric: metric, change: change)
        }
    }

    /// Drops pairs of opposite shifts that return to the earlier level within the horizon.
    public func withoutTransients(_ changes: [CountChange]) -> [CountChange] {
        var dropped = Set<Int>()
        for i in changes.indices {
            for j in changes.indices where j > i && !dropped.contains(j) && !dropped.contains(i) {
                let first = changes[i]
                let second = changes[j]
                guard second.index - first.index <= configuration.transientHorizon else { continue }
                let up = first.after - first.before
                let back = second.after - second.before
                let reverted = abs(second.after - first.before) <= 0.5 * abs(up)
                if up * back < 0 && reverted {
                    dropped.insert(i)
                    dropped.insert(j)
                }
            }
        }
        return changes.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    }

    /// Union of findings that are one event: same function, or one calls the other, same direction.
    /// Findings of one bucket grouped into events. Self findings (where cost landed) of the same function or of
    /// functions on one call path form an event's core. A total finding of a function joins the event whose core lies
    /// under it; when several cores do (a handler above two unrelated regressions), it joins the one with the largest
    /// change rather than merging them. Total findings above no core group among themselves by ancestry.
    private func group(_ findings: [Finding], in series: ServiceSeries) -> [[Finding]] {
        var parent = Array(findings.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { i = parent[i] }
            return i
        }
        func related(_ a: FunctionRef, _ b: FunctionRef) -> Bool {
            a == b || series.isAncestor(a, of: b) || series.isAncestor(b, of: a)
        }
        let selfs = findings.indices.filter { findings[$0].metric == .selfShare }
        let totals = findings.indices.filter { findings[$0].metric == .totalShare }
        for i in selfs {
            for j in selfs
            where j > i && findings[i].isIncrease == findings[j].isIncrease
                && related(findings[i].function, findings[j].function)
            {
                parent[root(j)] = root(i)
            }
        }
        var unplaced: [Int] = []
        for t in totals {
            let function = findings[t].function
            let cores = selfs.filter {
                findings[$0].isIncrease == findings[t].isIncrease
                    && (findings[$0].function == function || series.isAncestor(function, of: findings[$0].function))
            }
            if let best = cores.max(by: { abs(findings[$0].delta) < abs(findings[$1].delta) }) {
                parent[root(t)] = root(best)
            } else {
                unplaced.append(t)
            }
        }
        for i in unplaced {
            for j in unplaced
            where j > i && findings[i].isIncrease == findings[j].isIncrease
                && related(findings[i].function, findings[j].function)
            {
                parent[root(j)] = root(i)
            }
        }
        return Dictionary(grouping: findings.indices, by: root).values.map { $0.map { findings[$0] } }
    }

    /// The function where the cost landed: the largest self-share change if it carries at least half of the
    /// event, else the deepest function (smallest share before) carrying at least 80% of the largest total change.
    func representative(of members: [Finding]) -> Finding {
        let selfs = members.filter { $0.metric == .selfShare }
        let totals = members.filter { $0.metric == .totalShare }
        let largestTotal = totals.map { abs($0.delta) }.max() ?? 0
        if let bestSelf = selfs.max(by: { abs($0.delta) < abs($1.delta) }), abs(bestSelf.delta) >= 0.5 * largestTotal {
            return bestSelf
        }
        let carriers = totals.filter { abs($0.delta) >= 0.8 * largestTotal }
        return carriers.min(by: { $0.change.before < $1.change.before }) ?? members[0]
    }

    /// Whether a change is still there once the samples of opposite, larger events are taken out of every
    /// bucket's total: the series is re-segmented as a share of the rest, and a change in the same direction must
    /// remain within `minimumSegment` buckets of the original one.
    private func survivesDilution(_ finding: Finding, excluding events: [Finding], in series: ServiceSeries) -> Bool {
        guard let counts = series.functions[finding.function] else { return true }
        var rest = series.totals
        for event in events
        where !series.isAncestor(event.function, of: finding.function)
            && !series.isAncestor(finding.function, of: event.function)
        {
            guard let eventCounts = series.functions[event.function]?.totalCounts else { continue }
            for i in rest.indices { rest[i] = max(rest[i] - eventCounts[i], 0) }
        }
        let values = finding.metric == .selfShare ? counts.selfCounts : counts.totalCounts
        let usable = rest.indices.filter { rest[$0] > 0 }
        let changes = BinomialSegmenter(configuration: configuration).changes(
            counts: usable.map { min(values[$0], rest[$0]) }, totals: usable.map { rest[$0] })
        return withoutTransients(changes).contains { change in
            (change.after - change.before) * finding.delta > 0
                && abs(usable[change.index] - finding.change.index) <= configuration.minimumSegment
                && abs(change.after - change.before) >= configuration.minimumAbsoluteChange
        }
    }
}
