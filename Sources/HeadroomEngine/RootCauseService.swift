import HeadroomCore
import HeadroomRootCause
import HeadroomStore

/// Ranks and stores the culprits of a stored regression.
public struct RootCauseService: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Ranks candidates for regression `id` from the stored commits and deploys, stores and returns them.
    public func run(regression id: Int64) throws -> (regression: Regression, candidates: [RootCauseCandidate]) {
        let regression = try store.regression(id: id)
        let deploys = try store.deploys(service: regression.service)
        guard !deploys.isEmpty else {
            throw HeadroomError(.notFound, "no deploys recorded for service \(regression.service) "
                + "(headroom deploys add, or headroom demo)")
        }
        let commits = try store.commits()
        let ranked = RootCauseRanker(bucketSeconds: Store.bucketSeconds).rank(
            regression: regression, commits: commits, deploys: deploys)
        try store.saveCandidates(ranked, regression: id)
        return (regression, ranked)
    }
}
