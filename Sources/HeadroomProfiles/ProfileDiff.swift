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
        alpha: Double = 0.001, limit: Int? = nil
    ) -> [FunctionDelta] {
        var functions: [FunctionRef] = []
        var index: [FunctionRef: Int64] = [:]
        func key(_ function: FunctionRef) -> Int64 {
            if let known = index[function] { return known }
            functions.append(function)
            index[function] = Int64(functions.count - 1)
            return Int64(functions.count - 1)
        }
        let beforeByKey = Dictionary(uniqueKeysWithValues: before.map { (key($0.key), $0.value) })
        let afterByKey = Dictionary(uniqueKeysWithValues: after.map { (key($0.key), $0.value) })
        return compare(
            before: beforeByKey, beforeTotal: beforeTotal, after: afterByKey, afterTotal: afterTotal,
            alpha: alpha, limit: limit
        ) { keys in
            Dictionary(uniqueKeysWithValues: keys.map { ($0, functions[Int($0)]) })
        }
    }

    /// The same keyed by the store's function ids (not generic: unspecialised generics across modules cost more
    /// than the arithmetic). With `limit`, only the `limit` largest changes are returned, and `names` is asked to
    /// name just those (and any tied with the last of them); ids it cannot name are left out. Significance is still
    /// corrected over every function compared.
    public static func compare(
        before: [Int64: Int64], beforeTotal: Int64, after: [Int64: Int64], afterTotal: Int64, alpha: Double = 0.001,
        limit: Int? = nil, names: ([Int64]) throws -> [Int64: FunctionRef]
    ) rethrows -> [FunctionDelta] {
        var keys = Set(before.keys)
        keys.formUnion(after.keys)
        let n1 = Double(max(beforeTotal, 1))
        let n2 = Double(max(afterTotal, 1))
        let threshold = alpha / Double(max(keys.count, 1))
        // Rank on the numbers first; names (and p-values) only for the rows kept.
        var ranked = keys.map { key -> (key: Int64, x1: Double, x2: Double, impact: Double) in
            let x1 = Double(before[key] ?? 0)
            let x2 = Double(after[key] ?? 0)
            return (key, x1, x2, abs(x2 / n2 - x1 / n1))
        }
        ranked.sort { $0.impact > $1.impact }
        if let limit, limit < ranked.count {
            // Keep the whole tie at the cut, which the name order below decides.
            let cut = ranked[max(limit, 1) - 1].impact
            ranked = Array(ranked.prefix { $0.impact >= cut })
        }
        let named = try names(ranked.map(\.key))
        let deltas = ranked.compactMap { row -> FunctionDelta? in
            guard let function = named[row.key] else { return nil }
            let p1 = row.x1 / n1
            let p2 = row.x2 / n2
            let pooled = (row.x1 + row.x2) / (n1 + n2)
            let se = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
            let z = se > 0 ? (p2 - p1) / se : 0
            let p = se > 0 ? Distributions.twoSidedNormalP(z) : 1
            return FunctionDelta(
                function: function, beforeSamples: Int64(row.x1), afterSamples: Int64(row.x2), beforeShare: p1,
                afterShare: p2, zScore: z, pValue: p, significant: p < threshold && beforeTotal > 0 && afterTotal > 0)
        }.sorted { a, b in
            // Ties (common: every function without self samples has change 0) by name, then file, without
            // building strings per comparison.
            let (x, y) = (abs(a.change), abs(b.change))
            if x != y { return x > y }
            if a.function.name != b.function.name { return a.function.name < b.function.name }
            return (a.function.file ?? "") < (b.function.file ?? "")
        }
        return limit.map { Array(deltas.prefix($0)) } ?? deltas
    }
}
