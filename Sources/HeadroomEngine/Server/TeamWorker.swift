import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomStore
import Logging

/// `headroom worker --database postgres://…`: takes `detect-service` jobs from a shared queue, detects the
/// service in the shared profile store and ranks the culprits of its regressions against the shared change history
/// - the team-mode worker. Any number of them, on any machines, drain one
/// queue: a job is claimed under a lease (`FOR UPDATE SKIP LOCKED`) renewed while it runs; a job whose lease ran out
/// (its worker killed) is queued again, or failed once it has used its attempts; detection replaces the service's
/// regressions keyed by their identity, so a job redone after a crash stores nothing twice.
///
/// Ranking is redone with each round (a ranking replaces the stored one), so a job redone after a crash stores it
/// once too; so are the events of each regression (`events`), which the servers deliver.
///
/// With a `scanner`, workers also take `scan-opportunities` jobs: a service's registered repositories scanned
/// against its shared profiles, the opportunities replaced in the shared database. A round of them is queued every
/// rescan interval (one job per service and round however many workers queue it). A worker without any of the
/// service's repository folders passes a scan or fix job on: it goes back to the queue untried, saying where the
/// repository was registered, and this worker leaves it to the others for `passOver` seconds (a service with no
/// registered repository at all fails the job: no worker could do it).
///
/// With `fixes`, each regression a worker ranks is routed by the fix policy and its `fix-regression` job queued or
/// held, and workers that can attempt fixes take the queued ones (`TeamWorker+Fixes`).
public struct TeamWorker: Sendable {
    /// The shared queue.
    public let queue: any JobQueue
    /// The shared profiles: compacted and detected.
    public let profiles: any ProfileStore & DetectionStore
    /// The detector's settings.
    public var configuration: DetectionConfiguration
    /// Where regressions are root-caused after each detection (the shared change history); nil: detection only.
    public var rootCause: (any RootCauseStore)?
    /// Records `regression.detected` and `regression.root_caused` in the shared outbox (servers with `--webhook`
    /// deliver them); nil: no events.
    public var events: EventRecorder?
    /// Scans one of a service's registered repositories for opportunities (service, repository root) and returns
    /// how many it found; nil: this worker takes no scan jobs.
    public var scanner: (@Sendable (_ service: String, _ root: String) throws -> Int)?
    /// The repositories scans read (where `scanner` finds a service's registered ones).
    public var repositories: (any RepositoryStore)?
    /// Fix jobs: queued or held for each ranked regression, and attempted; nil: neither.
    public var fixes: Fixes?
    /// The job kind of an opportunity scan; its subject is `SERVICE@ROUND`.
    public static let scanKind = "scan-opportunities"
    /// How long a lease lasts without renewal.
    public var leaseSeconds: Int64 = 60
    /// Attempts before a job that keeps dying is failed.
    public var maximumAttempts = 2
    /// This worker's name in leases (host, pid and start time by default).
    public var owner = ProcessLease.current
    /// How long this worker leaves a job it passed on (its repository is not here) to the others, in seconds.
    public var passOver: Int64 = 600
    /// The jobs this worker passed on, until when.
    let passed = PassedJobs()
    /// Where jobs are logged.
    public var logger: Logger

    /// A worker draining `queue` against `profiles`.
    public init(
        queue: any JobQueue, profiles: any ProfileStore & DetectionStore,
        configuration: DetectionConfiguration = DetectionConfiguration(),
        logger: Logger = EngineLog.disabled("headroom.worker")
    ) {
        self.queue = queue
        self.profiles = profiles
        self.configuration = configuration
        self.logger = logger
    }

    /// Queues a `detect-service` job for each service with profiles ingested after `after[service]`; returns the
    /// newest ingest time per service (what to pass next time). The subject `SERVICE@T` makes a round one job
    /// however many servers queue it.
    public static func enqueueDetection(
        queue: any JobQueue, latest: [String: Int64], after: [String: Int64] = [:], at time: Int64 = Timestamps.now()
    ) async throws -> [String: Int64] {
        for (service, last) in latest.sorted(by: { $0.key < $1.key }) where last > (after[service] ?? Int64.min) {
            _ = try await queue.enqueueJob(
                kind: DetectionLoop.jobKind, subject: "\(service)@\(last)", regressionID: nil, state: .queued,
                reason: "", at: time)
        }
        return latest
    }

