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

extension Distributions {
    /// Survival function of Snedecor's F(1, d): P(X > x) = two-sided Student-t p-value of t = √x with d degrees of
    /// freedom = I_{d/(d+x)}(d/2, 1/2), the regularized incomplete beta function.
    public static func f1SF(_ x: Double, denominatorDF d: Double) -> Double {
        guard x > 0 else { return 1 }
        return regularizedIncompleteBeta(d / (d + x), a: d / 2, b: 0.5)
    }

    /// I_x(a, b) by Lentz's continued fraction (Numerical Recipes 3rd ed., §6.4), using the symmetry
    /// I_x(a,b) = 1 − I_{1−x}(b,a) where the fraction converges slowly.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logBeta + logPowers
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a, b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, b, a) / b
    }

    private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-14 { break }
        }
        return h
    }
}
