import Dispatch
import HeadroomCore
import HeadroomStore
import Logging
import Synchronization

/// Group commit for the server's ingest. Requests parse their profiles side by side; their writes queue here and
/// one writer thread commits whatever has queued as one transaction (`Store.ingest(batch:deferred:)`): one sync to
/// disk for the whole batch instead of one per request. Every caller resumes only after the transaction holding its
/// profile has committed, so a 200 still means "on disk". While a batch is being written the next one gathers, so
/// the batch size follows the load by itself: one profile at a time when requests are rare, dozens under a burst.
///
/// A commit writes each profile's row and its aggregates as one blob in the store's ingest log; the per-bucket
/// function, stack and line rows are written by compaction, which merges every push logged since the last one
/// (a fleet's agents push the same functions and stacks over and over, so this writes each row once per
/// compaction instead of once per push). Compaction runs on the same thread, when `compactionRows` log rows have
/// gathered or `compactionInterval` has passed under load, `idleDelay` after the pushes stop, and on `flush()`.
public final class IngestBatcher: Sendable {
    /// One request's profiles, written in the same transaction, with who waits for their outcomes.
    private struct Waiting: Sendable {
        var contributions: [ProfileContribution]
        var continuation: CheckedContinuation<[Result<IngestOutcome, HeadroomError>], any Error>
    }

    private struct State: Sendable {
        var pending: [Waiting] = []
        var profiles = 0
        var writing = false
        /// Who waits for the log to be compacted, and whether an idle compaction is due.
        var flushWaiters: [CheckedContinuation<Void, any Error>] = []
        var compactionDue = false
        /// Log rows written since the last compaction, and when that was (writer thread only).
        var logged = 0
        var lastCompaction = ContinuousClock.now
        /// When a batch was last written, and whether an idle check is already scheduled.
        var lastWrite = ContinuousClock.now
        var idleCheckScheduled = false
        /// The compaction pass underway: the newest log row it covers, and who waits for it to end.
        var pass: Int64?
        var passWaiters: [CheckedContinuation<Void, any Error>] = []
    }

    /// The store batches are committed to.
    public let store: Store
    /// The most profiles one transaction takes; the rest wait for the next.
    public let maximumBatch: Int
    /// Compaction under load: after this many log rows, or this long since the last one, whichever comes first.
    public let compactionRows: Int
    public let compactionInterval: Duration
    /// How long after the last push the log is compacted.
    public let idleDelay: Duration
    private let state = Mutex(State())
    private let writer = DispatchQueue(label: "headroom.ingest.writer", qos: .userInitiated)

    /// Logs each transaction (profiles, seconds) and compaction at debug, a failed compaction at error.
    public let logger: Logger

    /// A batcher into `store` committing up to `maximumBatch` profiles per transaction.
    public init(
        store: Store, maximumBatch: Int = 256, compactionRows: Int = 2_000, compactionInterval: Duration = .seconds(1),
        idleDelay: Duration = .milliseconds(200), logger: Logger = EngineLog.disabled("headroom.ingest")
    ) {
        self.store = store
        self.maximumBatch = max(1, maximumBatch)
        self.compactionRows = max(1, compactionRows)
        self.compactionInterval = compactionInterval
        self.idleDelay = idleDelay
        self.logger = logger
    }

