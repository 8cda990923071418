import Foundation
import HeadroomCore
import HeadroomStore
import Logging
import Synchronization

/// The server's fix attempts: the detection loop hands each ranked regression to `consider`, which applies the
/// `FixPolicy` and queues a job (or holds it for a person, with the reason); `run` takes queued jobs one at a time
/// under a lease and runs the attempt with a time limit. A job is queued once per regression identity, so
/// re-detection never attempts the same fix twice. After a crash, a job left `running` by a dead process (or with
/// an expired lease) is queued again, or failed once it has used `maximumAttempts`; what the attempt left on disk
/// is the Janitor's (every attempt starts by cleaning up after interrupted ones).
public struct FixQueue: Sendable {
    /// The job kind of a fix attempt.
    public static let kind = "fix-regression"

    /// The store the queue lives in.
    public let store: Store
    /// Which regressions are attempted without a person.
    public var policy: FixPolicy
    /// The cost model behind a regression's cores.
    public var costs: CostModel
    /// Attempts before a job that keeps crashing is failed.
    public var maximumAttempts = 2
    /// How long one attempt may run.
    public var timeLimit: Duration = .seconds(1800)
    /// How long a lease lasts without a heartbeat.
    public var leaseSeconds: Int64 = 120
    /// Where jobs' outcomes are logged.
    public var logger: Logger

    /// Runs one attempt for a regression: the job's end state, a reason, and the outcome as JSON.
    public typealias Attempt =
        @Sendable (_ regression: Int64) async throws -> (
            state: Job.State, reason: String, result: String?
        )

    /// A queue in `store` under `policy`.
    public init(
        store: Store, policy: FixPolicy = FixPolicy(), costs: CostModel = CostModel(),
        logger: Logger = EngineLog.disabled("headroom.fix")
    ) {
        self.store = store
        self.policy = policy
        self.costs = costs
        self.logger = logger
    }

    /// Applies the policy to a ranked regression and queues or holds its job (once per regression identity).
    @discardableResult
    public func consider(_ regression: Regression, culprit: RootCauseCandidate?, at time: Int64 = Timestamps.now())
        throws -> Job?
    {
        guard regression.kind == .regression, regression.isOpen(at: time), let id = regression.id else { return nil }
        // The triage policy routes it: an automatic attempt is queued, anything else is held with its reason.
        let (route, reason) = try TriageRouter(store: store, fixPolicy: policy, costs: costs)
            .route(regression, culprit: culprit, at: time)
        let state: Job.State = route == .autoFix ? .queued : .held
        let (job, isNew) = try store.enqueueJob(
            kind: Self.kind, subject: EventRecorder.subject(regression), regressionID: id, state: state,
            reason: reason, at: time)
        if isNew {
            logger.notice(
                route == .autoFix
                    ? "fix queued" : route == .digest ? "fix held for the digest" : "fix held for a person",
                metadata: [
                    "job": "\(job.id)", "regression": "\(id)", "function": "\(regression.function.name)",
                    "why": "\(reason)",
                ])
        }
        return job
    }

    /// Jobs a dead process (or an expired lease) left running: queued again, or failed when out of attempts.
    @discardableResult
    public func recover(at time: Int64 = Timestamps.now()) throws -> [Job] {
        let recovered = try store.releaseAbandonedJobs(maximumAttempts: maximumAttempts, at: time) { job, retried in
            retried
                ? "attempt \(job.attempts) was interrupted (its server stopped); queued again"
                : "attempt \(job.attempts) was interrupted; given up after \(job.attempts) attempts"
        }
        for job in recovered {
            logger.warning("fix job recovered", metadata: ["job": "\(job.id)", "why": "\(job.reason)"])
        }
        return recovered
    }

