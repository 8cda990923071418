import HeadroomCore
import HeadroomStore

/// What the program's figures read, whichever engine holds it: the fixes' records (regressions, patches,
/// opportunities, deploys), each function's share series, and the service's cores as its profiles measure them per
/// bucket. The savings accounting (`MetricsService`) and production's confirmation of applied fixes
/// (`FixConfirmer`) are written against it.
public protocol ProgramStore: FixStore, DashboardStore {
    /// The service's measured cores per bucket, ascending (none where its profiles do not measure them).
    func measuredCoresByBucket(service: String) throws -> [(bucket: Int64, cores: MeasuredCores)]
}

extension Store: ProgramStore {}

extension TeamStore: ProgramStore {
    public func measuredCoresByBucket(service: String) throws -> [(bucket: Int64, cores: MeasuredCores)] {
        let profiles = profiles
        return try AsyncBridge.blocking {
            try await profiles.measuredCoresSeries(service: service, step: Store.bucketSeconds)
        }.map { (bucket: $0.start, cores: $0.cores) }
    }
}
