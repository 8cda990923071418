/// A unit of the server's durable work queue: today, a fix attempt for a regression.
public struct Job: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Waiting for the worker.
        case queued
        /// Taken by a worker under a lease.
        case running
        /// Finished: the attempt ran to its end (a delivered or a refused patch; see `result`).
        case done
        /// The attempt failed (an error, a timeout, or a crash too many times).
        case failed
        /// Waiting for a person: the policy did not allow an automatic attempt (see `reason`).
        case held
    }

    public var id: Int64
    public var kind: String
    /// What it is about, stable across re-detection (a regression's identity).
    public var subject: String
    public var regressionID: Int64?
    public var state: State
    public var reason: String
    public var attempts: Int
    public var leaseOwner: String?
    /// Unix seconds.
    public var leaseUntil: Int64?
    /// The attempt's outcome as JSON (the same as `headroom fix --format json`).
    public var result: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: Int64, kind: String, subject: String, regressionID: Int64?, state: State, reason: String, attempts: Int,
        leaseOwner: String?, leaseUntil: Int64?, result: String?, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.regressionID = regressionID
        self.state = state
        self.reason = reason
        self.attempts = attempts
        self.leaseOwner = leaseOwner
        self.leaseUntil = leaseUntil
        self.result = result
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
