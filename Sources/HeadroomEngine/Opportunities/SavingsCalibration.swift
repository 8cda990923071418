import HeadroomCore
import HeadroomStore

/// Per pattern, how much of an opportunity's measured share its validated fixes really saved: the factor that turns
/// a share into a predicted saving. A pattern's default factor holds until it has `minimumPoints` validations; then
/// the median of measured saving ÷ share (clamped to 0…1) replaces it.
public struct SavingsCalibration: Sendable {
    /// Validations a pattern needs before its calibrated factor replaces the default.
    public static let minimumPoints = 3

    /// One pattern's calibration, as `opportunities --calibration` shows it.
    public struct Row: Codable, Sendable, Equatable {
        /// The pattern.
        public var pattern: String
        /// Its validated fixes.
        public var validations: Int
        /// How many of them were significant gains.
        public var significant: Int
        /// The factor before calibration.
        public var defaultFactor: Double
        /// The calibrated factor; nil below `minimumPoints` validations.
        public var calibratedFactor: Double?
        /// The factor the scan uses now.
        public var factor: Double
        /// Median of predicted ÷ measured saving over significant fixes (1 is perfect; nil without any).
        public var medianRatio: Double?
        /// Significant fixes whose prediction was within 2× of the measured saving, and over 3× it.
        public var within2x: Int
        /// Significant fixes whose prediction was over 3× the measured saving.
        public var over3x: Int
    }

    /// `opportunities --calibration --format json`: every pattern's row and the points behind them.
    public struct Report: Codable, Sendable, Equatable {
        /// Every pattern's row.
        public var calibration: [Row]
        /// The points behind them, oldest first.
        public var points: [CalibrationPoint]

        /// A report from its rows and points.
        public init(calibration: [Row], points: [CalibrationPoint]) {
            self.calibration = calibration
            self.points = points
        }
    }

    /// The validated fixes' predicted and measured savings.
    public var points: [CalibrationPoint]

    /// A calibration over `points`.
    public init(points: [CalibrationPoint]) { self.points = points }

    /// The calibration of every point `store` holds.
    public init(store: any OpportunityStore) throws { points = try store.calibration(pattern: nil) }

    /// The factor for `pattern`: calibrated when it has enough validations, else `defaultFactor`.
    public func factor(pattern: String, defaultFactor: Double) -> Double {
        row(pattern: pattern, defaultFactor: defaultFactor).factor
    }

    /// Every pattern the scanner knows, with its default factor, by name.
    public func rows() -> [Row] {
        OpportunityScanner.patterns.keys.filter { !$0.contains(":") }.sorted().map { pattern in
            row(pattern: pattern, defaultFactor: OpportunityScanner.patterns[pattern]?.reduction ?? 0.5)
        }
    }

    /// One pattern's row, with `defaultFactor` until it has enough validations.
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
