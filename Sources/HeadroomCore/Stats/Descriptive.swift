/// Order statistics over samples.
public enum Descriptive {
    /// The median; the mean of the two middle values for an even count. Empty input gives NaN.
    public static func median(_ values: [Double]) -> Double { quantile(values, 0.5) }

    /// The q-quantile by linear interpolation between order statistics (Hyndman & Fan type 7).
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// The arithmetic mean; NaN when empty.
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }
}
