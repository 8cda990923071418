import Foundation
import HeadroomCore
import HeadroomStore
import Logging

/// Fix attempts in team mode, as `serve` makes them on SQLite (`FixQueue`): each regression a worker ranks is routed
/// by the fix policy (`TriageRouter`) and its `fix-regression` job queued, or held for a person with the reason,
/// once per regression identity; workers with `fixes` take queued jobs under a lease, one at a time each, and run
/// the attempt (the agent over the shared database's tools) with a time limit. A job whose worker died is taken back
/// like any other (`reclaimExpiredJobs`), so the next attempt cleans up after it (`Janitor`) and runs once.
extension TeamWorker {
    /// What a worker needs to queue and attempt fixes.
    public struct Fixes: Sendable {
        /// The shared store the policy reads (repositories, cores) and patches are recorded in.
        public var store: any FixStore
        /// Which regressions are attempted without a person.
        public var policy: FixPolicy
        /// The cost model behind a regression's cores.
        public var costs: CostModel
        /// How long one attempt may run before it is cancelled and its job failed.
        public var timeLimit: Duration
        /// One attempt for a regression (`FixQueue.attempts(by:publisher:)`); nil: this worker queues fix jobs but
        /// attempts none.
        public var attempt: FixQueue.Attempt?

        /// Fixes under `policy` recorded in `store`.
        public init(
            store: any FixStore, policy: FixPolicy = FixPolicy(), costs: CostModel = CostModel(),
            timeLimit: Duration = .seconds(1800), attempt: FixQueue.Attempt?
        ) {
            self.store = store
            self.policy = policy
            self.costs = costs
            self.timeLimit = timeLimit
            self.attempt = attempt
        }
    }

    /// Routes a ranked (or unrankable) open regression and queues its fix job, or holds it with the reason.
    func consider(_ regression: Regression, culprit: RootCauseCandidate?) async throws {
        guard let fixes, regression.kind == .regression, let id = regression.id else { return }
        let now = Timestamps.now()
        let (route, reason) = try await AsyncBridge.onOwnThread {
            try TriageRouter(store: fixes.store, fixPolicy: fixes.policy, costs: fixes.costs)
                .route(regression, culprit: culprit, at: now)
        }
        let (job, isNew) = try await queue.enqueueJob(
            kind: FixQueue.kind, subject: EventRecorder.subject(regression), regressionID: id,
            state: route == .autoFix ? .queued : .held, reason: reason, at: now)
        guard isNew else { return }
        logger.notice(
            route == .autoFix ? "fix queued" : "fix held for a person",
            metadata: [
                "job": "\(job.id)", "regression": "\(id)", "function": "\(regression.function.name)",
                "why": "\(reason)",
            ])
    }

    /// Ends what the workers of fix jobs taken back had left: their proposed patches cancelled, every patch they held
    /// released. The lease is what tells, whichever machine the worker ran on (its own machine's `Janitor` would
    /// see a dead process, but no other machine can); a worker that was only slow finds its job and patches gone.
    func endPatches(of jobs: [Job]) async throws {
        guard let fixes else { return }
        for owner in Set(jobs.compactMap(\.leaseOwner)).sorted() {
            let cancelled = try await AsyncBridge.onOwnThread {
                try fixes.store.cancelPatches(
                    owner: owner, reason: "its worker stopped before finishing (the fix job's lease ran out)")
            }
            if !cancelled.isEmpty {
                logger.warning(
                    "patches of a stopped worker cancelled",
                    metadata: ["owner": "\(owner)", "patches": "\(cancelled.map(String.init).joined(separator: ", "))"])
            }
        }
    }

    /// Runs one claimed fix job: the attempt, or its time limit, whichever ends first; a worker without the
    /// service's repository folder (checked again: it may have gone since the claim) fails it with that reason.
    /// Returns the job's end state, reason and result.
    func fix(_ job: Job) async -> (state: Job.State, reason: String, result: String?) {
        guard let fixes, let attempt = fixes.attempt else {
            return (.failed, "this worker does not attempt fixes", nil)
        }
        guard let id = job.regressionID else { return (.failed, "no regression", nil) }
        do {
            try await AsyncBridge.onOwnThread {
                _ = try Self.repositoriesHere(of: try fixes.store.regression(id: id).service, in: fixes.store)
            }
        } catch {
            return (.failed, HeadroomError.oneLine(error), nil)
        }
        logger.notice("fix attempt started", metadata: ["job": "\(job.id)", "regression": "\(id)"])
        let work = Task { try await attempt(id) }
        let limit = fixes.timeLimit
        let outcome = await FirstOf.value(of: work, within: limit)
        switch outcome {
        case .success(let ended)?: return ended
        case .failure(let error)?: return (.failed, HeadroomError.oneLine(error), nil)
        case nil:
            work.cancel()
            _ = await work.result  // one attempt at a time, even an abandoned one
            return (.failed, "time limit of \(limit) exceeded; the attempt was cancelled", nil)
        }
    }
}
