import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomRootCause
import HeadroomStore

/// Gathers what ranking needs for a stored regression — the changes made live around its onset, the stacks before
/// and after it, the regressed code — ranks the candidates and stores them.
public struct RootCauseService: Sendable {
    /// The store of regressions, changes and deploys: SQLite, or team mode's database (`TeamStore`).
    public let store: any RootCauseStore
    /// The ranker and its feature weights.
    public var ranker = RootCauseRanker()
    /// Buckets of stacks compared on each side of the onset.
    public var stackBuckets = 3

    /// A service over `store` with the default ranker.
    public init(store: any RootCauseStore) { self.store = store }

    /// Ranks the changes behind regression `id` and stores the ranking; no change in its window is a not-found error.
    public func run(regression id: Int64) throws -> (regression: Regression, candidates: [RootCauseCandidate]) {
        let regression = try store.regression(id: id)
        let context = try context(for: regression)
        guard !context.changes.isEmpty || !context.opaqueDeploys.isEmpty else {
            throw HeadroomError(
                .notFound,
                "no deploys or configuration changes recorded around the onset of "
                    + "regression #\(id) in \(regression.service) (headroom deploys import, headroom changes import)")
        }
        let ranked = ranker.rank(context)
        try store.saveCandidates(ranked, regression: id)
        return (regression, ranked)
    }

    func window(_ regression: Regression) -> (start: Int64, end: Int64) {
        RootCauseContext.onsetWindow(regression, bucketSeconds: Store.bucketSeconds)
    }

    /// The service's deploys, and the indices of those inside the window plus the nearest one on each side (the
    /// window's uncertainty).
    func chosenDeploys(_ regression: Regression) throws -> (deploys: [Deploy], chosen: [Int]) {
        let (start, end) = window(regression)
        let deploys = try store.deploys(service: regression.service)
        var chosen = deploys.indices.filter { deploys[$0].time > start && deploys[$0].time <= end }
        if let before = deploys.indices.last(where: { deploys[$0].time <= start }) { chosen.insert(before, at: 0) }
        if let after = deploys.indices.first(where: { deploys[$0].time > end }) { chosen.append(after) }
        return (deploys, chosen)
    }

    /// The commit range the candidates were drawn from, for bisection: the deploy before the first chosen one
    /// (good) to the last chosen deploy (bad), in the repository they were imported from.
    public func candidateRange(for regression: Regression) throws -> (repository: String, good: String, bad: String) {
        let (deploys, chosen) = try chosenDeploys(regression)
        guard let first = chosen.first, let last = chosen.last, first > 0 else {
            throw HeadroomError(.notFound, "bisect needs a deploy of \(regression.service) before the onset window")
        }
        let good = deploys[first - 1].commit
        let bad = deploys[last].commit
        guard let repository = try store.repository(ofCommit: bad), FileManager.default.fileExists(atPath: repository)
        else {
            throw HeadroomError(
                .notFound, "the repository of \(bad.prefix(10)) is not on this machine; bisect needs it")
        }
        return (repository, good, bad)
    }

