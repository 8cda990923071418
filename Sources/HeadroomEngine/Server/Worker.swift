import Foundation
import HeadroomCore
import HeadroomStore
import Logging

/// `headroom worker`: takes jobs from the store's queue and runs them, beside a server that only ingests and queues
/// (`serve --external-workers`), so detection and fixes can run in other processes or on other machines sharing
/// the store. Two kinds:
/// - `detect-service` (subject `SERVICE@T`): the detection loop's round for one service (`DetectionLoop.detect`):
///   detect, announce, rank, queue or hold fixes;
/// - `fix-regression`: an attempt as `headroom fix ID` makes it (`FixQueue`), when this worker runs fixes.
///
/// A job is taken under a lease renewed while it runs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on
/// SQLite: two workers never take one job). A job whose worker died - its process gone from this machine, or its
/// lease run out - is queued again, or failed once it has used its attempts. Detection is idempotent (a service's
/// stored regressions are replaced, each regression keyed by its identity), so a job redone after a crash stores
/// nothing twice.
public struct Worker: Sendable {
    /// The store holding the queue and the profiles.
    public let store: Store
    /// Runs `detect-service` jobs.
    public var detection: DetectionLoop
    /// Runs `fix-regression` jobs; nil: this worker leaves them to others.
    public var fixes: (queue: FixQueue, attempt: FixQueue.Attempt)?
    /// How long a lease lasts without renewal.
    public var leaseSeconds: Int64 = 60
    /// Attempts before a job that keeps dying is failed.
    public var maximumAttempts = 2
    /// Where jobs are logged.
    public var logger: Logger

    /// A worker on `store` running detection with `detection`.
    public init(store: Store, detection: DetectionLoop, logger: Logger = EngineLog.disabled("headroom.worker")) {
        self.store = store
        self.detection = detection
        self.logger = logger
    }

    /// Runs queued jobs until none is left (taking back those of dead workers first); returns how many it ran.
    @discardableResult
    public func drain() async throws -> Int {
        _ = try await AsyncBridge.offPool { try recover() }
        var ran = 0
        while !Task.isCancelled {
            if let job = try await AsyncBridge.offPool({ try claim(DetectionLoop.jobKind) }) {
                await runDetection(job)
                ran += 1
            } else if let fixes, let job = try await AsyncBridge.offPool({ try claim(FixQueue.kind) }) {
                await fixes.queue.execute(job, store: store, attempt: fixes.attempt)
                ran += 1
            } else {
                break
            }
        }
        return ran
    }

    /// Drains the queue every `interval` until cancelled (SIGTERM: the job in progress finishes first).
    public func run(interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            do {
                try await drain()
            } catch {
                logger.warning("job queue unreadable", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Running jobs whose worker is gone: a process of this machine that no longer runs, or any lease past its
    /// expiry. Queued again, or failed after `maximumAttempts`.
    @discardableResult
    func recover(at time: Int64 = Timestamps.now()) throws -> [Job] {
        let recovered = try store.releaseAbandonedJobs(
            kinds: [DetectionLoop.jobKind, FixQueue.kind], maximumAttempts: maximumAttempts, at: time
        ) { job, retried in JobLeaseReason.expired(attempts: job.attempts, retried: retried) }
        for job in recovered {
            logger.warning(
                "job taken back", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "why": "\(job.reason)"])
        }
        return recovered
    }

    private func claim(_ kind: String) throws -> Job? {
        let now = Timestamps.now()
        return try store.claimJob(kind: kind, owner: ProcessLease.current, until: now + leaseSeconds, at: now)
    }

    /// One `detect-service` job under a renewed lease, ended done (with the regressions found) or failed.
    private func runDetection(_ job: Job) async {
        let owner = ProcessLease.current
        let service = job.subject.split(separator: "@").dropLast().joined(separator: "@")
        logger.info("detection started", metadata: ["job": "\(job.id)", "service": "\(service)"])
        let (store, lease) = (self.store, leaseSeconds)
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(max(1, lease / 3)))
                _ = try store.renewJobLease(job.id, owner: owner, until: Timestamps.now() + lease)
            }
        }
        let (state, reason): (Job.State, String)
        do {
            _ = try await AsyncBridge.offPool { try store.compactIngestLog() }
            let found = try await detection.detect(service: service.isEmpty ? job.subject : service)
            (state, reason) = (.done, "\(found) regression\(found == 1 ? "" : "s") found")
        } catch {
            (state, reason) = (.failed, HeadroomError.oneLine(error))
        }
        renewal.cancel()
        _ = try? await AsyncBridge.offPool {
            try store.finishJob(job.id, owner: owner, state: state, reason: reason, result: nil, at: Timestamps.now())
        }
        logger.info(
            "detection ended",
            metadata: ["job": "\(job.id)", "service": "\(service)", "state": "\(state.rawValue)", "why": "\(reason)"])
    }
}
