import HeadroomCore
import HeadroomRootCause
import HeadroomStore

extension RootCauseReport {
    /// Ranks the culprits of regression `id` (and stores the ranking), keeping the first `limit` candidates.
    public init(service: RootCauseService, regression id: Int64, limit: Int? = nil, bisect: Bisector.Outcome? = nil)
        throws
    {
        let (found, ranked) = try service.run(regression: id)
        let kept = limit.map { Array(ranked.prefix($0)) } ?? ranked
        let window = RootCauseContext.onsetWindow(found, bucketSeconds: Store.bucketSeconds)
        let repository = try kept.first { $0.kind != .deploy }.flatMap {
            try service.store.repository(ofCommit: $0.ref)
        }
        self.init(
            regression: id, service: found.service, function: found.function.description,
            onset: [Timestamps.format(window.start), Timestamps.format(window.end)], repository: repository,
            repositoryName: repository.flatMap { RepositoryRegistry(store: service.store).name(ofRoot: $0) },
            candidates: kept.map(Candidate.init), weights: service.ranker.weights.byName, bisect: bisect)
    }
}