    /// The changes live in a regression's onset window, with the functions they touched and the regressed frames.
    public func context(for regression: Regression) throws -> RootCauseContext {
        let (start, end) = window(regression)
        let width = max(end - start, Store.bucketSeconds)
        let (deploys, chosen) = try chosenDeploys(regression)
        let graph = CommitGraph(parents: try store.commitGraph())
        var live: [(sha: String, deploy: Deploy, size: Int)] = []
        var opaque: [Deploy] = []
        var seen = Set<String>()
        for index in chosen {
            let deploy = deploys[index]
            guard graph.contains(deploy.commit) else {
                opaque.append(deploy)
                continue
            }
            let base = index > 0 ? deploys[index - 1].commit : nil
            let shas = graph.range(from: base, to: deploy.commit).filter { seen.insert($0).inserted }
            live += shas.map { ($0, deploy, shas.count) }
        }
        let commits = Dictionary(
            try store.commits(shas: live.map(\.sha)).map { ($0.sha, $0) },
            uniquingKeysWith: { a, _ in a })
        var changes = live.compactMap { entry in
            commits[entry.sha].map {
                LiveChange(
                    commit: $0, liveAt: entry.deploy.time, deploy: entry.deploy,
                    deploySize: entry.size)
            }
        }
        changes += try store.configCommits(from: start - width, to: end + width)
            .filter { $0.service == nil || $0.service == regression.service }
            .map { LiveChange(commit: $0, liveAt: $0.time, deploy: nil, deploySize: 0) }

        let attribution = try stackAttribution(regression)
        var code: [FunctionRef: String] = [:]
        if changes.contains(where: { !$0.commit.configKeys.isEmpty }) {
            let revision = deploys.first(where: { $0.time > start })?.commit ?? deploys.last?.commit
            code = (try? regressedCode(regression, attribution: attribution, revision: revision)) ?? [:]
        }
        return RootCauseContext(
            regression: regression, bucketSeconds: Store.bucketSeconds, changes: changes, opaqueDeploys: opaque,
            attribution: attribution, code: code)
    }

    /// The stacks of up to `stackBuckets` buckets on each side of the onset, not crossing another onset.
    func stackAttribution(_ regression: Regression) throws -> StackAttribution? {
        let buckets = try store.buckets(service: regression.service)
        let onsets = try store.regressions(service: regression.service).map(\.timestamp)
        let lower = onsets.filter { $0 <= regression.previousTimestamp }.max() ?? Int64.min
        let upper = onsets.filter { $0 > regression.timestamp }.min() ?? Int64.max
        let before = buckets.filter { $0 >= lower && $0 <= regression.previousTimestamp }.suffix(stackBuckets)
        let after = buckets.filter { $0 >= regression.timestamp && $0 < upper }.prefix(stackBuckets)
        guard let b0 = before.first, let b1 = before.last, let a0 = after.first, let a1 = after.last else { return nil }
        func window(_ from: Int64, _ to: Int64) throws -> StackWindow {
            let (total, stacks) = try store.stacks(service: regression.service, from: from, to: to, label: nil)
            return StackWindow(total: total, stacks: stacks.map { ($0.frames, $0.samples) })
        }
        let attribution = StackAttribution(
            regression: regression, before: try window(b0, b1), after: try window(a0, a1))
        return attribution.isEmpty ? nil : attribution
    }

    /// Source of the regressed function and the top functions on its rising stacks, at the deployed revision.
    func regressedCode(_ regression: Regression, attribution: StackAttribution?, revision: String?) throws
        -> [FunctionRef: String]
    {
        guard let revision, let repository = try store.repository(ofCommit: revision),
            FileManager.default.fileExists(atPath: repository)
        else { return [:] }
        let onStacks = (attribution?.framesOnRisingStacks ?? [:]).sorted { $0.value > $1.value }.prefix(12).map(\.key)
        let functions = [regression.function] + regression.members.map(\.function) + onStacks
        return try FunctionSourceReader(git: Git(path: repository)).sources(of: functions, at: revision)
    }
}

extension RootCauseService {
    /// `headroom rootcause`: the regression, its ranked candidates (stored), and with `bisect` the bisection of the
    /// candidate range (the deploy before the onset window to the last deploy in it) with that benchmark.
    public func investigate(
        regression id: Int64, limit: Int? = nil, bisect: Bisector? = nil,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> (regression: Regression, report: RootCauseReport) {
        var report = try RootCauseReport(service: self, regression: id, limit: limit)
        let regression = try store.regression(id: id)
        if let bisect {
            let range = try candidateRange(for: regression)
            report.bisect = try bisect.bisect(
                repository: range.repository, good: range.good, bad: range.bad, progress: progress)
        }
        return (regression, report)
    }
}
