/// Percentile bootstrap (Efron & Tibshirani 1993, ch. 13) for the ratio of two medians.
public enum Bootstrap {
    /// A confidence interval for median(before) / median(after), i.e. the speed-up of `after`.
    /// - Parameters:
    ///   - level: the coverage, e.g. 0.95.
    ///   - resamples: bootstrap replicates; 2,000 keeps the 2.5% tails stable to about ±0.01.
    ///   - seed: makes the interval reproducible.
    public static func medianRatioInterval(
        before: [Double], after: [Double], level: Double = 0.95, resamples: Int = 2000, seed: UInt64 = 0x4845_4144
    ) -> (lower: Double, upper: Double) {
        guard !before.isEmpty, !after.isEmpty else { return (.nan, .nan) }
        var rng = SplitMix64(seed: seed)
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let b = (0..<before.count).map { _ in before[Int(rng.next() % UInt64(before.count))] }
            let a = (0..<after.count).map { _ in after[Int(rng.next() % UInt64(after.count))] }
            let denominator = Descriptive.median(a)
            if denominator > 0 { ratios.append(Descriptive.median(b) / denominator) }
        }
        let tail = (1 - level) / 2
        return (Descriptive.quantile(ratios, tail), Descriptive.quantile(ratios, 1 - tail))
    }
}
