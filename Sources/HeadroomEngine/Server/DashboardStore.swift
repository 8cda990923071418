import HeadroomCore
import HeadroomStore

/// What the web dashboard reads, whichever engine holds it: regressions, their rankings and verdicts, opportunities,
/// patches, each function's share series, the job queue, and flame graphs drawn from the stacks.
public protocol DashboardStore: RegressionStore, OpportunityStore {
    /// Changes whenever a profile of the service is stored: the key of cached flame graphs.
    func profileVersion(service: String) throws -> String
    /// Nothing for a known service; else a not-found error naming the known ones.
    func requireService(_ name: String) throws
    /// One function's samples in every bucket of its service, oldest first, with each bucket's total (0 where the
    /// function had none).
    func functionSeries(service: String, function: FunctionRef) throws
        -> [(bucket: Int64, total: Int64, selfSamples: Int64, totalSamples: Int64)]
    /// The pull request a patch was published as, if any.
    func publication(patch id: Int64) throws -> Publication?
    /// The newest jobs of the queue.
    func recentJobs(limit: Int) throws -> [Job]
    /// A flame graph of a range (differential against `baseline`), as `headroom flamegraph` draws it.
    func flameGraph(service: String, range: TimeRange, baseline: TimeRange?) throws -> String
}

extension Store: DashboardStore {
    public func recentJobs(limit: Int) throws -> [Job] { try jobs(limit: limit) }

    public func flameGraph(service: String, range: TimeRange, baseline: TimeRange?) throws -> String {
        try ProfileQueries(store: self).flameGraph(service: service, range: range, baseline: baseline)
    }
}