    /// Runs queued detection jobs until none is left (taking back those whose lease ran out first); returns how
    /// many it ran.
    @discardableResult
    public func drain() async throws -> Int {
        let now = Timestamps.now()
        // The fix jobs whose worker stopped, with that worker: the patches it held are ended below.
        let stopped =
            fixes == nil
            ? []
            : try await queue.jobs(state: .running, limit: 1_000).filter {
                $0.kind == FixQueue.kind && ($0.leaseUntil ?? Int64.max) < now
            }
        let reclaimed = try await queue.reclaimExpiredJobs(at: now, maximumAttempts: maximumAttempts)
        for job in reclaimed {
            logger.warning("job taken back", metadata: ["job": "\(job.id)", "why": "\(job.reason)"])
        }
        try await endPatches(of: stopped.filter { job in reclaimed.contains { $0.id == job.id } })
        var ran = 0
        // Detection first (a new regression is what people wait for), then fixes; scans when nothing else is queued.
        let kinds =
            [DetectionLoop.jobKind] + (fixes?.attempt == nil ? [] : [FixQueue.kind])
            + (scanner == nil ? [] : [Self.scanKind])
        claiming: while !Task.isCancelled {
            for kind in kinds {
                let now = Timestamps.now()
                if let job = try await queue.claimJob(
                    kind: kind, owner: owner, until: now + leaseSeconds, at: now, excluding: passed.current(at: now))
                {
                    if await run(job) { ran += 1 }
                    continue claiming
                }
            }
            break
        }
        return ran
    }

    /// Queues a round of detection for each service whose newest profile is at least `debounce` old and newer than
    /// its last round here (`scheduled`, updated). Any worker may do it: a round is one job however many queue it.
    public func schedule(debounce: Duration, scheduled: inout [String: Int64], at now: Int64 = Timestamps.now())
        async throws
    {
        let quiet = debounce.components.seconds
        let settled = try await profiles.lastIngest().filter { now - $0.value >= quiet }
        scheduled.merge(
            try await Self.enqueueDetection(queue: queue, latest: settled, after: scheduled, at: now)
        ) { max($0, $1) }
    }

    /// Queues this round's scan of each service that has profiles and a registered repository: the round is the
    /// time `now` rounded down to `every` seconds, so workers queueing at once make one job per service and round.
    /// Returns the subjects queued (new or already there).
    @discardableResult
    public func scheduleScans(every: Int64, at now: Int64 = Timestamps.now()) async throws -> [String] {
        guard scanner != nil, let repositories, every > 0 else { return [] }
        let round = now - ((now % every) + every) % every
        let profiled = try await profiles.lastIngest()
        let registered = try await AsyncBridge.onOwnThread { try repositories.registeredRepositories() }
        let services = Set(registered.compactMap(\.service)).filter { profiled[$0] != nil }.sorted()
        var subjects: [String] = []
        for service in services {
            let subject = "\(service)@\(round)"
            _ = try await queue.enqueueJob(
                kind: Self.scanKind, subject: subject, regressionID: nil, state: .queued, reason: "", at: now)
            subjects.append(subject)
        }
        return subjects
    }

