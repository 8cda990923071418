import Foundation
import HeadroomCore
@testable import HeadroomEngine
import HeadroomStore
import HeadroomTesting
import Testing

/// The triage policy: auto-fix, a person now, or the weekly digest, by cost and confidence; snoozes that wake up.
@Suite("triage routing and snoozes", .ownThreads)
struct TriageRoutingTests {
    /// A regression whose share rises by `delta` (cores = delta × the fleet's 100 cores).
    static func regression(_ function: String, delta: Double, at bucket: Int64 = 6000) -> Regression {
        Regression(
            service: "shop", function: FunctionRef(name: function, file: "app.py"), metric: .selfShare, index: 5,
            timestamp: bucket, previousTimestamp: bucket - 60, before: 0.01, after: 0.01 + delta, pValue: 1e-9,
            confidence: 1, kind: .regression)
    }

    @Test("critical to a person first, confident and costly to auto-fix, small to the digest, silenced to nobody")
    func routes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: ":memory:")
        let costs = CostModel(fleetCores: 100)
        let stored = try store.replaceRegressions(
            service: "shop",
            with: [
                Self.regression("critical", delta: 0.2),  // 20 cores
                Self.regression("costly", delta: 0.05),  // 5 cores
                Self.regression("modest", delta: 0.005),  // 0.5 cores
                Self.regression("small", delta: 0.001),  // 0.1 cores
                Self.regression("known", delta: 0.05),
                Self.regression("later", delta: 0.05),
            ])
        let byName = Dictionary(uniqueKeysWithValues: stored.map { ($0.function.name, $0) })
        let router = TriageRouter(store: store, costs: costs)
        let culprit = FixQueueTests.culprit  // confidence 0.8
        func route(_ name: String, at time: Int64 = 10_000) throws -> (TriageRoute, String) {
            let r = try store.regression(id: byName[name]!.id!)
            let routed = try router.route(r, culprit: culprit, at: time)
            return (routed.route, routed.reason)
        }
        // No repository registered: nothing is automatic.
        #expect(try route("costly").0 == .person)
        #expect(try route("costly").1.contains("repos add shop"))
        _ = try store.registerRepository(root: dir.path, name: "shop", service: "shop")
        #expect(try route("critical").0 == .person)
        #expect(try route("critical").1.contains("critical: 20.00 cores"))
        #expect(try route("costly").0 == .autoFix)
        #expect(try route("modest").0 == .person)  // 0.5 cores: below min_cores 1, above notify 0.25
        #expect(try route("modest").1.contains("below policy.min_cores"))
        #expect(try route("small").0 == .digest)
        // People's verdicts: quiet; a snooze wakes up at its time and is routed as new.
        let triage = TriageService(store: store)
        _ = try triage.decide(regression: byName["known"]!.id!, verdict: .acknowledged, note: "owned by payments")
        _ = try triage.decide(
            regression: byName["later"]!.id!, verdict: .snoozed, note: "after the freeze", snoozeUntil: 20_000,
            at: 9_000)
        #expect(try route("known") == (.quiet, "acknowledged: owned by payments"))
        #expect(try route("later", at: 19_999).0 == .quiet)
        #expect(try route("later", at: 19_999).1.contains("snoozed until 1970-01-01T05:33:20Z"))
        #expect(try route("later", at: 20_000).0 == .autoFix)
        // The repository's [policy] moves the thresholds.
        try "[policy]\ncritical_cores = 3\nnotify_min_cores = 0.05\n".write(
            toFile: dir.file("headroom.toml"), atomically: true, encoding: .utf8)
        #expect(try route("costly").0 == .person)
        #expect(try route("small").0 == .person)

        // The digest lists every regression of the window by route, the digest's first.
        try FileManager.default.removeItem(atPath: dir.file("headroom.toml"))
        // It reads each regression's stored ranking: without one, no culprit, nothing automatic.
        #expect(try router.digest(since: 0, until: 10_000).counts["auto_fix"] == 0)
        try store.saveCandidates([culprit], regression: byName["costly"]!.id!)
        let digest = try router.digest(since: 0, until: 10_000)
        #expect(digest.counts == ["auto_fix": 1, "person": 2, "digest": 1, "quiet": 2])
        #expect(digest.regressions.first?.route == .digest && digest.regressions.first?.regression.function == "small")
        #expect(digest.regressions.count == 6)
    }

    @Test("snoozes need a wake time in the future; the digest route sends no notification")
    func snoozeRulesAndNotifications() throws {
        let store = try Store.open(path: ":memory:")
        let stored = try store.replaceRegressions(
            service: "shop", with: [Self.regression("small", delta: 0.001), Self.regression("big", delta: 0.05)])
        let triage = TriageService(store: store)
        #expect(throws: HeadroomError.self) {
            try triage.decide(regression: stored[0].id!, verdict: .snoozed, snoozeUntil: nil)
        }
        #expect(throws: HeadroomError.self) {
            try triage.decide(regression: stored[0].id!, verdict: .snoozed, snoozeUntil: 5, at: 10)
        }
        #expect(throws: HeadroomError.self) {
            try triage.decide(regression: stored[0].id!, verdict: .invalid, snoozeUntil: 50, at: 10)
        }
        let events = EventRecorder(store: store, costs: CostModel(fleetCores: 100))
        #expect(try events.detected(stored[0]) == false)  // 0.1 cores: the digest's
        #expect(try events.detected(stored[1]) == true)  // 5 cores: a person now
        // The verdict's JSON carries the wake time (null for other verdicts).
        let snoozed = try triage.decide(
            regression: stored[1].id!, verdict: .snoozed, snoozeUntil: Timestamps.now() + 3600)
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(snoozed.triage!.report))
        #expect((json as? [String: Any])?["snooze_until"] is String)
        #expect(snoozed.isOpen() == false && snoozed.isOpen(at: Timestamps.now() + 7200))
    }

    @Test("the digest goes out once per ended window (Monday 00:00 UTC), only with something for it")
    func weeklyDigest() throws {
        let store = try Store.open(path: ":memory:")
        // Monday 2026-11-30 00:00 UTC, and a small regression on the Wednesday before.
        let monday = Timestamps.parse("2026-11-30T00:00:00Z")!
        let wednesday = monday - 5 * 86_400
        _ = try store.replaceRegressions(
            service: "shop",
            with: [
                Self.regression("small", delta: 0.001, at: wednesday),
                Self.regression("big", delta: 0.05, at: wednesday),
            ])
        let digest = DigestSchedule(store: store, costs: CostModel(fleetCores: 100))
        #expect(digest.window(endingBy: monday + 3600) == (monday - 7 * 86_400, monday))
        #expect(try digest.pass(at: monday + 3600))
        #expect(try digest.pass(at: monday + 7200) == false)  // the same window: once
        try store.registerWebhookTargets(["hook"], since: 0)
        let events = try store.dueDeliveries(targets: ["hook"], now: monday + 7200)
        let sent = try #require(events.first { $0.kind == "digest.weekly" })
        let payload = try JSONSerialization.jsonObject(with: Data(sent.payload.utf8)) as? [String: Any]
        let text = payload?["text"] as? String ?? ""
        #expect(text.contains("1 small regression nobody was notified of: small in shop"), "\(text)")
        #expect(!text.contains("big"))  // the big one went to a person when it was found
        #expect(((payload?["digest"] as? [String: Any])?["counts"] as? [String: Int])?["digest"] == 1)
        // The next week has nothing for the digest: nothing is sent.
        #expect(try digest.pass(at: monday + 7 * 86_400 + 60) == false)
    }
}
