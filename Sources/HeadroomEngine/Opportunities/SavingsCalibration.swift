import HeadroomCore
import HeadroomStore

/// Per pattern, how much of an opportunity's measured share its validated fixes really saved: the factor that turns
/// a share into a predicted saving. A pattern's default factor holds until it has `minimumPoints` validations; then
/// the median of measured saving ÷ share (clamped to 0…1) replaces it.
public struct SavingsCalibration: Sendable {
    public static let minimumPoints = 3

    /// One pattern's calibration, as `opportunities --calibration` shows it.
    public struct Row: Codable, Sendable, Equatable {
        public var pattern: String
        public var validations: Int
        public var significant: Int
        public var defaultFactor: Double
        /// The calibrated factor; nil below `minimumPoints` validations.
        public var calibratedFactor: Double?
        /// The factor the scan uses now.
        public var factor: Double
        /// Median of predicted ÷ measured saving over significant fixes (1 is perfect; nil without any).
        public var medianRatio: Double?
        /// Significant fixes whose prediction was within 2× of the measured saving, and over 3× it.
        public var within2x: Int
        public var over3x: Int
    }

    /// `opportunities --calibration --format json`: every pattern's row and the points behind them.
    public struct Report: Codable, Sendable, Equatable {
        public var calibration: [Row]
        public var points: [CalibrationPoint]

        public init(calibration: [Row], points: [CalibrationPoint]) {
            self.calibration = calibration
            self.points = points
        }
    }

    public var points: [CalibrationPoint]

    public init(points: [CalibrationPoint]) { self.points = points }

    public init(store: Store) throws { points = try store.calibration() }

    /// The factor for `pattern`: calibrated when it has enough validations, else `defaultFactor`.
    public func factor(pattern: String, defaultFactor: Double) -> Double {
        row(pattern: pattern, defaultFactor: defaultFactor).factor
    }

    /// Every pattern the scanner knows, with its default factor, by name.
    public func rows() -> [Row] {
        OpportunityScanner.patterns.keys.sorted().map { pattern in
            row(pattern: pattern, defaultFactor: OpportunityScanner.patterns[pattern]?.reduction ?? 0.5)
        }
    }

    public func row(pattern: String, defaultFactor: Double) -> Row {
        let mine = points.filter { $0.pattern == pattern && $0.share > 0 }
        let calibrated =
            mine.count >= Self.minimumPoints
            ? Self.median(mine.map { min(1, max(0, $0.measured / $0.share)) }) : nil
        let significant = mine.filter { $0.significant && $0.measured > 0 }
        let ratios = significant.map { $0.predicted / $0.measured }
        return Row(
            pattern: pattern, validations: mine.count, significant: significant.count, defaultFactor: defaultFactor,
            calibratedFactor: calibrated, factor: calibrated ?? defaultFactor,
            medianRatio: ratios.isEmpty ? nil : Self.median(ratios),
            within2x: ratios.filter { $0 >= 0.5 && $0 <= 2 }.count, over3x: ratios.filter { $0 > 3 }.count)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
