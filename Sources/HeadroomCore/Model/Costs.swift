/// Converts a share of samples (gCPU) into cores and watts.
public struct CostModel: Sendable, Equatable {
    /// Cores the service runs on across the fleet.
    public var fleetCores: Double
    /// Power per busy core; 10 W is a typical per-core share of a modern server's draw under load.
    public var wattsPerCore: Double

    public init(fleetCores: Double = 1000, wattsPerCore: Double = 10) {
        self.fleetCores = fleetCores
        self.wattsPerCore = wattsPerCore
    }

    /// Cores that a share of the service's CPU represents.
    public func cores(forShare share: Double) -> Double { share * fleetCores }
    /// Watts that a share of the service's CPU represents.
    public func watts(forShare share: Double) -> Double { cores(forShare: share) * wattsPerCore }
}
