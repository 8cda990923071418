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

extension Job {
    /// A job as the API answers: times as ISO-8601 UTC, the result as JSON rather than text.
    public struct Report: Sendable, Encodable {
        public var id: Int64
        public var kind: String
        public var subject: String
        public var regressionID: Int64?
        public var state: State
        public var reason: String
        public var attempts: Int
        public var leaseOwner: String?
        public var leaseUntil: String?
        public var result: JSONValue?
        public var createdAt: String
        public var updatedAt: String

        enum CodingKeys: String, CodingKey {
            case id, kind, subject, state, reason, attempts, result
            case regressionID = "regression_id"
            case leaseOwner = "lease_owner"
            case leaseUntil = "lease_until"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }

        /// Every key is written, absent values as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(kind, forKey: .kind)
            try c.encode(subject, forKey: .subject)
            try c.encode(regressionID, forKey: .regressionID)
            try c.encode(state, forKey: .state)
            try c.encode(reason, forKey: .reason)
            try c.encode(attempts, forKey: .attempts)
            try c.encode(leaseOwner, forKey: .leaseOwner)
            try c.encode(leaseUntil, forKey: .leaseUntil)
            try c.encode(result, forKey: .result)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(updatedAt, forKey: .updatedAt)
        }
    }

    public var report: Report {
        Report(
            id: id, kind: kind, subject: subject, regressionID: regressionID, state: state, reason: reason,
            attempts: attempts, leaseOwner: leaseOwner, leaseUntil: leaseUntil.map(Timestamps.format),
            result: result.flatMap { try? JSONValue.parse($0) }, createdAt: Timestamps.format(createdAt),
            updatedAt: Timestamps.format(updatedAt))
    }
}
