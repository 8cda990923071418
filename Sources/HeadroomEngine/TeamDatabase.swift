import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomPostgres
import HeadroomProfiles
import HeadroomSkills
import HeadroomStore
import Logging

/// Team mode's shared PostgreSQL database, as the commands use it (`--database postgres://…`, or
/// `HEADROOM_DATABASE`): the job queue and the profile store on one connection pool each, migrated on first use by
/// whichever process starts first.
public struct TeamDatabase: Sendable {
    /// The shared job queue.
    public let queue: PostgresJobQueue
    /// The shared profiles and regressions.
    public let profiles: PostgresProfileStore

    /// The database over a queue and a profile store already running (their `run()` in a task) and migrated.
    public init(queue: PostgresJobQueue, profiles: PostgresProfileStore) {
        self.queue = queue
        self.profiles = profiles
    }

    /// The database URL: `explicit` (the `--database` option), else `HEADROOM_DATABASE`; nil: the SQLite store.
    public static func url(explicit: String?) -> String? {
        if let explicit { return explicit }
        let environment = ProcessInfo.processInfo.environment["HEADROOM_DATABASE"] ?? ""
        return environment.isEmpty ? nil : environment
    }

    /// Connects to `url`, migrates, runs `body`, and closes the connections. A URL that does not parse, or a
    /// database that does not answer, is one error line (the password never appears in it).
    public static func with<T: Sendable>(
        url: String, connectTimeout: Duration = .seconds(15), logger: Logger = EngineLog.disabled("headroom.postgres"),
        _ body: @Sendable (TeamDatabase) async throws -> T
    ) async throws -> T {
        let location = try PostgresLocation(url)
        let database = TeamDatabase(
            queue: PostgresJobQueue(location: location, logger: logger),
            profiles: PostgresProfileStore(location: location, logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await database.queue.run()
                return nil
            }
            group.addTask {
                await database.profiles.run()
                return nil
            }
            defer { group.cancelAll() }
            // A server that does not answer would leave the pool retrying for ever: the first contact has a limit.
            try await withThrowingTaskGroup(of: Bool.self) { first in
                first.addTask {
                    try await database.queue.migrate()
                    try await database.profiles.migrate()
                    return true
                }
                first.addTask {
                    try await Task.sleep(for: connectTimeout)
                    return false
                }
                defer { first.cancelAll() }
                do {
                    guard try await first.next() == true else {
                        throw HeadroomError(
                            .store,
                            "PostgreSQL at \(location.redacted) did not answer within \(connectTimeout.components.seconds) s"
                        )
                    }
                } catch let error as HeadroomError {
                    throw error
                } catch {
                    throw HeadroomError(.store, "PostgreSQL at \(location.redacted): \(HeadroomError.oneLine(error))")
                }
            }
            return try await body(database)
        }
    }

    /// Reads each file and stores it in the shared database, one transaction per file (a bad file stores nothing;
    /// the files before it stay); a file stored before is a duplicate.
    public func ingest(
        files: [String], service: String, at time: Int64?, labels: [Label], options: ProfileReadOptions
    ) async throws -> [ProfileIngestor.Report] {
        let ingestor = ProfileIngestor(store: try Store.open(path: ":memory:"))
        var reports: [ProfileIngestor.Report] = []
        for file in files {
            let prepared = try ingestor.prepare(
                file: file, service: service, at: time, labels: labels, options: options)
            let outcome = try await profiles.ingest(batch: [prepared.contribution], deferred: false)[0].get()
            reports.append(ingestor.finish(prepared, outcome: outcome))
        }
        return reports
    }

