import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// `headroom worker` and `serve --external-workers`: detection as queued jobs, taken under leases, redone once when
/// a worker dies.
@Suite("workers", .ownThreads)
struct WorkerTests {
    /// The store's regressions, as (function, metric, bucket) keys: equal sets mean nothing was stored twice.
    static func regressionKeys(_ store: Store) throws -> [String] {
        try store.regressions(service: "svc").map { "\($0.function.name) \($0.metric) \($0.timestamp) \($0.id ?? -1)" }
            .sorted()
    }

    @Test("a queued detect-service job is run once by `headroom worker --once`; the queue is then empty")
    func workerRunsDetection() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try ContractTests.storeWithNewFunction(dir)
        let store = try Store.open(path: path)
        let (job, isNew) = try store.enqueueJob(
            kind: DetectionLoop.jobKind, subject: "svc@1793613000", regressionID: nil, at: Timestamps.now())
        #expect(isNew)
        #expect(try store.regressions(service: "svc").isEmpty)
        let run = try Checkout.headroom(["worker", "--once", "--store", path, "--fixes", "off"])
        try #require(run.succeeded, "\(run.stderr)")
        #expect(run.stdout.contains("ran 1 job"))
        let done = try #require(try store.jobs().first { $0.id == job.id })
        #expect(done.state == .done)
        #expect(done.attempts == 1)
        #expect(done.reason.contains("regression"))
        #expect(try Self.regressionKeys(store).contains { $0.hasPrefix("new_path ") })
        let again = try Checkout.headroom(["worker", "--once", "--store", path, "--fixes", "off"])
        #expect(again.stdout.contains("ran 0 jobs"))
    }

    @Test("a job held by a worker that died is taken back and completed once; nothing is stored twice")
    func deadWorkersJob() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try ContractTests.storeWithNewFunction(dir)
        let store = try Store.open(path: path)
        let direct = try Checkout.headroom(["detect", "--store", path, "--service", "svc"])
        try #require(direct.succeeded, "\(direct.stderr)")
        let expected = try Self.regressionKeys(store)
        #expect(!expected.isEmpty)
        // A worker of this machine took the job and was killed: its process is gone, its lease still runs.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let now = Timestamps.now()
        let (job, _) = try store.enqueueJob(
            kind: DetectionLoop.jobKind, subject: "svc@1793613000", regressionID: nil, at: now)
        let deadOwner = "\(ProcessLease.host):\(gone.processIdentifier):12345"
        _ = try store.claimJob(kind: DetectionLoop.jobKind, owner: deadOwner, until: now + 3_600, at: now)
        let run = try Checkout.headroom(["worker", "--once", "--store", path, "--fixes", "off"])
        try #require(run.succeeded, "\(run.stderr)")
        let done = try #require(try store.jobs().first { $0.id == job.id })
        #expect(done.state == .done)
        #expect(done.attempts == 2)
        #expect(try Self.regressionKeys(store) == expected)
    }

    /// A service of 3,000 functions over 16 buckets, one regressing: its detection takes long enough (a few
    /// hundred milliseconds in a debug build) for a kill to land while a worker holds the job.
    static func largeStore(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.file("large.sqlite")
        let store = try Store.open(path: path)
        let ingestor = ProfileIngestor(store: store)
        var rng = BinomialSampler(seed: 11)
        for bucket in 0..<16 {
            var text = ""
            for function in 0..<3_000 {
                let count = 20 + rng.draw(n: 12, p: 0.5) + (function == 7 && bucket >= 8 ? 40 : 0)
                text +=
                    "main (app.py:1);mod\(function % 40).handler (m\(function % 40).py:5);f_\(function) (m.py:\(10 + function)) \(count)\n"
            }
            var options = ProfileReadOptions()
            options.format = .folded
            let prepared = try ingestor.prepare(
                data: Data(text.utf8), source: "bucket \(bucket)", service: "svc",
                at: 1_793_606_400 + Int64(bucket) * 600,
                labels: [], identity: "\(bucket)", options: options)
            try store.ingest(prepared.contribution)
        }
        return path
    }

    @Test("kill -9 of a worker at any moment: the next worker completes the job once, with the same regressions")
    func killedWorker() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try Self.largeStore(dir)
        let store = try Store.open(path: path)
        let direct = try Checkout.headroom(["detect", "--store", path, "--service", "svc"])
        try #require(direct.succeeded, "\(direct.stderr)")
        let expected = try Self.regressionKeys(store)
        #expect(expected.contains { $0.hasPrefix("f_7 ") })
        var killedMidJob = 0
        // A loaded machine can finish the job before a late kill lands: further rounds (killing at once) run until
        // a kill caught a worker holding the job.
        for (round, delay) in [0.0, 0.05, 0.1, 0.2, 0.4, 0.0, 0.0, 0.0].enumerated() {
            if round >= 5 && killedMidJob >= 1 { break }
            let (job, _) = try store.enqueueJob(
                kind: DetectionLoop.jobKind, subject: "svc@\(round)", regressionID: nil, at: Timestamps.now())
            let worker = Process()
            worker.executableURL = URL(fileURLWithPath: Checkout.binary)
            worker.arguments = ["worker", "--store", path, "--fixes", "off", "--poll", "1", "--log-level", "info"]
            worker.standardOutput = FileHandle.nullDevice
            let log = StderrLog()
            worker.standardError = log.pipe
            try worker.run()
            // The kill is sent from the reader of the worker's own log the moment it says it started the job (plus a
            // little later each round), not from this test's tasks: a loaded CI machine resumed those too late, after
            // the worker had finished every job (the fresh-clone run of 6f511ff: no kill in 8 rounds caught one).
            let pid = worker.processIdentifier
            log.whenContains("detection started") {
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                kill(pid, SIGKILL)
            }
            // A worker that never says so is killed after a minute (and the round then finds the job not held).
            try await AsyncBridge.onOwnThread {
                let deadline = Date().addingTimeInterval(60)
                while worker.isRunning && Date() < deadline { usleep(10_000) }
                if worker.isRunning { kill(pid, SIGKILL) }
                worker.waitUntilExit()
            }
            log.close()
            let held = try #require(try store.jobs().first { $0.id == job.id })
            if held.state == .running { killedMidJob += 1 }
            let next = try Checkout.headroom(["worker", "--once", "--store", path, "--fixes", "off"])
            try #require(next.succeeded, "\(next.stderr)")
            let done = try #require(try store.jobs().first { $0.id == job.id })
            #expect(done.state == .done, "round \(round): \(done.state) \(done.reason)")
            #expect(done.attempts == (held.state == .running ? 2 : 1))
            #expect(try Self.regressionKeys(store) == expected, "round \(round)")
            #expect(try store.jobs(state: .running).isEmpty)
        }
        // The kills must have caught workers holding the job, or this test proves nothing about them.
        #expect(killedMidJob >= 1)
    }

    /// A child's standard error, collected as it arrives.
    final class StderrLog: @unchecked Sendable {
        let pipe = Pipe()
        private let lock = NSLock()
        private var text = ""
        private var trigger: (needle: String, action: @Sendable () -> Void)?

        init() {
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                let action = self.lock.withLock { () -> (@Sendable () -> Void)? in
                    self.text += String(decoding: data, as: UTF8.self)
                    guard let trigger = self.trigger, self.text.contains(trigger.needle) else { return nil }
                    self.trigger = nil
                    return trigger.action
                }
                action?()
            }
        }

        /// Runs `action` once, on the reading thread, as soon as the child has written `needle`.
        func whenContains(_ needle: String, _ action: @escaping @Sendable () -> Void) {
            let fire = lock.withLock { () -> Bool in
                if text.contains(needle) { return true }
                trigger = (needle, action)
                return false
            }
            if fire { action() }
        }

        /// Stops collecting (after the child exited).
        func close() { pipe.fileHandleForReading.readabilityHandler = nil }
    }

    @Test("with external workers the detection loop queues one job per service and round of profiles")
    func loopQueuesJobs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try ContractTests.storeWithNewFunction(dir)
        let store = try Store.open(path: path)
        var loop = DetectionLoop(
            detection: DetectionService(store: store), interval: .milliseconds(50), debounce: .seconds(0))
        loop.enqueueOnly = true
        let running = Task { await loop.run() }
        var waited = 0
        while try store.jobs().isEmpty, waited < 100 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        try await Task.sleep(for: .milliseconds(200))  // more passes: still one job for this round
        running.cancel()
        await running.value
        let jobs = try store.jobs()
        #expect(jobs.count == 1)
        #expect(jobs.first?.kind == DetectionLoop.jobKind)
        #expect(jobs.first?.subject.hasPrefix("svc@") == true)
        #expect(try store.regressions(service: "svc").isEmpty)  // queued, not run here
    }

    @Test("a worker pointed at a store that does not exist says so in one line and creates nothing")
    func missingStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("typo/headroom.sqlite")
        let run = try Checkout.headroom(["worker", "--once", "--store", path])
        #expect(!run.succeeded)
        #expect(run.stderr.contains("no store at"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        let bad = try Checkout.headroom(["worker", "--once", "--store", path, "--fixes", "maybe"])
        #expect(!bad.succeeded && bad.stderr.contains("--fixes must be on or off"))
    }
}
