import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore
import HeadroomTesting
import Testing

@Suite("savings calibration", .ownThreads)
struct CalibrationTests {
    func point(_ id: Int64, _ pattern: String, share: Double, factor: Double, speedup: Double, significant: Bool = true)
        -> CalibrationPoint
    {
        CalibrationPoint(
            patchID: id, opportunityID: id, pattern: pattern, share: share, shareBasis: "source-lines",
            predicted: share * factor, speedup: speedup, significant: significant, recordedAt: id)
    }

    @Test("the default factor holds below three validations; then the median of measured saving ÷ share replaces it")
    func calibrates() {
        // Measured savings 1 − 1/s: 2× → 0.5, 4× → 0.75, 1.25× → 0.2; on a share of 0.5 they are 1.0 (clamped from
        // 1.5), 1.0 (clamped) and 0.4 of the share.
        let two = [
            point(1, "logging", share: 0.5, factor: 0.9, speedup: 2),
            point(2, "logging", share: 0.5, factor: 0.9, speedup: 4),
        ]
        #expect(SavingsCalibration(points: two).factor(pattern: "logging", defaultFactor: 0.9) == 0.9)
        let three = two + [point(3, "logging", share: 0.5, factor: 0.9, speedup: 1.25)]
        let row = SavingsCalibration(points: three).row(pattern: "logging", defaultFactor: 0.9)
        #expect(row.validations == 3 && row.significant == 3)
        #expect(row.calibratedFactor == 1.0 && row.factor == 1.0)
        // Predicted 0.45 against 0.5, 0.75 and 0.2: ratios 0.9, 0.6 and 2.25.
        #expect(abs((row.medianRatio ?? 0) - 0.9) < 1e-9)
        #expect(row.within2x == 2 && row.over3x == 0)
        // Another pattern's points do not move this one; insignificant results count as validations, not ratios.
        let other = SavingsCalibration(
            points: three + [point(4, "memoize", share: 0.2, factor: 0.7, speedup: 1.01, significant: false)])
        #expect(other.row(pattern: "memoize", defaultFactor: 0.7).validations == 1)
        #expect(other.row(pattern: "memoize", defaultFactor: 0.7).medianRatio == nil)
        #expect(other.rows().map(\.pattern).contains("regex-compile"))
    }

    @Test("points are stored once per patch (a patch validated again replaces its point) and read back in order")
    func storesPoints() throws {
        let store = try Store.open(path: ":memory:")
        try store.recordCalibration(point(7, "logging", share: 0.3, factor: 0.9, speedup: 2))
        try store.recordCalibration(point(7, "logging", share: 0.3, factor: 0.9, speedup: 3))
        try store.recordCalibration(point(8, "memoize", share: 0.1, factor: 0.7, speedup: 1.1, significant: false))
        let points = try store.calibration()
        #expect(points.map(\.patchID) == [7, 8])
        #expect(points[0].speedup == 3 && abs(points[0].measured - 2.0 / 3.0) < 1e-12)
        #expect(try store.calibration(pattern: "memoize").map(\.significant) == [false])
    }
}