    /// Every `interval` until cancelled: queues the rounds of services whose pushes have settled for `debounce`
    /// (nil: only what servers queue) and, every `rescanEvery` seconds (nil: never), a round of opportunity scans;
    /// then drains the queue (the job in progress finishes first).
    public func run(
        interval: Duration = .seconds(2), debounce: Duration? = .seconds(30), rescanEvery: Int64? = nil
    ) async {
        var scheduled: [String: Int64] = [:]
        while !Task.isCancelled {
            do {
                if let debounce { try await schedule(debounce: debounce, scheduled: &scheduled) }
                if let rescanEvery { try await scheduleScans(every: rescanEvery) }
                try await drain()
            } catch {
                logger.warning("job queue unreadable", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// One job under a renewed lease, ended done (with what it found) or failed with the error; false when it was
    /// passed on untried (its repository is not on this machine).
    func run(_ job: Job) async -> Bool {
        let head = job.subject.split(separator: "@").dropLast().joined(separator: "@")
        let service = head.isEmpty ? job.subject : head
        if let elsewhere = await repositoryElsewhere(job, service: service) {
            let now = Timestamps.now()
            passed.add(job.id, until: now + passOver)
            do {
                try await queue.releaseJob(job.id, owner: owner, reason: "passed on by \(owner): \(elsewhere)", at: now)
            } catch {
                logger.warning(
                    "job not passed on", metadata: ["job": "\(job.id)", "error": "\(HeadroomError.oneLine(error))"])
            }
            logger.notice("job passed on", metadata: ["job": "\(job.id)", "why": "\(elsewhere)"])
            return false
        }
        let (queue, owner, lease) = (self.queue, self.owner, leaseSeconds)
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(max(1, lease / 3)))
                _ = try await queue.renewJobLease(job.id, owner: owner, until: Timestamps.now() + lease)
            }
        }
        let (state, reason, result): (Job.State, String, String?)
        if job.kind == FixQueue.kind {
            (state, reason, result) = await fix(job)
        } else {
            do {
                // Every push accepted for the service so far, including rows another worker is compacting right now.
                try await profiles.compactIngestLog(service: service)
                (state, reason, result) = (
                    .done, job.kind == Self.scanKind ? try await scan(service) : try await detect(service), nil
                )
            } catch {
                (state, reason, result) = (.failed, HeadroomError.oneLine(error), nil)
            }
        }
        renewal.cancel()
        do {
            try await queue.finishJob(
                job.id, owner: owner, state: state, reason: reason, result: result, at: Timestamps.now())
        } catch {
            logger.warning(
                "job not finished", metadata: ["job": "\(job.id)", "error": "\(HeadroomError.oneLine(error))"])
        }
        logger.info(
            job.kind == Self.scanKind
                ? "scan ended" : job.kind == FixQueue.kind ? "fix attempt ended" : "detection ended",
            metadata: ["job": "\(job.id)", "service": "\(service)", "state": "\(state.rawValue)", "why": "\(reason)"])
        return true
    }

    /// Why a scan or fix job cannot run here though another worker could: the service's repositories are
    /// registered, none of their folders is on this machine. Nil when it can run here, or nowhere (no registration,
    /// or no way to tell: the job then runs and fails with its reason).
    func repositoryElsewhere(_ job: Job, service: String) async -> String? {
        let store: (any RepositoryStore)?
        let named: String?
        switch job.kind {
        case Self.scanKind: (store, named) = (repositories, service)
        case FixQueue.kind: (store, named) = (fixes?.attempt == nil ? nil : fixes?.store, nil)
        default: return nil
        }
        guard let store else { return nil }
        let (fixStore, regression) = (fixes?.store, job.regressionID)
        return try? await AsyncBridge.onOwnThread { () -> String? in
            var service = named
            if service == nil, let regression, let fixStore {
                service = try fixStore.regression(id: regression).service
            }
            guard let service, try store.registeredRepositories().contains(where: { $0.service == service }) else {
                return nil
            }
            do {
                _ = try Self.repositoriesHere(of: service, in: store)
                return nil
            } catch {
                return HeadroomError.oneLine(error)
            }
        }
    }

    /// Detects `service` and ranks its new regressions' culprits; returns what the job found.
    func detect(_ service: String) async throws -> String {
        let found = try await DetectionService.detect(
            service: service, in: profiles, configuration: configuration, logger: logger
        ).filter { $0.kind == .regression }
        let ranked = try await rank(found)
        return "\(found.count) regression\(found.count == 1 ? "" : "s") found"
            + (rootCause == nil ? "" : ", \(ranked) root-caused")
    }

    /// Scans each of `service`'s registered repositories whose folder is on this machine; returns what the job
    /// found. A service none of whose repositories is here fails the job (`run` passes such jobs on before this).
    func scan(_ service: String) async throws -> String {
        guard let scanner, let repositories else { throw HeadroomError(.refused, "this worker does not scan") }
        return try await AsyncBridge.onOwnThread {
            let here = try Self.repositoriesHere(of: service, in: repositories)
            var found = 0
            for repository in here { found += try scanner(service, repository.root) }
            return "\(found) opportunit\(found == 1 ? "y" : "ies") found in "
                + here.map(\.name).joined(separator: ", ")
        }
    }

    /// The service's registered repositories whose folder is on this machine; none is a not-found error saying
    /// where they were registered (another worker, or a person, has them).
    static func repositoriesHere(of service: String, in store: any RepositoryStore) throws -> [RegisteredRepository] {
        let mine = try store.registeredRepositories().filter { $0.service == service }
        var isFolder: ObjCBool = false
        let here = mine.filter {
            FileManager.default.fileExists(atPath: $0.root, isDirectory: &isFolder) && isFolder.boolValue
        }
        guard !here.isEmpty else {
            throw HeadroomError(
                .notFound,
                mine.isEmpty
                    ? "service \(service) has no registered repository"
                    : "no repository of service \(service) is on this worker (registered at "
                        + mine.map(\.root).joined(separator: ", ") + ")")
        }
        return here
    }

    /// For each open regression (one a person triaged is left as it is): records `regression.detected`, ranks its
    /// culprits where changes are recorded around its onset (the others have nothing to rank against: logged and
    /// skipped) and records `regression.root_caused`; events are recorded once per regression, however often a job
    /// runs; then, with `fixes`, its fix job is queued or held. Returns how many were ranked. A failure of the store
    /// fails the job.
    func rank(_ regressions: [Regression]) async throws -> Int {
        guard let store = rootCause else { return 0 }
        let events = self.events
        var ranked = 0
        for regression in regressions {
            guard let id = regression.id else { continue }
            // As stored, with people's verdicts.
            let stored = try await AsyncBridge.onOwnThread { () -> Regression? in
                let stored = try store.regression(id: id)
                guard stored.isOpen() else { return nil }
                try events?.detected(stored)
                return stored
            }
            guard let stored else {
                logger.info("triaged, not ranked again", metadata: ["regression": "\(id)"])
                continue
            }
            var culprit: RootCauseCandidate?
            do {
                let top = try await AsyncBridge.onOwnThread { () -> RootCauseCandidate? in
                    let top = try RootCauseService(store: store).run(regression: id).candidates.first
                    if let top { try events?.rootCaused(stored, top: top) }
                    return top
                }
                ranked += 1
                culprit = top
                if let top {
                    logger.notice(
                        "root cause ranked",
                        metadata: [
                            "regression": "\(id)", "function": "\(regression.function.name)", "culprit": "\(top.ref)",
                            "confidence": "\(String(format: "%.2f", top.confidence))",
                        ])
                }
            } catch let error as HeadroomError where error.code == .notFound {
                logger.info(
                    "nothing to rank", metadata: ["regression": "\(id)", "why": "\(HeadroomError.oneLine(error))"])
            }
            try await consider(stored, culprit: culprit)
        }
        return ranked
    }
}

/// The jobs a worker passed on and until when it leaves them to the others.
final class PassedJobs: @unchecked Sendable {
    private let lock = NSLock()
    private var until: [Int64: Int64] = [:]

    /// Leaves job `id` to the others until `time`.
    func add(_ id: Int64, until time: Int64) {
        lock.lock()
        defer { lock.unlock() }
        until[id] = time
    }

    /// The jobs still left to the others at `time`.
    func current(at time: Int64) -> Set<Int64> {
        lock.lock()
        defer { lock.unlock() }
        until = until.filter { $0.value > time }
        return Set(until.keys)
    }
}