    /// Detects every service (or one) in the shared database now and replaces their stored regressions, as a
    /// worker's jobs do; an unknown service is a not-found error.
    public func detect(
        service: String?, configuration: DetectionConfiguration = DetectionConfiguration(), logger: Logger
    )
        async throws -> (regressions: [Regression], filtered: [RegressionDetector.Filtered])
    {
        var regressions: [Regression] = []
        var filtered: [RegressionDetector.Filtered] = []
        var services = service.map { [$0] } ?? []
        if service == nil { services = try await profiles.detectionServices() }
        for name in services {
            try await profiles.compactIngestLog(service: name)
            let found = try await DetectionService.detectWithFiltered(
                service: name, in: profiles, configuration: configuration, logger: logger)
            regressions += found.regressions
            filtered += found.filtered
        }
        return (regressions.sorted(by: Regression.bySeverity), filtered)
    }

    /// `top` over the shared database: the service's log compacted first, so every profile accepted so far counts.
    public func top(
        service: String, range: TimeRange, byTotal: Bool, limit: Int, label: Label? = nil, function: String? = nil,
        costs: CostModel
    ) async throws -> TopReport {
        try await compacted(service)
        return try await ProfileQueries.topReport(
            in: profiles, service: service, range: range, byTotal: byTotal, limit: limit, label: label,
            function: function, costs: costs)
    }

    /// `diff` over the shared database, its log compacted first.
    public func diff(
        service: String, before: TimeRange, after: TimeRange, byTotal: Bool, label: Label?, alpha: Double, limit: Int
    ) async throws -> DiffReport {
        try await compacted(service)
        return try await ProfileQueries.diffReport(
            in: profiles, service: service, before: before, after: after, byTotal: byTotal, label: label,
            alpha: alpha, limit: limit)
    }

    /// A flame graph (or, with `baseline`, a differential one) over the shared database, its log compacted first.
    public func flameGraph(service: String, range: TimeRange, baseline: TimeRange?, label: Label?) async throws
        -> String
    {
        try await compacted(service)
        return try await ProfileQueries.flameGraph(
            in: profiles, service: service, range: range, baseline: baseline, label: label)
    }

    /// The shared database as the synchronous store the change-history and root-cause services use (each service
    /// call below runs off the cooperative pool).
    public var changeStore: TeamStore { TeamStore(profiles: profiles, queue: queue) }

    /// Runs synchronous work (a service written against `RootCauseStore`, `ChangeStore` or `RepositoryStore`) over
    /// the shared database, off the cooperative pool.
    public func synchronously<T: Sendable>(_ body: @escaping @Sendable (TeamStore) throws -> T) async throws
        -> T
    {
        let store = changeStore
        return try await AsyncBridge.onOwnThread { try body(store) }
    }

    /// `changes import` into the shared database: the repository registered there, its commits saved in one
    /// transaction (known ones skipped unless `full`).
    public func importRepository(
        _ path: String, since: String?, kind: Commit.Kind, service: String?, full: Bool
    ) async throws -> ChangeHistoryService.RepositoryImport {
        let store = changeStore
        return try await AsyncBridge.onOwnThread {
            try ChangeHistoryService(store: store).importRepository(
                path, since: since, kind: kind, service: service, full: full)
        }
    }

    /// `deploys import` into the shared database: the whole file or nothing.
    public func importDeploys(file: String) async throws -> (deploys: [Deploy], added: Int) {
        let store = changeStore
        return try await AsyncBridge.onOwnThread { try ChangeHistoryService(store: store).importDeploys(file: file) }
    }

    /// `deploys add` into the shared database; returns the full sha.
    public func recordDeploy(service: String, commit: String, time: Int64) async throws -> String {
        let store = changeStore
        return try await AsyncBridge.onOwnThread {
            try ChangeHistoryService(store: store).recordDeploy(service: service, commit: commit, time: time)
        }
    }

