import Foundation
import HeadroomCore
import HeadroomStore

/// Compares a service's profiles by one label (`get_experiment`, `headroom experiment`): each function's share in
/// the control arm against the treatment arm. The replicates are buckets: each bucket's share in each arm, compared
/// with a two-sided Mann–Whitney test when both arms have `minimumBuckets`; Benjamini–Hochberg controls the false
/// discoveries over the functions tested. A canary check names the fixed function: it passes when that function's
/// cost fell significantly and the cost did not just move: no other function significantly took on a larger part
/// of the samples that are not the target's, by half the gain or more (shares are relative, so every other share
/// rises when the target's falls; among the rest, a function's part stays put unless cost moved into it).
public struct ExperimentService: Sendable {
    /// The store it reads.
    public let store: any ProgramStore
    /// The significance level.
    public var alpha = 0.05
    /// Buckets each side needs before the test is run.
    public var minimumBuckets = 3
    /// Functions under this pooled share in both arms are not tested (noise, and a smaller correction).
    public var minimumShare = 0.001

    /// A value from its fields.
    public init(store: any ProgramStore) { self.store = store }

    /// The comparison of `key=control` against `key=treatment` in `[from, to]`; `function` names a canary check's
    /// target; `limit` caps the functions listed.
    public func compare(
        service: String, key: String, control: String, treatment: String, from: Int64? = nil, to: Int64? = nil,
        metric: CostMetric = .selfShare, function: String? = nil, limit: Int = 20
    ) throws -> ExperimentReport {
        try store.requireService(service)
        guard control != treatment else {
            throw HeadroomError(.badInput, "control and treatment are both '\(control)'; name two values of \(key)")
        }
        let function = function.flatMap { $0.isEmpty ? nil : $0 }
        let arms = try store.armBuckets(service: service, key: key, values: [control, treatment], from: from, to: to)
        for value in [control, treatment] where arms[value]?.isEmpty ?? true {
            throw HeadroomError(
                .notFound,
                "no profiles of \(service) with label \(key)=\(value) in that window (labels come with pushes)")
        }
        let a = arms[control]!
        let b = arms[treatment]!
        let replicated = a.count >= minimumBuckets && b.count >= minimumBuckets
        let aTotal = a.reduce(0) { $0 + $1.total }
        let bTotal = b.reduce(0) { $0 + $1.total }
        func samples(_ bucket: ArmBucket, _ id: Int64) -> Int64 {
            guard let cost = bucket.functions[id] else { return 0 }
            return metric == .selfShare ? cost.selfSamples : cost.totalSamples
        }
        func pooled(_ arm: [ArmBucket], _ id: Int64, _ total: Int64) -> Double {
            total > 0 ? Double(arm.reduce(0) { $0 + samples($1, id) }) / Double(total) : 0
        }
        let ids = Set(a.flatMap(\.functions.keys) + b.flatMap(\.functions.keys))
        let names = try store.functionNames(ids: Array(ids))
        var tested: [(id: Int64, control: Double, treatment: Double, p: Double)] = []
        for id in ids {
            let shareA = pooled(a, id, aTotal)
            let shareB = pooled(b, id, bTotal)
            guard max(shareA, shareB) >= minimumShare else { continue }
            let p: Double
            if replicated {
                let perBucket = { (arm: [ArmBucket]) in
                    arm.map { $0.total > 0 ? Double(samples($0, id)) / Double($0.total) : 0 }
                }
                p = MannWhitney.test(perBucket(a), perBucket(b)).pValue
            } else {
                p = Self.proportionsP(shareA, aTotal, shareB, bTotal)
            }
            tested.append((id, shareA, shareB, p))
        }
        let q = Self.benjaminiHochberg(tested.map(\.p))
        var rows: [(row: ExperimentReport.Function, delta: Double, id: Int64)] = []
        for (index, item) in tested.enumerated() {
            let name = names[item.id] ?? FunctionRef(name: "function \(item.id)", file: nil)
            let direction =
                q[index] < alpha ? (item.treatment > item.control ? "regression" : "improvement") : "no_change"
            rows.append(
                (
                    ExperimentReport.Function(
                        function: name.name, file: name.file, controlShare: item.control,
                        treatmentShare: item.treatment,
                        relativeChange: item.control > 0 ? (item.treatment - item.control) / item.control : nil,
                        pValue: item.p, qValue: q[index], direction: direction),
                    item.treatment - item.control, item.id
                ))
        }
        rows.sort {
            let aSignificant = $0.row.direction != "no_change"
            let bSignificant = $1.row.direction != "no_change"
            if aSignificant != bSignificant { return aSignificant }
            return abs($0.delta) != abs($1.delta) ? abs($0.delta) > abs($1.delta) : $0.id < $1.id
        }
        var target: ExperimentReport.Function?
        var moved: [(function: String, excess: Double)] = []
        if let function {
            let matches = rows.filter {
                $0.row.function == function || "\($0.row.function) (\($0.row.file ?? ""))" == function
            }
            guard
                let best = matches.max(by: {
                    max($0.row.controlShare, $0.row.treatmentShare) < max($1.row.controlShare, $1.row.treatmentShare)
                })
            else {
                throw HeadroomError(
                    .notFound, "no function \(function) with a share of at least \(minimumShare) in either arm")
            }
            // The target is the one hypothesis named in advance: its own p-value, not the corrected q, decides.
            var row = best.row
            row.direction =
                row.pValue < alpha
                ? (row.treatmentShare > row.controlShare ? "regression" : "improvement") : "no_change"
            target = row
            // Did the cost move? Shares are relative: when the target gets cheaper every other share rises. Among
            // the samples that are not the target's, a function's share stays put unless cost moved into it.
            let targetID = best.id
            let excluded = { (arm: [ArmBucket], id: Int64) -> [Double] in
                arm.map { bucket in
                    let rest = bucket.total - samples(bucket, targetID)
                    return rest > 0 ? Double(samples(bucket, id)) / Double(rest) : 0
                }
            }
            let restA = aTotal - a.reduce(0) { $0 + samples($1, targetID) }
            let restB = bTotal - b.reduce(0) { $0 + samples($1, targetID) }
            var risers: [(function: String, excess: Double, p: Double)] = []
            for item in tested where item.id != targetID {
                let pooledA = restA > 0 ? Double(a.reduce(0) { $0 + samples($1, item.id) }) / Double(restA) : 0
                let pooledB = restB > 0 ? Double(b.reduce(0) { $0 + samples($1, item.id) }) / Double(restB) : 0
                guard pooledB > pooledA else { continue }
                let p =
                    replicated
                    ? MannWhitney.test(excluded(a, item.id), excluded(b, item.id)).pValue
                    : Self.proportionsP(pooledA, restA, pooledB, restB)
                // The rise in units of the treatment's samples: what the function took on beyond its usual part.
                risers.append(
                    ((names[item.id]?.name ?? "function \(item.id)"), (pooledB - pooledA) * (1 - row.treatmentShare), p)
                )
            }
            let q = Self.benjaminiHochberg(risers.map(\.p))
            moved = risers.indices.filter { q[$0] < alpha }.map { (risers[$0].function, risers[$0].excess) }
                .sorted { $0.excess > $1.excess }
        }
        let (verdict, reasons) = judge(
            target: target, rows: rows.map { ($0.row, $0.delta) }, moved: moved, replicated: replicated)
        return ExperimentReport(
            service: service, label: key, control: control, treatment: treatment, since: from.map(Timestamps.format),
            until: to.map(Timestamps.format), metric: metric, controlBuckets: a.count, treatmentBuckets: b.count,
            controlSamples: aTotal, treatmentSamples: bTotal, test: replicated ? "mann-whitney" : "proportions",
            alpha: alpha, target: target, functions: Array(rows.prefix(max(0, limit)).map(\.row)), verdict: verdict,
            reasons: reasons)
    }

