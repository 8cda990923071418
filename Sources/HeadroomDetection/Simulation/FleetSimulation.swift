import Foundation
import HeadroomCore

/// What happens to one simulated series.
public enum SimulatedKind: String, Sendable, CaseIterable, Codable {
    /// Nothing but noise (and perhaps a daily cycle).
    case clean
    /// A persistent step up (CPU share: worse).
    case regression
    /// A persistent step down.
    case improvement
    /// A step that comes back within the transient horizon.
    case transient
    /// One to three single-point spikes, or a burst shorter than a segment.
    case spike
    /// Cost moved from a sibling under the same parent: this one up, the partner down by the same amount.
    case shift
    /// A slow linear drift over the whole window.
    case drift
}

/// Ground truth of one simulated series.
public struct SimulatedTruth: Sendable, Equatable {
    public var series: String
    public var kind: SimulatedKind
    /// Point where the event starts (regression, improvement, transient, shift).
    public var index: Int?
    /// Transients: first point back at the old level.
    public var endIndex: Int?
    /// Step size in units of the series' minimum detectable effect at that position.
    public var sizeMDE: Double?
    public var before: Double
    public var after: Double
    /// Whether a daily cycle is laid over the series.
    public var seasonal: Bool
    /// Shifts: the sibling the cost moved from or to.
    public var partner: String?
}

/// Settings of `headroom simulate`.
public struct SimulationConfiguration: Sendable {
    public var services = 20
    public var functions = 50
    public var points = 336
    /// Seconds between points (an hour: 336 points are two weeks).
    public var interval: Int64 = 3600
    /// First timestamp: 2026-11-02T00:00:00Z.
    public var start: Int64 = 1_793_577_600
    public var seed: UInt64 = 1
    /// Mean samples per service per bucket (a day's load cycle moves it ±30%).
    public var samples: Int64 = 100_000
    /// Over-dispersion: each function's share wanders by this relative standard deviation between buckets
    /// (load mix, GC, co-tenants), on top of multinomial sampling noise.
    public var dispersion = 0.02
    /// Parents (handlers) per service; a function's parent is `index % handlers`.
    public var handlers = 4
    /// Share of a service's samples in the functions written (the rest is `other`).
    public var reportedMass = 0.6
    /// Chance that a series also carries a daily cycle.
    public var seasonalFraction = 0.3
    /// Relative weights of the scenarios.
    public var weights: [SimulatedKind: Double] = [
        .clean: 0.48, .regression: 0.12, .improvement: 0.06, .transient: 0.08, .spike: 0.14, .shift: 0.06, .drift: 0.06,
    ]
    /// Step sizes, in MDE units, drawn uniformly for regressions and improvements.
    public var stepSizes: [Double] = [0.5, 1, 1.5, 2, 3, 5]
    /// The detector settings the MDE is computed for.
    public var analysis = SeriesAnalysisConfiguration()

    public init() {}
}
