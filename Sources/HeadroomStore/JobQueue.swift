import GRDB
import HeadroomCore

/// The durable job queue, whichever engine holds it: the embedded SQLite store (one process) or PostgreSQL (team
/// mode: several servers and workers on one database). A job is taken under a lease (an owner and an expiry); at
/// most one owner holds a job at a time; a lease that runs out (its worker died) is taken back and the job queued
/// again, or failed once it has used its attempts. The same tests run against both engines.
public protocol JobQueue: Sendable {
    /// Adds a job unless one of this kind and subject exists (whatever its state); returns it, new or old.
    func enqueueJob(
        kind: String, subject: String, regressionID: Int64?, state: Job.State, reason: String, at time: Int64
    ) async throws -> (job: Job, isNew: Bool)

    /// Takes the oldest queued job of `kind` under a lease for `owner` until `until`; nil when none is queued.
    func claimJob(kind: String, owner: String, until: Int64, at time: Int64) async throws -> Job?

    /// Takes the oldest queued job of `kind`, other than those in `excluding`, under a lease for `owner` until
    /// `until`; nil when none is queued.
    func claimJob(kind: String, owner: String, until: Int64, at time: Int64, excluding: Set<Int64>) async throws
        -> Job?

    /// Gives a running job held by `owner` back to the queue untried: its attempt is not counted, `reason` says why
    /// (a worker without what the job needs passes it to one that has it).
    func releaseJob(_ id: Int64, owner: String, reason: String, at time: Int64) async throws

    /// Extends a running job's lease; false when `owner` no longer holds it.
    func renewJobLease(_ id: Int64, owner: String, until: Int64) async throws -> Bool

    /// Ends a running job held by `owner` (done or failed) with its reason and result.
    func finishJob(_ id: Int64, owner: String, state: Job.State, reason: String, result: String?, at time: Int64)
        async throws

    /// Running jobs whose lease ran out before `time`: queued again, or failed once they have started
    /// `maximumAttempts` attempts (a poison job ends with the reason, never loops). Returns them as they are now.
    func reclaimExpiredJobs(at time: Int64, maximumAttempts: Int) async throws -> [Job]

    /// Jobs, newest first; with `state`, only those.
    func jobs(state: Job.State?, limit: Int) async throws -> [Job]
    /// How many jobs are in each state.
    func jobCounts() async throws -> [Job.State: Int]
}

/// Why a reclaimed job is where it is.
public enum JobLeaseReason {
    /// The reason a job whose lease ran out carries, queued again or given up.
    public static func expired(attempts: Int, retried: Bool) -> String {
        retried
            ? "attempt \(attempts) stopped renewing its lease (its worker died?); queued again"
            : "attempt \(attempts) stopped renewing its lease; given up after \(attempts) attempts"
    }
}

extension Store: JobQueue {
    public func reclaimExpiredJobs(at time: Int64, maximumAttempts: Int) throws -> [Job] {
        try writing { db in
            var reclaimed: [Job] = []
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM job WHERE state = 'running' AND lease_until < ? ORDER BY id",
                arguments: [time])
            {
                var job = Self.job(row)
                let retried = job.attempts < maximumAttempts
                job.state = retried ? .queued : .failed
                job.reason = JobLeaseReason.expired(attempts: job.attempts, retried: retried)
                job.leaseOwner = nil
                job.leaseUntil = nil
                job.updatedAt = time
                try db.execute(
                    sql: """
                        UPDATE job SET state = ?, reason = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
                        WHERE id = ? AND state = 'running'
                        """, arguments: [job.state.rawValue, job.reason, time, job.id])
                reclaimed.append(job)
            }
            return reclaimed
        }
    }
}
