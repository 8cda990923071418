import HeadroomCore
import HeadroomStore
import Logging
import PostgresNIO

/// The job queue on PostgreSQL, for team mode: several servers enqueue and several workers on several machines
/// take jobs from one table. Taking a job is one statement that locks the oldest queued row and skips rows other
/// workers hold (`FOR UPDATE SKIP LOCKED`), so two workers never take one job and never wait on each other; a lease
/// that runs out is taken back by one statement too. Same semantics as the SQLite store's queue (`JobQueue`).
///
/// Run `run()` (the connection pool) in a task for as long as the queue is used, e.g. in a task group.
public final class PostgresJobQueue: JobQueue {
    private let client: PostgresClient
    private let logger: Logger

    /// A queue on the database at `location`; nothing connects until `run()` runs.
    public init(location: PostgresLocation, logger: Logger = Logger(label: "headroom.postgres")) {
        self.logger = logger
        client = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async { await client.run() }

    /// Creates the queue's table when it is missing (the schema's versions are recorded in `schema_version`).
    public func migrate() async throws {
        try await PostgresMigration.apply(
            version: "v13-jobs",
            statements: [
                """
                CREATE TABLE job (
                    id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, regression_id BIGINT,
                    state TEXT NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL, lease_owner TEXT,
                    lease_until BIGINT, result TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    UNIQUE (kind, subject))
                """,
                "CREATE INDEX job_by_state ON job (state, id)",
            ], client: client, logger: logger)
    }

    private static let columns =
        "id, kind, subject, regression_id, state, reason, attempts, lease_owner, lease_until, result, created_at, updated_at"

    private func fetch(_ query: PostgresQuery) async throws -> [Job] {
        var jobs: [Job] = []
        let rows = try await client.query(query, logger: logger)
        for try await row in rows {
            let (id, kind, subject, regression, state, reason, attempts, owner, until, result, created, updated) =
                try row.decode(
                    (
                        Int64, String, String, Int64?, String, String, Int32, String?, Int64?, String?, Int64,
                        Int64
                    ).self)
            jobs.append(
                Job(
                    id: id, kind: kind, subject: subject, regressionID: regression,
                    state: Job.State(rawValue: state) ?? .failed, reason: reason, attempts: Int(attempts),
                    leaseOwner: owner, leaseUntil: until, result: result, createdAt: created, updatedAt: updated))
        }
        return jobs
    }

    public func enqueueJob(
        kind: String, subject: String, regressionID: Int64?, state: Job.State = .queued, reason: String = "",
        at time: Int64
    ) async throws -> (job: Job, isNew: Bool) {
        let inserted = try await fetch(
            """
            INSERT INTO job (kind, subject, regression_id, state, reason, attempts, created_at, updated_at)
            VALUES (\(kind), \(subject), \(regressionID), \(state.rawValue), \(reason), 0, \(time), \(time))
            ON CONFLICT (kind, subject) DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """)
        if let job = inserted.first { return (job, true) }
        let existing = try await fetch(
            "SELECT \(unescaped: Self.columns) FROM job WHERE kind = \(kind) AND subject = \(subject)")
        guard let job = existing.first else {
            throw HeadroomError(.store, "job \(kind)/\(subject) neither inserted nor found")
        }
        return (job, false)
    }

    public func claimJob(kind: String, owner: String, until: Int64, at time: Int64) async throws -> Job? {
        try await claimJob(kind: kind, owner: owner, until: until, at: time, excluding: [])
    }

    public func claimJob(kind: String, owner: String, until: Int64, at time: Int64, excluding: Set<Int64>)
        async throws -> Job?
    {
        try await fetch(
            """
            UPDATE job SET state = 'running', attempts = attempts + 1, lease_owner = \(owner),
              lease_until = \(until), updated_at = \(time)
            WHERE id = (SELECT id FROM job WHERE kind = \(kind) AND state = 'queued'
                          AND NOT (id = ANY(\(excluding.sorted()))) ORDER BY id LIMIT 1
                        FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.columns)
            """
        ).first
    }

    public func releaseJob(_ id: Int64, owner: String, reason: String, at time: Int64) async throws {
        try await client.query(
            """
            UPDATE job SET state = 'queued', attempts = GREATEST(attempts - 1, 0), reason = \(reason),
              lease_owner = NULL, lease_until = NULL, updated_at = \(time)
            WHERE id = \(id) AND state = 'running' AND lease_owner = \(owner)
            """, logger: logger)
    }

    public func renewJobLease(_ id: Int64, owner: String, until: Int64) async throws -> Bool {
        try await !fetch(
            """
            UPDATE job SET lease_until = \(until) WHERE id = \(id) AND state = 'running' AND lease_owner = \(owner)
            RETURNING \(unescaped: Self.columns)
            """
        ).isEmpty
    }

    public func finishJob(
        _ id: Int64, owner: String, state: Job.State, reason: String, result: String?, at time: Int64
    ) async throws {
        try await client.query(
            """
            UPDATE job SET state = \(state.rawValue), reason = \(reason), result = \(result), lease_owner = NULL,
              lease_until = NULL, updated_at = \(time)
            WHERE id = \(id) AND state = 'running' AND lease_owner = \(owner)
            """, logger: logger)
    }

    public func reclaimExpiredJobs(at time: Int64, maximumAttempts: Int) async throws -> [Job] {
        let limit = Int32(clamping: maximumAttempts)
        let retried = JobLeaseReason.expired(attempts: 0, retried: true)
        let failed = JobLeaseReason.expired(attempts: 0, retried: false)
        // The reasons carry the attempt count: built in SQL from the two texts with their count replaced.
        return try await fetch(
            """
            UPDATE job SET
              state = CASE WHEN attempts < \(limit) THEN 'queued' ELSE 'failed' END,
              reason = replace(CASE WHEN attempts < \(limit) THEN \(retried) ELSE \(failed) END, ' 0', ' ' || attempts),
              lease_owner = NULL, lease_until = NULL, updated_at = \(time)
            WHERE state = 'running' AND lease_until < \(time)
            RETURNING \(unescaped: Self.columns)
            """
        ).sorted { $0.id < $1.id }
    }

    public func jobs(state: Job.State? = nil, limit: Int = 200) async throws -> [Job] {
        try await fetch(
            """
            SELECT \(unescaped: Self.columns) FROM job WHERE \(state?.rawValue)::TEXT IS NULL OR state = \(state?.rawValue)
            ORDER BY id DESC LIMIT \(Int64(limit))
            """)
    }

    /// Jobs per state, for status pages.
    public func jobCounts() async throws -> [Job.State: Int] {
        var counts: [Job.State: Int] = [:]
        for try await (state, count) in try await client.query(
            "SELECT state, COUNT(*) FROM job GROUP BY state", logger: logger
        ).decode((String, Int64).self) {
            if let state = Job.State(rawValue: state) { counts[state] = Int(count) }
        }
        return counts
    }
}
