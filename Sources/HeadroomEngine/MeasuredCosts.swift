import HeadroomCore
import HeadroomStore

extension RegressionStore {
    /// `fallback` with the service's cores measured by its profiles since `since` (all of them with nil), when its
    /// profiles say their CPU and wall time: the fleet size is only the fallback.
    public func costs(service: String, since: Int64? = nil, fallback: CostModel) -> CostModel {
        fallback.measured((try? measuredCores(service: service, from: since, to: nil))??.cores)
    }

    /// The cost model for one regression: its service's cores measured over the profiles since its onset (the
    /// level it now runs at), else since ever, else `fallback`.
    public func costs(for regression: Regression, fallback: CostModel) -> CostModel {
        let since = costs(service: regression.service, since: regression.timestamp, fallback: fallback)
        return since.basis == .profile ? since : costs(service: regression.service, fallback: fallback)
    }
}

extension Regression {
    /// This regression's report, its cores measured by its service's profiles where they say.
    public func report(store: any RegressionStore, fallback: CostModel) -> RegressionReport {
        RegressionReport(self, costs: store.costs(for: self, fallback: fallback))
    }
}