    /// Takes and runs queued jobs, one at a time, until cancelled; looks for work every `interval`.
    public func run(interval: Duration = .seconds(2), attempt: @escaping Attempt) async {
        let store = self.store
        while !Task.isCancelled {
            do {
                _ = try await AsyncBridge.offPool { try recover() }
                while !Task.isCancelled, let job = try await AsyncBridge.offPool({ try claim() }) {
                    await execute(job, store: store, attempt: attempt)
                }
            } catch {
                logger.warning("fix queue unreadable", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Attempts as `headroom fix ID` makes them: done when a patch was delivered or refused (the agent's result is
    /// the job's result), failed otherwise. A delivered patch whose repository's `[forge]` says `auto_publish = true`
    /// is published as `headroom review publish` would; a publication that fails is in the job's reason, and the
    /// patch stays delivered for a person to publish.
    public static func attempts(by agent: AgentService, publisher: PublishService? = nil) -> Attempt {
        { id in
            let result = try await agent.fix(regression: id)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let json = String(decoding: try encoder.encode(result), as: UTF8.self)
            let why = result.reason.map { ": \($0)" } ?? ""
            switch result.status {
            case .delivered:
                var reason = "patch #\(result.patch ?? 0) delivered on \(result.branch ?? "a new branch")"
                if let publisher, let patchID = result.patch {
                    reason += await publish(patchID, with: publisher)
                }
                return (.done, reason, json)
            case .refused: return (.done, "refused\(why)", json)
            case .failed: return (.failed, "failed\(why)", json)
            }
        }
    }

    /// Publishes a delivered patch when its repository asks for it; says how it went, for the job's reason.
    public static func publish(_ patchID: Int64, with publisher: PublishService) async -> String {
        do {
            let store = publisher.store
            let patch = try await AsyncBridge.offPool { try store.patch(id: patchID) }
            guard let forge = try PublishService.forge(repository: patch.repository), forge.autoPublish else {
                return ""
            }
            let published = try await publisher.publish(patchID: patchID)
            return "; published as \(published.url)"
        } catch {
            return "; not published: \(HeadroomError.oneLine(error))"
        }
    }

    func claim() throws -> Job? {
        let now = Timestamps.now()
        return try store.claimJob(
            kind: Self.kind, owner: ProcessLease.current, until: now + leaseSeconds, at: now)
    }

    /// Runs one claimed job: its lease renewed while it runs, ended done or failed; past the time limit it is failed
    /// and the attempt cancelled (the worker waits for it to wind down before the next job: one at a time).
    func execute(_ job: Job, store: Store, attempt: @escaping Attempt) async {
        let owner = ProcessLease.current
        guard let regression = job.regressionID else {
            try? store.finishJob(
                job.id, owner: owner, state: .failed, reason: "no regression", result: nil, at: Timestamps.now())
            return
        }
        logger.notice("fix attempt started", metadata: ["job": "\(job.id)", "regression": "\(regression)"])
        let work = Task { try await attempt(regression) }
        let lease = leaseSeconds
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(max(1, lease / 3)))
                _ = try store.renewJobLease(job.id, owner: owner, until: Timestamps.now() + lease)
            }
        }
        let limit = timeLimit
        let outcome = await FirstOf.value(of: work, within: limit)
        renewal.cancel()
        let (state, reason, result): (Job.State, String, String?)
        switch outcome {
        case .success(let ended)?: (state, reason, result) = ended
        case .failure(let error)?: (state, reason, result) = (.failed, HeadroomError.oneLine(error), nil)
        case nil:
            work.cancel()
            (state, reason, result) = (.failed, "time limit of \(limit) exceeded; the attempt was cancelled", nil)
        }
        try? store.finishJob(job.id, owner: owner, state: state, reason: reason, result: result, at: Timestamps.now())
        logger.notice(
            "fix attempt ended",
            metadata: [
                "job": "\(job.id)", "regression": "\(regression)", "state": "\(state.rawValue)", "why": "\(reason)",
            ])
        if outcome == nil { _ = await work.result }  // one attempt at a time, even an abandoned one
    }
}

/// A task's result or a time limit, whichever comes first.
enum FirstOf {
    /// `work`'s result, or nil when `limit` passed first (the work is left running: cancel it).
    static func value<T: Sendable>(of work: Task<T, any Error>, within limit: Duration) async -> Result<T, any Error>? {
        var timer: Task<Void, Never>?
        let outcome: Result<T, any Error>? = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            Task { once.resume(await work.result) }
            timer = Task {
                try? await Task.sleep(for: limit)
                once.resume(nil)
            }
        }
        timer?.cancel()
        return outcome
    }
}

/// A continuation resumed by whichever of several tasks gets there first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Never>?>

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = Mutex(continuation) }

    func resume(_ value: T) { continuation.withLock { $0.take() }?.resume(returning: value) }
}
