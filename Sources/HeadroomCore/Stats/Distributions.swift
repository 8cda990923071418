import Foundation

/// Tail probabilities used by the significance tests.
public enum Distributions {
    /// Standard normal CDF, Φ(z) = erfc(−z/√2)/2.
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// Two-sided p-value of a standard normal statistic.
    public static func twoSidedNormalP(_ z: Double) -> Double { min(1, erfc(abs(z) / 2.0.squareRoot())) }

    /// Survival function of χ² with one degree of freedom: P(X > x) = erfc(√(x/2)).
    public static func chiSquared1SF(_ x: Double) -> Double { x <= 0 ? 1 : erfc((x / 2).squareRoot()) }
}

/// A small, fast, seedable generator (SplitMix64, Steele et al. 2014) so resampling is reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
