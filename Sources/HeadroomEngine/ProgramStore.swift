import HeadroomCore
import HeadroomStore

/// What the program reads, whichever engine holds it: the fixes' records (regressions, patches, opportunities,
/// deploys, registered repositories), each function's share series, the service's cores as its profiles measure
/// them, and its stacks split by a label. The savings accounting (`MetricsService`), production's confirmation of
/// applied fixes (`FixConfirmer`), capacity plans (`PlanService`), personal queues (`InboxService`) and experiments
/// by label (`ExperimentService`) are written against it.
public protocol ProgramStore: FixStore, DashboardStore {
    /// The service's measured cores per bucket, ascending (none where its profiles do not measure them).
    func measuredCoresByBucket(service: String) throws -> [(bucket: Int64, cores: MeasuredCores)]
    /// The service's measured cores per `step` seconds of its profiles' starts, ascending.
    func measuredCoresSeries(service: String, step: Int64) throws -> [(start: Int64, cores: MeasuredCores)]
    /// Per bucket in `[from, to]`, the samples of the service's stacks whose label `key` has each of `values`, with
    /// each function's (by id) self and total samples.
    func armBuckets(service: String, key: String, values: [String], from: Int64?, to: Int64?) throws
        -> [String: [ArmBucket]]
    /// The names of function ids.
    func functionNames(ids: [Int64]) throws -> [Int64: FunctionRef]
}

extension Store: ProgramStore {
    public func functionNames(ids: [Int64]) throws -> [Int64: FunctionRef] { try functions(ids: ids) }
}

extension TeamStore: ProgramStore {
    public func measuredCoresByBucket(service: String) throws -> [(bucket: Int64, cores: MeasuredCores)] {
        try measuredCoresSeries(service: service, step: Store.bucketSeconds).map { (bucket: $0.start, cores: $0.cores) }
    }

    public func measuredCoresSeries(service: String, step: Int64) throws -> [(start: Int64, cores: MeasuredCores)] {
        let profiles = profiles
        return try AsyncBridge.blocking { try await profiles.measuredCoresSeries(service: service, step: step) }
    }

    public func armBuckets(service: String, key: String, values: [String], from: Int64?, to: Int64?) throws
        -> [String: [ArmBucket]]
    {
        let profiles = profiles
        return try AsyncBridge.blocking {
            try await profiles.armBuckets(service: service, key: key, values: values, from: from, to: to)
        }
    }

    public func functionNames(ids: [Int64]) throws -> [Int64: FunctionRef] {
        let profiles = profiles
        return try AsyncBridge.blocking { try await profiles.functionNames(ids) }
    }
}
