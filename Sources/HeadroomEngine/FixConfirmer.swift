import Foundation
import HeadroomCore
import HeadroomStore

/// Confirms applied fixes in production. A fix is live from the first deploy of its service that contains it (its
/// applied commit or branch commit, by the imported history or the repository's, else the first deploy after it
/// was applied); then the function's cores per bucket after that deploy are tested against the buckets before it
/// (since the regression's onset), one-sided Mann–Whitney at `alpha`. Confirmed, the fix recovers the measured drop
/// (median before − median after); until then its saving stays the A/B estimate.
public struct FixConfirmer: Sendable {
    /// The store it reads.
    public let store: any ProgramStore
    /// Service cores where a bucket's profiles do not measure them.
    public let costs: CostModel
    /// The significance level.
    public var alpha = 0.05
    /// Buckets needed on each side of the deploy (the deploy's own bucket is mixed and skipped).
    public var minimumBuckets = 3
    /// At most this many buckets on each side: the level just before and the steady state just after.
    public var window = 14

    /// A value from its fields.
    public init(store: any ProgramStore, costs: CostModel = CostModel()) {
        self.store = store
        self.costs = costs
    }

    /// Where production stands on an applied patch's fix, with the buckets it read; nil for a patch with nothing to
    /// confirm (not applied, or neither a regression nor an opportunity the store knows).
    public func confirm(_ patch: PatchRecord, until: Int64 = Timestamps.now()) throws -> FixConfirmation? {
        guard patch.review == .applied else { return nil }
        let target: (service: String, function: FunctionRef, metric: CostMetric, since: Int64?)
        if let id = patch.regressionID, let regression = try? store.regression(id: id) {
            target = (regression.service, regression.function, regression.metric, regression.timestamp)
        } else if let id = patch.opportunityID, let opportunity = try? store.opportunity(id: id) {
            let metric: CostMetric = opportunity.shareBasis == "function-self" ? .selfShare : .totalShare
            target = (
                opportunity.service, FunctionRef(name: opportunity.function, file: opportunity.file), metric, nil
            )
        } else {
            return nil
        }
        guard let (deploy, match) = try liveDeploy(of: patch, service: target.service) else {
            return FixConfirmation(state: .awaitingDeploy, alpha: alpha, minimumBuckets: minimumBuckets)
        }
        let deployBucket = Store.bucket(for: deploy.time)
        let measured = Dictionary(
            try store.measuredCoresByBucket(service: target.service).map { ($0.bucket, $0.cores.cores) },
            uniquingKeysWith: { a, _ in a })
        var before: [FixConfirmation.Bucket] = []
        var after: [FixConfirmation.Bucket] = []
        for point in try store.functionSeries(service: target.service, function: target.function)
        where point.total > 0 && point.bucket <= until {
            // One basis for the whole comparison: where the profiles measure cores, buckets without a measurement
            // are left out rather than priced at the configured fleet size.
            guard measured.isEmpty || measured[point.bucket] != nil else { continue }
            let samples = target.metric == .selfShare ? point.selfSamples : point.totalSamples
            let share = Double(samples) / Double(point.total)
            let serviceCores = measured[point.bucket] ?? costs.fleetCores
            let row = FixConfirmation.Bucket(
                bucket: Timestamps.format(point.bucket), window: point.bucket < deployBucket ? "before" : "after",
                share: share, serviceCores: serviceCores, functionCores: share * serviceCores)
            if point.bucket < deployBucket, point.bucket >= (target.since ?? Int64.min) {
                before.append(row)
            } else if point.bucket > deployBucket {
                after.append(row)
            }
        }
        before = Array(before.suffix(window))
        after = Array(after.prefix(window))
        var result = FixConfirmation(
            state: .awaitingProfiles, deployCommit: deploy.commit, deployedAt: Timestamps.format(deploy.time),
            matchedBy: match, alpha: alpha, minimumBuckets: minimumBuckets, buckets: before + after)
        guard before.count >= minimumBuckets, after.count >= minimumBuckets else { return result }
        let beforeCores = before.map(\.functionCores)
        let afterCores = after.map(\.functionCores)
        result.coresBefore = Descriptive.median(beforeCores)
        result.coresAfter = Descriptive.median(afterCores)
        result.drop = Descriptive.median(beforeCores) - Descriptive.median(afterCores)
        let p = MannWhitney.lowerP(afterCores, beforeCores)
        result.pValue = p
        result.state = p < alpha && (result.drop ?? 0) > 0 ? .confirmed : .notConfirmed
        return result
    }

    /// The first deploy of `service` that contains the patch, and how that was decided.
    func liveDeploy(of patch: PatchRecord, service: String) throws -> (Deploy, FixConfirmation.Match)? {
        let deploys = try store.deploys(service: service).sorted { $0.time < $1.time }
        guard !deploys.isEmpty else { return nil }
        let commits = [patch.appliedCommit, patch.commit].compactMap { $0 }.filter { !$0.isEmpty }
        if !commits.isEmpty {
            let graph = try store.commitGraph()
            let git = try? Git(path: patch.repository)
            for deploy in deploys {
                if commits.contains(where: { deploy.commit.hasPrefix($0) || $0.hasPrefix(deploy.commit) }) {
                    return (deploy, .commit)
                }
                if commits.contains(where: { Self.isAncestor($0, of: deploy.commit, graph: graph, git: git) }) {
                    return (deploy, .ancestry)
                }
            }
            // The history knows the deploys' commits and none contains the fix: not live yet.
            if deploys.allSatisfy({ graph[$0.commit] != nil }) || git != nil { return nil }
        }
        guard let applied = patch.reviewedAt, let first = deploys.first(where: { $0.time >= applied }) else {
            return nil
        }
        return (first, .time)
    }

    /// Whether `commit` is an ancestor of `descendant`: by the imported history, else by the repository.
    static func isAncestor(_ commit: String, of descendant: String, graph: [String: [String]], git: Git?) -> Bool {
        if graph[descendant] != nil {
            var seen: Set<String> = []
            var frontier = [descendant]
            while let next = frontier.popLast() {
                guard seen.insert(next).inserted else { continue }
                if next.hasPrefix(commit) || commit.hasPrefix(next) { return true }
                frontier.append(contentsOf: graph[next] ?? [])
            }
            if seen.allSatisfy({ graph[$0] != nil }) { return false }
        }
        guard let git else { return false }
        return (try? git.run(["merge-base", "--is-ancestor", commit, descendant])) != nil
    }
}
