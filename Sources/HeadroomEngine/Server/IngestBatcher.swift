import Dispatch
import HeadroomCore
import HeadroomStore
import Logging
import Synchronization

/// Group commit for the server's ingest. Requests parse their profiles side by side; their writes queue here and
/// one writer thread commits whatever has queued as one transaction (`Store.ingest(batch:)`): one sync to disk for
/// the whole batch instead of one per request, and pushes of one service in one bucket merged before their rows are
/// written. Every caller resumes only after the transaction holding its profile has committed, so a 200 still means
/// "on disk". While a batch is being written the next one gathers, so the batch size follows the load by itself: one
/// profile at a time when requests are rare, dozens under a burst.
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
    }

    /// The store batches are committed to.
    public let store: Store
    /// The most profiles one transaction takes; the rest wait for the next.
    public let maximumBatch: Int
    private let state = Mutex(State())
    private let writer = DispatchQueue(label: "headroom.ingest.writer", qos: .userInitiated)

    /// Logs each transaction (profiles, seconds) at debug.
    public let logger: Logger

    /// A batcher into `store` committing up to `maximumBatch` profiles per transaction.
    public init(store: Store, maximumBatch: Int = 256, logger: Logger = EngineLog.disabled("headroom.ingest")) {
        self.store = store
        self.maximumBatch = max(1, maximumBatch)
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

    /// Writes batches until nothing is waiting (on the writer thread: SQLite calls block).
    private func drain() {
        while true {
            let batch: [Waiting] = state.withLock { state in
                guard !state.pending.isEmpty else {
                    state.writing = false
                    return []
                }
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
                return Array(state.pending.prefix(count))
            }
            if batch.isEmpty { return }
            let started = ContinuousClock.now
            do {
                let contributions = batch.flatMap(\.contributions)
                var results = try store.ingest(batch: contributions)[...]
                logger.debug(
                    "batch committed",
                    metadata: [
                        "profiles": "\(contributions.count)", "seconds": EngineLog.seconds(since: started),
                    ])
                for waiting in batch {
                    let count = waiting.contributions.count
                    waiting.continuation.resume(returning: Array(results.prefix(count)))
                    results = results.dropFirst(count)
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// Profiles waiting for a transaction (for status pages).
    public var queued: Int { state.withLock { $0.profiles } }
}
