/// A unit of the server's durable work queue: today, a fix attempt for a regression.
public struct Job: Sendable, Codable, Equatable {
    /// Where a job is in its life.
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

    /// The job's id.
    public var id: Int64
    /// What the job does: `fix-regression` (attempt a fix for a regression).
    public var kind: String
    /// What it is about, stable across re-detection (a regression's identity).
    public var subject: String
    /// The regression it is for, while that regression is stored.
    public var regressionID: Int64?
    /// Where it is in its life.
    public var state: State
    /// Why it is in that state, in a line (a held job's policy reason, a failure's error).
    public var reason: String
    /// How many attempts started (a crashed attempt counts).
    public var attempts: Int
    /// The process holding its lease while it runs.
    public var leaseOwner: String?
    /// Unix seconds.
    public var leaseUntil: Int64?
    /// The attempt's outcome as JSON (the same as `headroom fix --format json`).
    public var result: String?
    /// When it was queued, Unix seconds.
    public var createdAt: Int64
    /// When it last changed, Unix seconds.
    public var updatedAt: Int64

    /// A job from its fields.
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
        /// The job's id.
        public var id: Int64
        /// What the job does (`fix-regression`).
        public var kind: String
        /// What it is about, stable across re-detection.
        public var subject: String
        /// The regression it is for, while that regression is stored.
        public var regressionID: Int64?
        /// Where it is in its life.
        public var state: State
        /// Why it is in that state, in a line.
        public var reason: String
        /// How many attempts started.
        public var attempts: Int
        /// The process holding its lease while it runs.
        public var leaseOwner: String?
        /// When the lease runs out, ISO-8601 UTC.
        public var leaseUntil: String?
        /// The attempt's outcome (as `headroom fix --format json` prints it).
        public var result: JSONValue?
        /// When it was queued, ISO-8601 UTC.
        public var createdAt: String
        /// When it last changed, ISO-8601 UTC.
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

    /// The job as the API answers.
    public var report: Report {
        Report(
            id: id, kind: kind, subject: subject, regressionID: regressionID, state: state, reason: reason,
            attempts: attempts, leaseOwner: leaseOwner, leaseUntil: leaseUntil.map(Timestamps.format),
            result: result.flatMap { try? JSONValue.parse($0) }, createdAt: Timestamps.format(createdAt),
            updatedAt: Timestamps.format(updatedAt))
    }
}