    /// `rootcause` over the shared database: the regression's service compacted first (its stacks are what the
    /// ranking compares), then the same ranking, stored, and the same report as on SQLite; with `bisect`, the
    /// candidate range bisected too.
    public func rootCause(
        regression id: Int64, bisect: Bisector? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> (regression: Regression, report: RootCauseReport) {
        let regression = try await profiles.regression(id: id)
        try await compacted(regression.service)
        let store = changeStore
        return try await AsyncBridge.onOwnThread {
            try RootCauseService(store: store).investigate(regression: id, bisect: bisect, progress: progress)
        }
    }

    /// Compacts what is logged for `service` (when it has profiles), so a query counts every profile accepted so far.
    func compacted(_ service: String) async throws {
        try await profiles.compactIngestLog(service: service)  // a service it does not know: nothing to do
    }

    /// The server's Pyroscope ingest into the shared database: pushes parsed here, committed to the shared ingest
    /// log before the 200, compacted every second by every server.
    public func pyroscopeIngest(maximumBytes: Int, logger: Logger) throws -> PyroscopeIngest {
        PyroscopeIngest(
            ingestor: ProfileIngestor(store: try Store.open(path: ":memory:"), logger: logger),
            maximumBytes: maximumBytes, sink: SharedIngestSink(profiles: profiles, logger: logger))
    }

    /// Delivers the shared outbox to `targets` (`serve --database --webhook`): any number of servers at once, each
    /// due delivery claimed by one of them.
    public func webhooks(_ targets: [WebhookDelivery.Target], logger: Logger) -> WebhookDelivery {
        WebhookDelivery(store: changeStore, targets: targets, logger: logger)
    }

    /// A worker draining the shared queue against the shared profiles: its regressions ranked and announced, and
    /// the registered repositories on this machine scanned for opportunities (matched to the skills under
    /// `skillsRoot`, when given). With `fixes`, each ranked regression's fix job is queued (or held) under the fix
    /// policy, and attempted here when `fixes.attempt` and a skills folder is given (the agent over the shared
    /// database's tools).
    public func worker(
        configuration: DetectionConfiguration = DetectionConfiguration(), skillsRoot: String? = nil,
        costModel: CostModel = CostModel(), fixes: WorkerFixes? = nil, logger: Logger
    ) -> TeamWorker {
        var worker = TeamWorker(queue: queue, profiles: profiles, configuration: configuration, logger: logger)
        let store = changeStore
        worker.rootCause = store
        worker.events = EventRecorder(store: store)
        worker.repositories = store
        worker.scanner = { service, root in
            let skills = skillsRoot.flatMap { try? SkillCatalog.load(root: $0) }
            return try OpportunityScanner(store: store, costModel: costModel).scan(
                service: service, repository: root, skills: skills
            ).count
        }
        if let fixes {
            let fixing = fixContext(
                skillsRoot: skillsRoot, outputDirectory: fixes.outputDirectory, costModel: costModel,
                validation: fixes.validation, commands: fixes.commands)
            var attempt: FixQueue.Attempt?
            // Without skills an attempt could only fail, and a failed job is not retried: leave it to a worker that
            // has them.
            if fixes.attempt, skillsRoot != nil {
                var agent = agent(fixing: fixing)
                agent.logger = fixes.agentLogger
                attempt = FixQueue.attempts(by: agent, publisher: PublishService(store: store))
            }
            worker.fixes = TeamWorker.Fixes(
                store: store, policy: FixPolicy(enabled: fixes.policyEnabled), costs: costModel,
                timeLimit: fixes.timeLimit, attempt: attempt)
        }
        return worker
    }

    /// A team worker's fix settings: whether it attempts fixes (else it only queues or holds them under the policy)
    /// and how.
    public struct WorkerFixes: Sendable {
        /// Whether this worker attempts queued fixes.
        public var attempt: Bool
        /// The operator's switch of automatic attempts (off: every regression's fix is held for a person).
        public var policyEnabled = true
        /// How long one attempt may run.
        public var timeLimit: Duration = .seconds(1800)
        /// Where PR descriptions go (default `headroom-prs` under the working directory).
        public var outputDirectory: String?
        /// Runs, looks and thresholds of validation.
        public var validation = ValidationConfiguration()
        /// The operator's test and bench commands.
        public var commands = OperatorCommands()
        /// Where the agent's runs are logged.
        public var agentLogger: Logger = EngineLog.disabled("headroom.agent")

        /// Settings that attempt fixes (or only queue them).
        public init(attempt: Bool) { self.attempt = attempt }
    }
}
