import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// `headroom metrics`: the program's figures from the store's rows, each traceable to them.
@Suite("program metrics", .ownThreads)
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
        // Applied but not confirmed in production (no deploy): fixed, not yet mitigated.
        #expect(report.regressions.mitigated == 0 && report.regressions.fixed == 1)
        #expect(report.savings.fixes.first?.confirmation?.state == .awaitingDeploy)
        #expect(report.savings.fixes.first?.basis == "ab-estimate")
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

    static func commit(_ sha: String, parents: [String], at time: Int64) -> Commit {
        Commit(
            sha: sha, parents: parents, author: "carol", email: "carol@example.com", time: time, message: sha,
            files: [], functions: [], addedText: "", linesAdded: 0, linesRemoved: 0)
    }

    /// One minute of profile: `price` and `other` samples at 100 Hz over 60 s (so the profile measures cores).
    static func ingestMinute(_ store: Store, at time: Int64, price: Int, other: Int) throws {
        var options = ProfileReadOptions()
        options.sampleRate = 100
        options.duration = 60
        _ = try ProfileIngestor(store: store).ingest(
            data: Data("main;price \(price)\nmain;other \(other)\n".utf8), source: "m\(time).folded",
            service: "shop", at: time, options: options)
    }

    /// `price`'s regression from `onset`, and its 2× fix applied as commit `f1x`.
    static func appliedFix(_ store: Store, onset: Int64) throws {
        let regression = try store.replaceRegressions(
            service: "shop",
            with: [
                Regression(
                    service: "shop", function: FunctionRef(name: "price", file: nil), metric: .selfShare, index: 0,
                    timestamp: onset, previousTimestamp: onset - 60, before: 0.05, after: 0.25, pValue: 1e-12,
                    confidence: 1, kind: .regression)
            ])[0]
        let patch = try store.savePatch(Self.patch(regression: regression.id!, speedup: 2, created: onset + 300))
        try store.reviewPatch(id: patch.id!, review: .applied, note: nil, appliedCommit: "f1x")
    }

    @Test("production confirms a fix: after the deploy that contains it, the measured drop replaces the A/B estimate")
    func confirmation() throws {
        let store = try Store.open(path: ":memory:")
        let start = (Timestamps.now() - 100_000) / 60 * 60
        // Six minutes at the regressed level (price ≈ 25% of the samples), then the fix is deployed.
        for minute in 0..<6 {
            try Self.ingestMinute(store, at: start + Int64(minute) * 60, price: 250 + minute, other: 750)
        }
        try Self.appliedFix(store, onset: start)
        // The fix's commit is in the history; a later commit on top of it is what gets deployed.
        _ = try store.saveCommits(
            [Self.commit("f1x", parents: ["base"], at: start), Self.commit("next", parents: ["f1x"], at: start + 1)],
            repository: "/srv/shop")
        let model = CostModel(fleetCores: 100)
        let service = MetricsService(store: store, costs: model)
        #expect(try service.report().savings.fixes.first?.confirmation?.state == .awaitingDeploy)

        let deployTime = start + 6 * 60 + 30
        try store.addDeploy(Deploy(service: "shop", commit: "next", time: deployTime))
        // The deploy's own minute is mixed; two clean minutes after it are not enough to judge.
        try Self.ingestMinute(store, at: start + 6 * 60, price: 200, other: 750)
        for minute in 7..<9 {
            try Self.ingestMinute(store, at: start + Int64(minute) * 60, price: 120 + minute, other: 750)
        }
        var fix = try #require(try service.report().savings.fixes.first)
        #expect(fix.confirmation?.state == .awaitingProfiles)
        #expect(fix.confirmation?.matchedBy == .ancestry && fix.confirmation?.deployCommit == "next")
        #expect(fix.basis == "ab-estimate")

        // Two more minutes at the fixed level: confirmed, and the saving is the measured drop. A profile that does
        // not measure cores (no sample rate) is left out, not priced at the fleet size.
        for minute in 9..<11 {
            try Self.ingestMinute(store, at: start + Int64(minute) * 60, price: 120 + minute, other: 750)
        }
        _ = try ProfileIngestor(store: store).ingest(
            data: Data("main;price 1\nmain;other 900\n".utf8), source: "unmeasured.folded", service: "shop",
            at: start + 12 * 60)
        let report = try service.report()
        fix = try #require(report.savings.fixes.first)
        let confirmation = try #require(fix.confirmation)
        #expect(confirmation.state == .confirmed)
        #expect(fix.basis == "production")
        #expect(report.regressions.mitigated == 1 && report.regressions.fixed == 1)
        // Recompute from the inputs: cores per minute = samples / 100 Hz / 60 s; the function's share of them.
        func functionCores(_ price: Int) -> Double { Double(price) / 100 / 60 }
        let before = (0..<6).map { functionCores(250 + $0) }.sorted()
        let after = (7..<11).map { functionCores(120 + $0) }.sorted()
        let drop = (before[2] + before[3]) / 2 - (after[1] + after[2]) / 2
        #expect(abs(fix.cores - drop) < 1e-9)
        #expect(abs((confirmation.drop ?? 0) - drop) < 1e-9)
        #expect(confirmation.buckets.filter { $0.window == "before" }.count == 6)
        #expect(confirmation.buckets.filter { $0.window == "after" }.count == 4)
        #expect((confirmation.pValue ?? 1) < 0.05)
        // The estimate is still reported beside it: 2× on the function's cores over the regressed window.
        #expect(fix.estimatedCores.map { abs($0 - fix.functionCores / 2) < 1e-9 } == true)
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(fix)) as? [String: Any]
        let encoded = json?["confirmation"] as? [String: Any]
        #expect(encoded?["state"] as? String == "confirmed" && encoded?["matched_by"] as? String == "ancestry")
    }

    @Test("a deploy with no drop after it leaves the fix not confirmed")
    func notConfirmed() throws {
        let store = try Store.open(path: ":memory:")
        let start = (Timestamps.now() - 100_000) / 60 * 60
        // The same level before and after the deploy (distinct counts: identical profiles are one profile).
        for minute in 0..<12 where minute != 6 {
            try Self.ingestMinute(store, at: start + Int64(minute) * 60, price: 250 + minute, other: 750)
        }
        try Self.appliedFix(store, onset: start)
        _ = try store.saveCommits([Self.commit("f1x", parents: [], at: start)], repository: "/srv/shop")
        try store.addDeploy(Deploy(service: "shop", commit: "f1x", time: start + 6 * 60 + 1))
        let fix = try #require(try MetricsService(store: store).report().savings.fixes.first)
        #expect(fix.confirmation?.state == .notConfirmed && fix.confirmation?.matchedBy == .commit)
        #expect(fix.basis == "ab-estimate")
    }

    @Test("the exact one-sided Mann–Whitney p of small windows")
    func exactLowerP() {
        // All three below all four: 1 / C(7, 3).
        #expect(abs(MannWhitney.lowerP([1, 2, 3], [4, 5, 6, 7]) - 1.0 / 35) < 1e-12)
        // 3 against 3 can never reach 0.05: the smallest p is 1 / 20.
        #expect(abs(MannWhitney.lowerP([1, 2, 3], [4, 5, 6]) - 0.05) < 1e-12)
        #expect(MannWhitney.lowerP([4, 5, 6, 7], [1, 2, 3]) == 1)
    }
}
