/// Converts a share of samples (gCPU) into cores and watts.
public struct CostModel: Sendable, Equatable {
    /// Where the cores behind a share come from.
    public enum Basis: String, Sendable, Codable {
        /// Measured by the service's own profiles: their CPU seconds over the wall time they cover.
        case profile
        /// The configured fleet size (`--fleet-cores`, `[cost] fleet_cores`): the fallback.
        case fleet
    }

    /// Cores the service runs on across the fleet: the cores behind a share of 1.0.
    public var fleetCores: Double
    /// Power per busy core; 10 W is a typical per-core share of a modern server's draw under load.
    public var wattsPerCore: Double
    /// Whether `fleetCores` was measured or configured.
    public var basis: Basis

    public init(fleetCores: Double = 1000, wattsPerCore: Double = 10, basis: Basis = .fleet) {
        self.fleetCores = fleetCores
        self.wattsPerCore = wattsPerCore
        self.basis = basis
    }

    /// This model with the service's measured cores in place of the fleet size, when there are any.
    public func measured(_ cores: Double?) -> CostModel {
        guard let cores, cores.isFinite, cores >= 0 else { return self }
        return CostModel(fleetCores: cores, wattsPerCore: wattsPerCore, basis: .profile)
    }

    /// Cores that a share of the service's CPU represents.
    public func cores(forShare share: Double) -> Double { share * fleetCores }
    /// Watts that a share of the service's CPU represents.
    public func watts(forShare share: Double) -> Double { cores(forShare: share) * wattsPerCore }
}