    /// Stores one request's profiles; returns each one's outcome (stored, duplicate, or refused) once they are
    /// committed. A failed transaction throws for every request in it; nothing of it is stored.
    public func commit(_ contributions: [ProfileContribution]) async throws -> [Result<IngestOutcome, HeadroomError>] {
        guard !contributions.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state in
                state.pending.append(Waiting(contributions: contributions, continuation: continuation))
                state.profiles += contributions.count
                defer { state.writing = true }
                return !state.writing
            }
            if start { writer.async { self.drain() } }
        }
    }

    /// Returns once everything committed before the call is in the per-bucket rows (readers that must see every
    /// acknowledged profile: detection, counting back).
    public func flush() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { state in
                state.flushWaiters.append(continuation)
                defer { state.writing = true }
                return !state.writing
            }
            if start { writer.async { self.drain() } }
        }
    }

    /// Writes batches and compacts until nothing is waiting (on the writer thread: SQLite calls block). A compaction
    /// pass goes one service and bucket at a time, with the batches that arrive meanwhile written in between.
    private func drain() {
        while true {
            let (batch, start, compacting) = state.withLock { state -> ([Waiting], Bool, Bool) in
                var taken = 0
                var count = 0
                while count < state.pending.count,
                    taken == 0 || taken + state.pending[count].contributions.count <= maximumBatch
                {
                    taken += state.pending[count].contributions.count
                    count += 1
                }
                state.profiles -= taken
                defer { state.pending.removeFirst(count) }
                let start =
                    state.pass == nil
                    && (!state.flushWaiters.isEmpty || (state.compactionDue && state.logged > 0)
                        || state.logged >= compactionRows
                        || (state.logged > 0 && ContinuousClock.now - state.lastCompaction >= compactionInterval))
                state.compactionDue = false
                // Who asked for a flush waits for a pass that starts after it asked: one already underway may
                // not cover what was committed just before the ask.
                if start {
                    state.passWaiters += state.flushWaiters
                    state.flushWaiters = []
                }
                if count == 0, !start, state.pass == nil { state.writing = false }
                return (Array(state.pending.prefix(count)), start, start || state.pass != nil)
            }
            if batch.isEmpty, !compacting {
                scheduleIdleCompaction()
                return
            }
            if !batch.isEmpty { write(batch) }
            if start { beginPass() }
            if compacting { compactStep() }
        }
    }

    /// Starts a compaction pass over everything logged so far.
    private func beginPass() {
        do {
            let top = try store.ingestLogHighWater()
            state.withLock {
                $0.pass = top ?? .min
                $0.logged = 0
            }
        } catch {
            endPass(.failure(error))
        }
    }

    /// Compacts one service and bucket of the pass; ends the pass when none is left.
    private func compactStep() {
        guard let top = state.withLock({ $0.pass }) else { return }
        let started = ContinuousClock.now
        do {
            let rows = top == .min ? 0 : try store.compactIngestLogBucket(upTo: top)
            if rows == 0 { return endPass(.success(())) }
            logger.debug(
                "ingest log compacted", metadata: ["rows": "\(rows)", "seconds": EngineLog.seconds(since: started)])
        } catch {
            logger.error("ingest log compaction failed", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            endPass(.failure(error))
        }
    }

    /// Ends the pass and answers who waited for it; a failed pass leaves its rows logged for the next one.
    private func endPass(_ outcome: Result<Void, any Error>) {
        let waiters = state.withLock { state in
            state.pass = nil
            state.lastCompaction = .now
            if case .failure = outcome { state.logged = max(state.logged, 1) }
            defer { state.passWaiters = [] }
            return state.passWaiters
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }

    /// Commits one batch into the log and answers its requests.
    private func write(_ batch: [Waiting]) {
        let started = ContinuousClock.now
        do {
            let contributions = batch.flatMap(\.contributions)
            var results = try store.ingest(batch: contributions, deferred: true)[...]
            let stored = results.filter { if case .success(.ingested) = $0 { true } else { false } }.count
            state.withLock {
                $0.logged += stored
                $0.lastWrite = .now
            }
            logger.debug(
                "batch committed",
                metadata: ["profiles": "\(contributions.count)", "seconds": EngineLog.seconds(since: started)])
            for waiting in batch {
                let count = waiting.contributions.count
                waiting.continuation.resume(returning: Array(results.prefix(count)))
                results = results.dropFirst(count)
            }
        } catch {
            for waiting in batch { waiting.continuation.resume(throwing: error) }
        }
    }

    /// After the last push, compacts what is logged once `idleDelay` has passed without another batch (a writer
    /// that merely caught up between pushes is not idle: compacting then would undo the merging).
    private func scheduleIdleCompaction(after delay: Duration? = nil) {
        let schedule = state.withLock { state in
            guard state.logged > 0, !state.idleCheckScheduled else { return false }
            state.idleCheckScheduled = true
            return true
        }
        guard schedule else { return }
        let wait = (delay ?? idleDelay).components
        let nanoseconds = Int(wait.seconds) * 1_000_000_000 + Int(wait.attoseconds / 1_000_000_000)
        writer.asyncAfter(deadline: .now() + .nanoseconds(max(1_000_000, nanoseconds))) {
            let (start, remaining): (Bool, Duration?) = self.state.withLock { state in
                state.idleCheckScheduled = false
                guard state.logged > 0 else { return (false, nil) }
                let quiet = ContinuousClock.now - state.lastWrite
                if quiet < self.idleDelay { return (false, self.idleDelay - quiet) }
                state.compactionDue = true
                defer { state.writing = true }
                return (!state.writing, nil)
            }
            if let remaining { self.scheduleIdleCompaction(after: remaining) }
            if start { self.drain() }
        }
    }

    /// Profiles waiting for a transaction (for status pages).
    public var queued: Int { state.withLock { $0.profiles } }
}