    /// The verdict and its reasons.
    /// The verdict and its reasons; `moved` are the functions that significantly took on a larger part of the
    /// non-target samples, with that excess in units of the treatment's samples, largest first.
    func judge(
        target: ExperimentReport.Function?, rows: [(row: ExperimentReport.Function, delta: Double)],
        moved: [(function: String, excess: Double)] = [], replicated: Bool
    )
        -> (String, [String])
    {
        let regressions = rows.filter { $0.row.direction == "regression" }
        guard let target else {
            if !regressions.isEmpty {
                return ("regressions", regressions.prefix(3).map { "\($0.row.function) costs more in treatment" })
            }
            return rows.contains { $0.row.direction == "improvement" }
                ? ("improvements_only", ["some functions cost less in treatment, none more"])
                : ("no_change", ["no function's share differs significantly between the arms"])
        }
        guard replicated else {
            return (
                "inconclusive",
                ["fewer than \(minimumBuckets) buckets in an arm: the variation between profiles cannot be measured"]
            )
        }
        let gain = target.controlShare - target.treatmentShare
        switch target.direction {
        case "improvement":
            // Half the gain reappearing in one function is the cost moving, not going.
            if let worst = moved.first, worst.excess >= gain / 2 {
                return (
                    "fail",
                    [
                        String(
                            format:
                                "%@ fell by %.4f of the samples, but %@ took on %.4f more of them than its usual part: the cost moved, it did not go",
                            target.function, gain, worst.function, worst.excess)
                    ]
                )
            }
            return (
                "pass",
                [
                    String(
                        format: "%@ fell from %.4f to %.4f of the samples (p = %.3g) and nothing else rose as much",
                        target.function, target.controlShare, target.treatmentShare, target.pValue)
                ]
            )
        case "regression":
            return ("fail", ["\(target.function) costs more in treatment than in control"])
        default:
            return ("inconclusive", ["\(target.function) does not differ significantly between the arms"])
        }
    }

    /// Two-sided p of a two-proportion z-test on pooled samples.
    static func proportionsP(_ a: Double, _ n: Int64, _ b: Double, _ m: Int64) -> Double {
        guard n > 0, m > 0 else { return 1 }
        let pooled = (a * Double(n) + b * Double(m)) / Double(n + m)
        let variance = pooled * (1 - pooled) * (1 / Double(n) + 1 / Double(m))
        guard variance > 0 else { return a == b ? 1 : 0 }
        return Distributions.twoSidedNormalP((b - a) / variance.squareRoot())
    }

    /// Benjamini–Hochberg adjusted p-values (q), in the input's order.
    static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        let order = p.indices.sorted { p[$0] < p[$1] }
        var q = [Double](repeating: 1, count: p.count)
        var running = 1.0
        for (rank, index) in order.enumerated().reversed() {
            running = min(running, p[index] * Double(p.count) / Double(rank + 1))
            q[index] = min(1, running)
        }
        return q
    }
}
