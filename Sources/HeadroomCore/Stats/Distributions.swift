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

extension Distributions {
    /// Survival function of F(d1, d2): P(X > x) = I_{d2/(d2+d1·x)}(d2/2, d1/2).
    public static func fSF(_ x: Double, numeratorDF d1: Double, denominatorDF d2: Double) -> Double {
        guard x > 0 else { return 1 }
        return regularizedIncompleteBeta(d2 / (d2 + d1 * x), a: d2 / 2, b: d1 / 2)
    }

    /// The standard normal quantile Φ⁻¹(p), by Acklam's rational approximation (relative error < 1.2e-9)
    /// refined with one Halley step against `normalCDF`.
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x =
                (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5
            let r = q * q
            x =
                (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x =
                -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}

extension SplitMix64 {
    /// A uniform double in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal draw (Box–Muller, one of the pair).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// k ~ Binomial(n, p): the normal approximation with continuity when n·p·(1−p) ≥ 25 (its error is far below
    /// the sampling noise there), otherwise exact inversion of the CDF (O(n·p) steps, and n·p is small then).
    public mutating func binomial(n: Int64, p: Double) -> Int64 {
        guard n > 0, p > 0 else { return 0 }
        guard p < 1 else { return n }
        let q = min(p, 1 - p)
        let mean = Double(n) * q
        var k: Int64
        if mean * (1 - q) >= 25 {
            k = min(max(Int64((mean + (mean * (1 - q)).squareRoot() * normal()).rounded()), 0), n)
        } else {
            // Inversion (Kachitvichyanukul & Schmeiser's BINV): walk the pmf from 0 until the uniform is spent.
            let s = q / (1 - q)
            let a = Double(n + 1) * s
            var r = pow(1 - q, Double(n))
            var u = uniform()
            k = 0
            while u > r, k < n {
                u -= r
                k += 1
                r *= a / Double(k) - s
                if r <= 0 { break }
            }
        }
        return q == p ? k : n - k
    }
}
