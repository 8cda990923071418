import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Synchronization
import Testing

@Suite("Fix policy and the durable fix queue", .ownThreads)
struct FixQueueTests {
    static let culprit = RootCauseCandidate(
        kind: .commit, ref: "0123456789abcdef", author: "Dana", email: "dana@example.com", message: "Make hot slower",
        score: 3, confidence: 0.8, evidence: [], functions: [])
    static let repository = RegisteredRepository(name: "shop", root: "/src/shop", service: "shop", addedAt: "")

    @Test("the policy attempts only with a repository, a confident culprit and enough cores; each hold says why")
    func policy() {
        func decide(
            _ culprit: RootCauseCandidate? = Self.culprit, cores: Double = 20,
            repository: RegisteredRepository? = Self.repository,
            settings: ProjectSettings.Policy = .init(), enabled: Bool = true
        ) -> FixPolicy.Decision {
            FixPolicy(enabled: enabled).decide(
                service: "shop", culprit: culprit, cores: cores, repository: repository, settings: settings)
        }
        guard case .attempt(let why) = decide() else { Issue.record("a clear case was held"); return }
        #expect(why.contains("0123456789ab") && why.contains("0.80"))
        #expect(decide(enabled: false).reason.contains("--auto-fix off"))
        #expect(decide(repository: nil).reason.contains("repos add shop"))
        #expect(decide(settings: .init(autoFix: false)).reason.contains("policy.auto_fix = false"))
        #expect(decide(nil).reason.contains("no culprit"))
        var weak = Self.culprit
        weak.confidence = 0.3
        #expect(decide(weak).reason.contains("confidence 0.30, below policy.min_confidence 0.50"))
        #expect(decide(cores: 0.4).reason.contains("0.40 cores, below policy.min_cores 1.00"))
        #expect(decide(cores: .nan).reason.contains("below policy.min_cores"))
        // The repository's own thresholds apply.
        guard case .attempt = decide(weak, settings: .init(minConfidence: 0.2)) else {
            Issue.record("min_confidence from [policy] was ignored")
            return
        }
    }

    @Test("[policy] in headroom.toml: booleans and numbers, bad values refused with the file")
    func policySettings() throws {
        let settings = try ProjectSettings.parse("[policy]\nauto_fix = false\nmin_confidence = 0.7\nmin_cores = 5\n")
        #expect(settings.policy == .init(autoFix: false, minConfidence: 0.7, minCores: 5))
        #expect(throws: HeadroomError.self) { try ProjectSettings.parse("[policy]\nauto_fix = \"yes\"\n") }
        #expect(throws: HeadroomError.self) { try ProjectSettings.parse("[policy]\nmin_cores = -1\n") }
    }

