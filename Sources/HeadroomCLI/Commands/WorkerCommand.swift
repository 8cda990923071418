import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import Logging

/// `headroom worker`: runs the jobs a server queued (`serve --external-workers`).
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract:
            "Take detection and fix jobs from the store's queue and run them (beside `serve --external-workers`).",
        discussion: """
            A server started with --external-workers ingests and queues: each service with new profiles becomes a \
            detect-service job, and each regression the policy lets through a fix-regression job. Workers take \
            them under a lease renewed while they run (two workers never take one job); a job whose worker died \
            (its process gone, or its lease run out) is queued again, or failed after two attempts. Detection is \
            idempotent, so a job redone after a crash stores nothing twice. --once runs what is queued and exits \
            (cron, tests); otherwise the queue is polled every --poll seconds until SIGTERM/SIGINT, which lets the \
            job in progress finish.

            With --database (team mode), workers on any machines drain the shared PostgreSQL queue: they queue a \
            round of detection for each service whose pushes have been quiet for --debounce seconds (one job per \
            round however many workers queue it), take jobs FOR UPDATE SKIP LOCKED, and detect against the shared \
            profiles; every --rescan-every seconds they also queue a round of opportunity scans (one job per service with a \
            registered repository), which a worker with that repository's folder runs against the shared profiles. \
            Each regression a worker ranks gets a fix-regression job, queued or held for a person under the fix \
            policy (as serve does on SQLite); with --fixes on, a worker that has the service's repository folder \
            attempts queued ones (tests and A/B benchmark in worktrees, a new headroom/ branch), patches recorded \
            in the shared database.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var skills: SkillsOptions
    @Flag(help: "Run the queued jobs, then exit.") var once = false
    @Option(help: "Seconds between looks at the queue.") var poll = 2
    @Option(help: "Run fix jobs too (on), or only detection (off).") var fixes = "on"
    @Option(help: "--database: seconds a service's pushes must be quiet before its detection is queued.")
    var debounce = 30
    @Option(help: "--database: seconds between rounds of opportunity scans of registered repositories (0: none).")
    var rescanEvery = 3600
    @Option(help: "Seconds a job's lease lasts unrenewed: a killed worker's job is taken back after it.")
    var lease = 60
    @Option(help: "Seconds one fix attempt may take before it is failed and cancelled.") var fixTimeout = 1800
    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error.") var logLevel = "notice"

    func run() async throws {
        guard ["on", "off"].contains(fixes) else { throw HeadroomError(.badInput, "--fixes must be on or off") }
        guard poll > 0, fixTimeout > 0, lease >= 3 else {
            throw HeadroomError(.badInput, "--poll and --fix-timeout must be positive, --lease at least 3")
        }
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        if let url = databaseOptions.url { return try await runTeam(url: url, level: level) }
        // A worker runs what a server queued in an existing store; a mistyped path is an error, not a new store.
        _ = try storeOptions.open(create: false)
        let context = try toolContext(store: storeOptions, skills: skills, output: nil, serving: true)
        let store = context.store
        var queue = FixQueue(
            store: store, policy: FixPolicy(), costs: context.costModel,
            logger: EngineLog.standardError("headroom.fix", level: level))
        queue.timeLimit = .seconds(fixTimeout)
        var loop = DetectionLoop(
            detection: DetectionService(store: store, logger: EngineLog.standardError("headroom.detect", level: level)),
            logger: EngineLog.standardError("headroom.worker", level: level))
        loop.events = EventRecorder(store: store, costs: context.costModel)
        loop.fixes = queue
        var worker = Worker(
            store: store, detection: loop, logger: EngineLog.standardError("headroom.worker", level: level))
        worker.leaseSeconds = Int64(lease)
        if fixes == "on" {
            var agent = AgentService(context: context)
            agent.logger = EngineLog.standardError("headroom.agent", level: level)
            worker.fixes = (queue, FixQueue.attempts(by: agent, publisher: PublishService(store: store)))
            // What a killed worker's attempt left behind (worktrees, held patches) goes before anything runs.
            _ = Janitor(store: store).clean()
        }
        if once {
            let ran = try await worker.drain()
            print("ran \(ran) job\(ran == 1 ? "" : "s")")
            return
        }
        let poll = self.poll
        let running = worker
        await Self.untilSignalled { await running.run(interval: .seconds(poll)) }
    }

    /// Runs `body` until SIGTERM/SIGINT cancels it: the polling ends between jobs; a job in progress finishes (its
    /// writes are transactions).
    static func untilSignalled(_ body: @escaping @Sendable () async -> Void) async {
        Interruption.uninstall()
        let task = Task { await body() }
        let signals = [SIGTERM, SIGINT].map { signal -> DispatchSourceSignal in
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal)
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        await task.value
        signals.forEach { $0.cancel() }
    }

    /// Team mode: queue rounds of settled services and drain the shared queue (once, or until SIGTERM/SIGINT).
    func runTeam(url: String, level: Logger.Level) async throws {
        guard debounce >= 0, rescanEvery >= 0 else {
            throw HeadroomError(.badInput, "--debounce and --rescan-every must be ≥ 0")
        }
        let (once, poll, debounce, lease, fixTimeout) = (self.once, self.poll, self.debounce, self.lease, fixTimeout)
        let attempt = fixes == "on"
        let rescan: Int64? = rescanEvery > 0 ? Int64(rescanEvery) : nil
        let skillsRoot = try? skills.root()
        try await TeamDatabase.with(url: url, logger: EngineLog.standardError("headroom.postgres", level: .error)) {
            database in
            if attempt && skillsRoot == nil {
                EngineLog.standardError("headroom.worker", level: level).notice(
                    "no skills folder (--skills or HEADROOM_SKILLS): this worker queues fix jobs but attempts none")
            }
            var fixing = TeamDatabase.WorkerFixes(attempt: attempt)
            fixing.timeLimit = .seconds(fixTimeout)
            fixing.agentLogger = EngineLog.standardError("headroom.agent", level: level)
            var worker = database.worker(
                skillsRoot: skillsRoot, fixes: fixing,
                logger: EngineLog.standardError("headroom.worker", level: level))
            worker.leaseSeconds = Int64(lease)
            if once {
                var scheduled: [String: Int64] = [:]
                try await worker.schedule(debounce: .seconds(0), scheduled: &scheduled)
                if let rescan { try await worker.scheduleScans(every: rescan) }
                let ran = try await worker.drain()
                print("ran \(ran) job\(ran == 1 ? "" : "s")")
                return
            }
            let running = worker
            await Self.untilSignalled {
                await running.run(interval: .seconds(poll), debounce: .seconds(debounce), rescanEvery: rescan)
            }
        }
    }
}
