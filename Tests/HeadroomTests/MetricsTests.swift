import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// `headroom metrics`: the program's figures from the store's rows, each traceable to them.
@Suite("program metrics")
struct MetricsTests {
    static func regression(_ function: String, onset: Int64, after: Double) -> Regression {
        Regression(
            service: "shop", function: FunctionRef(name: function, file: "/srv/shop/app.py"), metric: .selfShare,
            index: 6, timestamp: onset, previousTimestamp: onset - 60, before: 0.05, after: after, pValue: 1e-12,
            confidence: 1, kind: .regression)
    }

    static func patch(regression: Int64, speedup: Double, created: Int64) -> PatchRecord {
        PatchRecord(
            regressionID: regression, skill: "log-guard", repository: "/srv/shop", function: "f", branch: "b",
            baseCommit: "abc", diff: "-", prDescription: nil, status: .delivered, reason: nil,
            validation: ValidationResult(
                testsPassed: true, speedup: speedup, ci95: [speedup * 0.95, speedup * 1.05], pValue: 1e-6,
                beforeSeconds: [1], afterSeconds: [1 / speedup], alpha: 0.05, minimumSpeedup: 1.03),
            createdAt: created)
    }

    @Test("false-positive rate, acceptance, time to fix, and cores recovered = function cores × (1 − 1/speed-up)")
    func figures() throws {
        let store = try Store.open(path: ":memory:")
        let onset = Timestamps.now() - 10_000  // the store stamps patches with the time they are saved
        let stored = try store.replaceRegressions(
            service: "shop",
            with: [
                Self.regression("price", onset: onset, after: 0.25),
                Self.regression("render", onset: onset, after: 0.10),
                Self.regression("noise", onset: onset, after: 0.08),
                Self.regression("other", onset: onset, after: 0.06),
            ])
        let ids = stored.compactMap(\.id)
        try store.triage(regression: ids[1], verdict: .acknowledged, note: "", at: onset + 100)
        try store.triage(regression: ids[2], verdict: .invalid, note: "a runner change", at: onset + 100)
        try store.triage(regression: ids[3], verdict: .invalid, note: "", at: onset + 100)
        // Fixes: price (2×) applied, render (1.5×) rejected, a refused one.
        let fixed = try store.savePatch(Self.patch(regression: ids[0], speedup: 2, created: onset + 3600))
        let turnedDown = try store.savePatch(Self.patch(regression: ids[1], speedup: 1.5, created: onset + 7200))
        var refused = Self.patch(regression: ids[2], speedup: 1, created: onset + 100)
        refused.status = .refused
        refused.validation = nil
        _ = try store.savePatch(refused)
        try store.reviewPatch(id: fixed.id!, review: .applied, note: nil)
        try store.reviewPatch(id: turnedDown.id!, review: .rejected, note: "not now")

        // No measured cores: the fleet size (100 cores) prices the share.
        let report = try MetricsService(store: store, costs: CostModel(fleetCores: 100, wattsPerCore: 10))
            .report(since: nil)
        #expect(report.regressions.detected == 4)
        #expect(report.regressions.acknowledged == 1 && report.regressions.invalid == 2)
        #expect(report.regressions.falsePositiveRate.map { abs($0 - 2.0 / 3.0) < 1e-12 } == true)
        #expect(report.regressions.mitigated == 1)
        #expect(report.regressions.medianSecondsToFix.map { abs($0 - 10_000) <= 5 } == true)
        #expect(Set(report.regressions.ids) == Set(ids))
        #expect(report.fixes.delivered == 2 && report.fixes.refused == 1)
        #expect(report.fixes.applied == 1 && report.fixes.rejected == 1 && report.fixes.acceptanceRate == 0.5)
        let fix = try #require(report.savings.fixes.first)
        #expect(report.savings.fixes.count == 1 && fix.patch == fixed.id)
        #expect(abs(fix.functionCores - 25) < 1e-9)  // 0.25 × 100
        #expect(abs(fix.cores - 12.5) < 1e-9)  // halved by a 2× speed-up
        #expect(fix.coresBasis == .fleet)
        #expect(abs(report.savings.watts - 125) < 1e-9)
        #expect(report.savings.engineerHours == 4)
        // A window after everything: nothing counted.
        let later = try MetricsService(store: store).report(since: onset + 100_000)
        #expect(later.regressions.detected == 0 && later.fixes.delivered == 0 && later.savings.cores == 0)

        // With the service's cores measured by its profiles (4 cores), those price the share instead.
        var options = ProfileReadOptions()
        options.sampleRate = 100
        options.duration = 10
        _ = try ProfileIngestor(store: store).ingest(
            data: Data("main;price 4000\n".utf8), source: "p.folded", service: "shop", at: onset + 60, options: options)
        let measured = try MetricsService(store: store, costs: CostModel(fleetCores: 100)).report(since: nil)
        let priced = try #require(measured.savings.fixes.first)
        #expect(priced.coresBasis == .profile)
        #expect(abs(priced.functionCores - 1) < 1e-9)  // 0.25 × 4 cores
        #expect(abs(priced.cores - 0.5) < 1e-9)
        // The JSON names every figure in snake case; rates with nothing to divide are null.
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(later)) as? [String: Any]
        let figures = object?["regressions"] as? [String: Any]
        #expect(figures?.keys.contains("false_positive_rate") == true || figures?["false_positive_rate"] == nil)
        #expect((object?["savings"] as? [String: Any])?["megawatt_hours"] as? Double == 0)
    }
}
