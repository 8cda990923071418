import GRDB
import HeadroomCore

/// The durable job queue (`Job`). Every change is one transaction; taking a job and its lease is one, so two
/// workers never hold the same job.
extension Store {
    /// Adds a job unless one of this kind and subject exists (whatever its state); returns it, new or old.
    @discardableResult
    public func enqueueJob(
        kind: String, subject: String, regressionID: Int64?, state: Job.State = .queued, reason: String = "",
        at time: Int64
    ) throws -> (job: Job, isNew: Bool) {
        try writing { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO job (kind, subject, regression_id, state, reason, attempts, created_at,
                      updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                    """, arguments: [kind, subject, regressionID, state.rawValue, reason, time, time])
            let isNew = db.changesCount > 0
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM job WHERE kind = ? AND subject = ?", arguments: [kind, subject])!
            return (Self.job(row), isNew)
        }
    }

    /// Takes the oldest queued job of `kind` under a lease for `owner` until `until`; nil when none is queued.
    public func claimJob(kind: String, owner: String, until: Int64, at time: Int64) throws -> Job? {
        try claimJob(kind: kind, owner: owner, until: until, at: time, excluding: [])
    }

    /// Takes the oldest queued job of `kind` other than those in `excluding`; nil when none is queued.
    public func claimJob(kind: String, owner: String, until: Int64, at time: Int64, excluding: Set<Int64>)
        throws -> Job?
    {
        try writing { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM job WHERE kind = ? AND state = 'queued'
                          AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 1
                        """,
                    arguments: [kind, try JSONCoding.string(excluding.sorted())])
            else { return nil }
            var job = Self.job(row)
            try db.execute(
                sql: """
                    UPDATE job SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?,
                      updated_at = ? WHERE id = ? AND state = 'queued'
                    """, arguments: [owner, until, time, job.id])
            job.state = .running
            job.attempts += 1
            job.leaseOwner = owner
            job.leaseUntil = until
            return job
        }
    }

    /// Gives a running job held by `owner` back to the queue untried: its attempt is not counted.
    public func releaseJob(_ id: Int64, owner: String, reason: String, at time: Int64) throws {
        try writing { db in
            try db.execute(
                sql: """
                    UPDATE job SET state = 'queued', attempts = MAX(attempts - 1, 0), reason = ?, lease_owner = NULL,
                      lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?
                    """, arguments: [reason, time, id, owner])
        }
    }

    /// Extends a running job's lease; false when `owner` no longer holds it.
    public func renewJobLease(_ id: Int64, owner: String, until: Int64) throws -> Bool {
        try writing { db in
            try db.execute(
                sql: "UPDATE job SET lease_until = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
                arguments: [until, id, owner])
            return db.changesCount == 1
        }
    }

    /// Ends a running job held by `owner` (done or failed) with its reason and result.
    public func finishJob(_ id: Int64, owner: String, state: Job.State, reason: String, result: String?, at time: Int64)
        throws
    {
        try writing { db in
            try db.execute(
                sql: """
                    UPDATE job SET state = ?, reason = ?, result = ?, lease_owner = NULL, lease_until = NULL,
                      updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?
                    """, arguments: [state.rawValue, reason, result, time, id, owner])
        }
    }

    /// Puts a running job back: queued again (another attempt) or failed (given up), its lease cleared.
    public func releaseJob(_ id: Int64, to state: Job.State, reason: String, at time: Int64) throws {
        try writing { db in
            try db.execute(
                sql: """
                    UPDATE job SET state = ?, reason = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
                    WHERE id = ? AND state = 'running'
                    """, arguments: [state.rawValue, reason, time, id])
        }
    }

    /// Running jobs (of `kinds`, or every kind) whose holder is gone - a process of this machine that no longer
    /// runs (`ProcessLease`), or any lease past its expiry - put back: queued again while they have attempts
    /// left, failed after `maximumAttempts`, each with `reason(job, retried)`. Returns them as they are now.
    public func releaseAbandonedJobs(
        kinds: Set<String>? = nil, maximumAttempts: Int, at time: Int64,
        reason: (_ job: Job, _ retried: Bool) -> String
    ) throws -> [Job] {
        var released: [Job] = []
        for job in try jobs(state: .running) where kinds?.contains(job.kind) ?? true {
            let alive = job.leaseOwner.map(ProcessLease.isAlive) ?? false
            guard !alive || (job.leaseUntil ?? 0) < time else { continue }
            var updated = job
            let retried = job.attempts < maximumAttempts
            updated.state = retried ? .queued : .failed
            updated.reason = reason(job, retried)
            try releaseJob(job.id, to: updated.state, reason: updated.reason, at: time)
            released.append(updated)
        }
        return released
    }

    /// Jobs, newest first; with `state`, only those.
    public func jobs(state: Job.State? = nil, limit: Int = 200) throws -> [Job] {
        try reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM job WHERE ? IS NULL OR state = ? ORDER BY id DESC LIMIT ?",
                arguments: [state?.rawValue, state?.rawValue, limit]
            ).map(Self.job)
        }
    }

    /// Jobs per state, for status pages.
    public func jobCounts() throws -> [Job.State: Int] {
        try reading { db in
            var counts: [Job.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM job GROUP BY state") {
                if let state = Job.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    static func job(_ row: Row) -> Job {
        Job(
            id: row["id"], kind: row["kind"], subject: row["subject"], regressionID: row["regression_id"],
            state: Job.State(rawValue: row["state"]) ?? .failed, reason: row["reason"], attempts: row["attempts"],
            leaseOwner: row["lease_owner"], leaseUntil: row["lease_until"], result: row["result"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}