    @Test("a regression is queued once; a crashed attempt is queued again, then failed; a slow one times out")
    func queue() async throws {
        let store = try Store.open(path: ":memory:")
        let stored = try store.replaceRegressions(service: "shop", with: [EventsAndTriageTests.regression()])[0]
        var queue = FixQueue(store: store)
        // No repository registered: held for a person, once.
        let held = try #require(try queue.consider(stored, culprit: Self.culprit))
        #expect(held.state == .held && held.reason.contains("repos add shop"))
        #expect(try queue.consider(stored, culprit: Self.culprit)?.id == held.id)
        #expect(try store.jobs().count == 1)
        // A queued job, taken by a process that then died: queued again, and failed after the last attempt.
        let other = try store.replaceRegressions(
            service: "shop", with: [EventsAndTriageTests.regression(function: "cold")])[0]
        let job = try store.enqueueJob(
            kind: FixQueue.kind, subject: "cold", regressionID: other.id, at: 0
        ).job
        let dead = "\(ProcessLease.host):999999:1"
        #expect(try store.claimJob(kind: FixQueue.kind, owner: dead, until: Int64.max, at: 0)?.id == job.id)
        #expect(try store.claimJob(kind: FixQueue.kind, owner: dead, until: Int64.max, at: 0) == nil)
        #expect(try queue.recover().map(\.state) == [.queued])
        _ = try store.claimJob(kind: FixQueue.kind, owner: dead, until: Int64.max, at: 0)
        let given = try queue.recover()
        #expect(given.map(\.state) == [.failed] && given[0].reason.contains("given up after 2 attempts"))
        // A live lease is left alone.
        _ = try store.enqueueJob(kind: FixQueue.kind, subject: "live", regressionID: other.id, at: 0)
        _ = try store.claimJob(
            kind: FixQueue.kind, owner: ProcessLease.current, until: Timestamps.now() + 600, at: 0)
        #expect(try queue.recover().isEmpty)
        // The worker: one attempt per job, a slow attempt failed at the time limit (and waited for).
        _ = try store.enqueueJob(kind: FixQueue.kind, subject: "slow", regressionID: other.id, at: 1)
        _ = try store.enqueueJob(kind: FixQueue.kind, subject: "quick", regressionID: stored.id, at: 2)
        queue.timeLimit = .milliseconds(300)
        let calls = Mutex<[Int64]>([])
        let worker = Task {
            await queue.run(interval: .milliseconds(50)) { id in
                calls.withLock { $0.append(id) }
                if id == other.id { try await Task.sleep(for: .seconds(30)) }
                return (.done, "patch #1 delivered on headroom/r", "{\"status\": \"delivered\"}")
            }
        }
        // Generous: under the full suite, sync tests blocking on subprocesses can hold the cooperative pool's few
        // threads for a minute or more, and the worker's tasks wait for them.
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline,
            try store.jobs().contains(where: {
                ["slow", "quick"].contains($0.subject) && [.queued, .running].contains($0.state)
            })
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        worker.cancel()
        let byName = Dictionary(uniqueKeysWithValues: try store.jobs().map { ($0.subject, $0) })
        #expect(byName["slow"]?.state == .failed && byName["slow"]?.reason.contains("time limit") == true)
        #expect(byName["quick"]?.state == .done && byName["quick"]?.attempts == 1)
        #expect(byName["quick"]?.report.result?["status"]?.stringValue == "delivered")
        #expect(calls.withLock { $0 } == [other.id!, stored.id!])
        #expect(byName["live"]?.state == .running)  // another live process's job is not taken
    }
}

@Suite("Scheduled opportunity rescans", .ownThreads)
struct OpportunityRescanTests {
    @Test("each registered repository whose service has profiles is scanned; a failing scan is logged, not fatal")
    func pass() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        for name in ["a", "b", "c"] {
            let root = dir.file(name)
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            _ = try Shell.run(["git", "init", "-q", root])
            _ = try store.registerRepository(root: root, name: name, service: name == "c" ? nil : name)
        }
        try ProfileIngestor(store: store).ingest(
            data: Data("main;work 5\n".utf8), source: "a", service: "a", at: 0,
            options: {
                var o = ProfileReadOptions(); o.format = .folded; return o
            }())
        try ProfileIngestor(store: store).ingest(
            data: Data("main;work 5\n".utf8), source: "b", service: "b", at: 0,
            options: {
                var o = ProfileReadOptions(); o.format = .folded; return o
            }())
        let scanned = Mutex<[String]>([])
        let done = OpportunityRescan(store: store, interval: .seconds(60)).pass { service, root in
            scanned.withLock { $0.append(service) }
            if service == "b" { throw HeadroomError(.process, "helper crashed") }
            #expect(root.hasSuffix("/\(service)"))
            return 2
        }
        #expect(scanned.withLock { $0 }.sorted() == ["a", "b"])  // c has no service, so no profiles to scan with
        #expect(done.first { $0.service == "a" }?.found == 2)
        #expect(done.first { $0.service == "b" }?.found == nil)
    }

    @Test("an opportunity whose code runs on under 0.5% of the samples is listed blocked, with the figure")
    func tooSmallIsBlocked() throws {
        let scanner = OpportunityScanner(store: try Store.open(path: ":memory:"))
        #expect(scanner.tooSmall(0.021) == nil)
        #expect(scanner.tooSmall(0.005) == nil)
        let block = try #require(scanner.tooSmall(0.0004))
        #expect(block.contains("0.04%") && block.contains("0.5%"))
    }
}
