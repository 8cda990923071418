import Foundation
import HeadroomCore

/// One function's change in share between two ranges.
public struct FunctionDelta: Sendable, Equatable {
    public var function: FunctionRef
    public var beforeSamples: Int64
    public var afterSamples: Int64
    public var beforeShare: Double
    public var afterShare: Double
    /// After minus before, as a fraction of all samples (0.01 = one percentage point).
    public var change: Double { afterShare - beforeShare }
    /// Relative change of the share (nil when it was zero before).
    public var relative: Double? { beforeShare > 0 ? afterShare / beforeShare - 1 : nil }
    public var zScore: Double
    /// Two-sided p-value of the two-proportion test.
    public var pValue: Double
    /// Significant after Bonferroni over every function compared.
    public var significant: Bool
}

/// Compares two ranges of a profile function by function.
///
/// Each function's samples are a count out of its range's total, so the shares are compared with the pooled
/// two-proportion z-test (the normal approximation of the binomial; with tens of thousands of samples per range it is
/// accurate to the p-values that matter). Profiles are somewhat over-dispersed — samples of one request come in
/// bursts — so a significance level is Bonferroni-corrected over all functions and small effects are left to
/// `headroom detect`, which estimates the dispersion from the series. Rows are sorted by impact: the absolute change
/// in share, that is in CPU.
public enum ProfileDiff {
    public static func compare(
        before: [FunctionRef: Int64], beforeTotal: Int64, after: [FunctionRef: Int64], afterTotal: Int64,
        alpha: Double = 0.001
    ) -> [FunctionDelta] {
        let functions = Set(before.keys).union(after.keys)
        let n1 = Double(max(beforeTotal, 1))
        let n2 = Double(max(afterTotal, 1))
        let threshold = alpha / Double(max(functions.count, 1))
        return functions.map { function in
            let x1 = Double(before[function] ?? 0)
            let x2 = Double(after[function] ?? 0)
            let p1 = x1 / n1
            let p2 = x2 / n2
            let pooled = (x1 + x2) / (n1 + n2)
            let se = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
            let z = se > 0 ? (p2 - p1) / se : 0
            let p = se > 0 ? Distributions.twoSidedNormalP(z) : 1
            return FunctionDelta(
                function: function, beforeSamples: Int64(x1), afterSamples: Int64(x2), beforeShare: p1, afterShare: p2,
                zScore: z, pValue: p, significant: p < threshold && beforeTotal > 0 && afterTotal > 0)
        }.sorted {
            abs($0.change) != abs($1.change) ? abs($0.change) > abs($1.change) : $0.function.description < $1.function.description
        }
    }
}
