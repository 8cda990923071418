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
/// once too; so are the events of each regression (`events`), which the servers deliver. Fix attempts stay with the
/// SQLite store's `Worker` until those tables are on PostgreSQL too.
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
    /// How long a lease lasts without renewal.
    public var leaseSeconds: Int64 = 60
    /// Attempts before a job that keeps dying is failed.
    public var maximumAttempts = 2
    /// This worker's name in leases (host, pid and start time by default).
    public var owner = ProcessLease.current
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
        for job in try await queue.reclaimExpiredJobs(at: Timestamps.now(), maximumAttempts: maximumAttempts) {
            logger.warning("job taken back", metadata: ["job": "\(job.id)", "why": "\(job.reason)"])
        }
        var ran = 0
        while !Task.isCancelled {
            let now = Timestamps.now()
            guard
                let job = try await queue.claimJob(
                    kind: DetectionLoop.jobKind, owner: owner, until: now + leaseSeconds, at: now)
            else { break }
            await run(job)
            ran += 1
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

    /// Every `interval` until cancelled: queues the rounds of services whose pushes have settled for `debounce`
    /// (nil: only what servers queue), then drains the queue (the job in progress finishes first).
    public func run(interval: Duration = .seconds(2), debounce: Duration? = .seconds(30)) async {
        var scheduled: [String: Int64] = [:]
        while !Task.isCancelled {
            do {
                if let debounce { try await schedule(debounce: debounce, scheduled: &scheduled) }
                try await drain()
            } catch {
                logger.warning("job queue unreadable", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// One job under a renewed lease, ended done (with the regressions found) or failed with the error.
    func run(_ job: Job) async {
        let service = job.subject.split(separator: "@").dropLast().joined(separator: "@")
        let (queue, owner, lease) = (self.queue, self.owner, leaseSeconds)
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(max(1, lease / 3)))
                _ = try await queue.renewJobLease(job.id, owner: owner, until: Timestamps.now() + lease)
            }
        }
        let (state, reason): (Job.State, String)
        do {
            // Every push accepted for the service so far, including rows another worker is compacting right now.
            try await profiles.compactIngestLog(service: service.isEmpty ? job.subject : service)
            let found = try await DetectionService.detect(
                service: service.isEmpty ? job.subject : service, in: profiles, configuration: configuration,
                logger: logger
            ).filter { $0.kind == .regression }
            let ranked = try await rank(found)
            (state, reason) = (
                .done,
                "\(found.count) regression\(found.count == 1 ? "" : "s") found"
                    + (rootCause == nil ? "" : ", \(ranked) root-caused")
            )
        } catch {
            (state, reason) = (.failed, HeadroomError.oneLine(error))
        }
        renewal.cancel()
        do {
            try await queue.finishJob(
                job.id, owner: owner, state: state, reason: reason, result: nil, at: Timestamps.now())
        } catch {
            logger.warning(
                "job not finished", metadata: ["job": "\(job.id)", "error": "\(HeadroomError.oneLine(error))"])
        }
        logger.info(
            "detection ended",
            metadata: ["job": "\(job.id)", "service": "\(service)", "state": "\(state.rawValue)", "why": "\(reason)"])
    }

    /// For each open regression (one a person triaged is left as it is): records `regression.detected`, ranks its
    /// culprits where changes are recorded around its onset (the others have nothing to rank against: logged and
    /// skipped) and records `regression.root_caused`; events are recorded once per regression, however often a job
    /// runs. Returns how many were ranked. A failure of the store fails the job.
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
            do {
                let top = try await AsyncBridge.onOwnThread { () -> RootCauseCandidate? in
                    let top = try RootCauseService(store: store).run(regression: id).candidates.first
                    if let top { try events?.rootCaused(stored, top: top) }
                    return top
                }
                ranked += 1
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
        }
        return ranked
    }
}
