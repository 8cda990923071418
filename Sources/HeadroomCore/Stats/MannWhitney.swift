/// The Mann–Whitney U test (Mann & Whitney 1947) with the normal approximation and tie correction.
public enum MannWhitney {
    /// The test's statistic and two-sided p-value.
    public struct Result: Sendable, Equatable {
        /// U for the first sample: the number of (a, b) pairs with a > b, ties counting one half.
        public var u: Double
        public var z: Double
        public var pValue: Double
    }

    /// Tests whether `a` and `b` come from the same distribution.
    /// - Complexity: O((n+m) log(n+m)).
    public static func test(_ a: [Double], _ b: [Double]) -> Result {
        let n1 = Double(a.count)
        let n2 = Double(b.count)
        guard n1 > 0, n2 > 0 else { return Result(u: 0, z: 0, pValue: 1) }
        let pooled = (a.map { ($0, 0) } + b.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        var ranks = [Double](repeating: 0, count: pooled.count)
        var tieTerm = 0.0
        var i = 0
        while i < pooled.count {
            var j = i
            while j + 1 < pooled.count, pooled[j + 1].0 == pooled[i].0 { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[k] = rank }
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            i = j + 1
        }
        var rankSumA = 0.0
        for (index, item) in pooled.enumerated() where item.1 == 0 { rankSumA += ranks[index] }
        let u = rankSumA - n1 * (n1 + 1) / 2
        let n = n1 + n2
        let mean = n1 * n2 / 2
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return Result(u: u, z: 0, pValue: 1) }
        // Continuity correction of one half towards the mean.
        let delta = u - mean
        let corrected = delta == 0 ? 0 : delta - (delta > 0 ? 0.5 : -0.5)
        let z = corrected / variance.squareRoot()
        return Result(u: u, z: z, pValue: Distributions.twoSidedNormalP(z))
    }

    /// The one-sided p-value of "`a` tends to be lower than `b`": P(U ≤ u) for U counted for `a`. Exact (the
    /// permutation distribution of U) when there are no ties and both samples are small, so a window of a few
    /// buckets is not called significant by the normal approximation's optimism; the normal approximation with tie
    /// and continuity correction otherwise.
    public static func lowerP(_ a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 1 }
        let result = test(a, b)
        let hasTies = Set(a + b).count < a.count + b.count
        guard !hasTies, a.count * b.count <= 2_500 else {
            return Distributions.normalCDF(result.z)
        }
        // count[m][n][k]: orderings of m a's and n b's with U = k, built up one element at a time.
        let m = a.count
        let n = b.count
        let maximum = m * n
        // row[j][k] for the current i (a's used), over j b's used.
        var previous = [[Double]](repeating: [Double](repeating: 0, count: maximum + 1), count: n + 1)
        for j in 0...n { previous[j][0] = 1 }  // i = 0: U = 0 whatever j
        for i in 1...m {
            var current = [[Double]](repeating: [Double](repeating: 0, count: maximum + 1), count: n + 1)
            current[0][0] = 1  // j = 0: U = 0
            for j in 1...n {
                for k in 0...(i * j) {
                    // The largest element is an a (it beats all j b's) or a b (it adds nothing).
                    var ways = current[j - 1][k]
                    if k >= j { ways += previous[j][k - j] }
                    current[j][k] = ways
                }
            }
            previous = current
        }
        let distribution = previous[n]
        let total = distribution.reduce(0, +)
        let observed = Int(result.u.rounded())
        let tail = distribution[0...min(observed, maximum)].reduce(0, +)
        return min(1, tail / total)
    }
}
