import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore
import HeadroomTesting
import Synchronization
import Testing

@Suite("Verdicts and the notification outbox", .ownThreads)
struct EventsAndTriageTests {
    static func regression(function: String = "hot", at bucket: Int64 = 6000) -> Regression {
        Regression(
            service: "shop", function: FunctionRef(name: function, file: "app.py"), metric: .selfShare, index: 5,
            timestamp: bucket, previousTimestamp: bucket - 60, before: 0.05, after: 0.2, pValue: 1e-9, confidence: 1,
            kind: .regression)
    }

    @Test("a verdict outlives re-detection, even when the regression vanished and came back with a new id")
    func triageSurvivesRedetection() throws {
        let store = try Store.open(path: ":memory:")
        let first = try store.replaceRegressions(service: "shop", with: [Self.regression()])[0]
        let triage = TriageService(store: store)
        let decided = try triage.decide(regression: first.id!, verdict: .invalid, note: "  runner change  ")
        #expect(decided.triage?.verdict == .invalid && decided.triage?.note == "runner change")
        // Gone from one run, back in the next: a new row, the same identity, the same verdict.
        _ = try store.replaceRegressions(service: "shop", with: [Self.regression(function: "cold")])
        let back = try store.replaceRegressions(service: "shop", with: [Self.regression()])[0]
        #expect(back.id != first.id)
        #expect(try store.regression(id: back.id!).triage?.verdict == .invalid)
        // Another onset of the same function is another regression, without a verdict.
        let later = try store.replaceRegressions(service: "shop", with: [Self.regression(at: 9000)])[0]
        #expect(try store.regression(id: later.id!).triage == nil)
        _ = try triage.decide(regression: later.id!, verdict: .acknowledged)
        let summary = try triage.summary()
        #expect(summary.acknowledged == 1 && summary.invalid == 1 && summary.falsePositiveRate == 0.5)
        // The report carries it; unknown ids and overlong notes are refused.
        let report = try JSONValue(encoding: RegressionReport(try store.regression(id: later.id!), costs: CostModel()))
        #expect(report["triage"]?["verdict"]?.stringValue == "acknowledged")
        #expect(throws: HeadroomError.self) { try triage.decide(regression: 999, verdict: .invalid) }
        #expect(throws: HeadroomError.self) {
            try triage.decide(regression: later.id!, verdict: .invalid, note: String(repeating: "x", count: 2001))
        }
    }

    @Test("events are recorded once per subject; triaged regressions are not announced")
    func eventsOncePerSubject() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let stored = try store.replaceRegressions(
            service: "shop", with: [Self.regression(), Self.regression(function: "cold")])
        let recorder = EventRecorder(store: store)
        #expect(try recorder.detected(stored[0], at: 100))
        #expect(try !recorder.detected(stored[0], at: 200))  // re-detected: not again
        _ = try TriageService(store: store).decide(regression: stored[1].id!, verdict: .acknowledged)
        #expect(try !recorder.detected(try store.regression(id: stored[1].id!), at: 300))
        // A saved patch's outcome is an event of the store's own, once.
        var patch = PatchRecord(
            regressionID: stored[0].id, skill: "log-guard", repository: dir.path, branch: "headroom/r1",
            baseCommit: "abc", diff: "", prDescription: nil, status: .proposed, reason: nil, validation: nil)
        patch = try store.savePatch(patch)
        #expect(try !store.hasEvent(kind: "patch.delivered", subject: "patch/\(patch.id!)"))
        patch.status = .delivered
        _ = try store.savePatch(patch)
        _ = try store.savePatch(patch)
        #expect(try store.hasEvent(kind: "patch.delivered", subject: "patch/\(patch.id!)"))
        try store.registerWebhookTargets(["t"], since: 0)
        let due = try store.dueDeliveries(targets: ["t"], now: Timestamps.now() + 10)
        #expect(due.map(\.kind) == ["regression.detected", "patch.delivered"])
        let body = try JSONValue.parse(String(decoding: WebhookDelivery.body(due[0]), as: UTF8.self))
        #expect(body["id"]?.intValue == Int(due[0].eventID))
        #expect(body["regression"]?["function"]?.stringValue == "hot")
        #expect(body["text"]?.stringValue?.contains("hot in shop") == true)
    }

    @Test("delivery: retries with backoff on 5xx, gives up after the limit, fails at once on 4xx, never repeats")
    func deliveryPolicy() async throws {
        let store = try Store.open(path: ":memory:")
        let before = try WebhookDelivery.Target("https://hooks.example.com/services/T000/B000/SECRET")
        #expect(before.display == "https://hooks.example.com/…" && !before.id.contains("SECRET"))
        #expect(throws: HeadroomError.self) { try WebhookDelivery.Target("ftp://example.com/x") }
        let flaky = try WebhookDelivery.Target("http://127.0.0.1:9/flaky")
        let broken = try WebhookDelivery.Target("http://127.0.0.1:9/broken")
        let down = try WebhookDelivery.Target("http://127.0.0.1:9/down")
        var delivery = WebhookDelivery(store: store, targets: [flaky, broken, down])
        delivery.maximumAttempts = 3
        try delivery.register(now: 0)
        try store.recordEvent(kind: "regression.detected", subject: "a", payload: "{\"event\":\"x\"}", at: 10)
        let calls = Mutex<[String: Int]>([:])
        let post: @Sendable (WebhookDelivery.Target, Data) async -> WebhookDelivery.Answer = { target, _ in
            let count = calls.withLock { calls in
                calls[target.id, default: 0] += 1
                return calls[target.id]!
            }
            if target == broken { return .failed("HTTP 404") }
            if target == down { return .retry("transport: connection refused", after: nil) }
            return count < 3 ? .retry("HTTP 503", after: nil) : .delivered
        }
        let now = Timestamps.now()
        var counts = try await delivery.deliverDue(now: now, post: post)
        #expect(counts.retried == 2 && counts.failed == 1)
        // Not due again until its backoff has passed.
        counts = try await delivery.deliverDue(now: now, post: post)
        #expect(counts == (0, 0, 0))
        counts = try await delivery.deliverDue(now: now + 1, post: post)
        #expect(counts.retried == 2)
        // The third attempt: the flaky one gets through, the one that is down is given up.
        counts = try await delivery.deliverDue(now: now + 10, post: post)
        #expect(counts.delivered == 1 && counts.failed == 1)
        counts = try await delivery.deliverDue(now: now + 1000, post: post)
        #expect(counts == (0, 0, 0))
        #expect(calls.withLock { $0 } == [flaky.id: 3, broken.id: 1, down.id: 3])
        #expect(try store.deliveryCounts() == ["delivered": 1, "failed": 2])
        #expect(WebhookDelivery.backoff(attempts: 1) == 1 && WebhookDelivery.backoff(attempts: 4) == 8)
        #expect(WebhookDelivery.backoff(attempts: 30) == 300)
        // A target registered later gets only what happens after it.
        try store.recordEvent(kind: "regression.detected", subject: "b", payload: "{}", at: 50)
        try store.registerWebhookTargets(["late"], since: 40)
        #expect(try store.dueDeliveries(targets: ["late"], now: now + 1000).map(\.createdAt) == [50])
    }
}
