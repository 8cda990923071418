import Foundation

/// Crossing between synchronous code (tool handlers, SQLite, subprocesses) and Swift concurrency.
public enum AsyncBridge {
    private static let queue = DispatchQueue(label: "headroom.blocking", qos: .userInitiated, attributes: .concurrent)

    /// Runs blocking work on its own threads, so long calls never starve the cooperative pool.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

extension AsyncBridge {
    /// Runs synchronous work that itself waits for async work (`blocking`: team mode's store) on a thread of its
    /// own, so the wait never holds a thread of a shared pool — neither the cooperative pool nor `offPool`'s.
    public static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "headroom.blocking-wait"
            thread.start()
        }
    }

    /// Runs async work from synchronous code and waits for it: how synchronous services (root-cause ranking,
    /// change import) read team mode's PostgreSQL store. Call it only off the cooperative pool — from
    /// `onOwnThread` (best), `offPool`, or a command's own thread — never from a task: the waiting thread is blocked
    /// until the work ends. The work runs at default priority, on threads `offPool` never blocks.
    public static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = BlockingOutcome<T>()
        let done = DispatchSemaphore(value: 0)
        // At default priority, whatever the caller's: on Linux a task runs on the root queue of its priority, and a
        // detached task takes the calling thread's by default - `offPool`'s (user-initiated), whose few threads may
        // all be blocked right here, each waiting for a task queued behind them (a test run hung that way).
        Task.detached(priority: .medium) {
            do {
                outcome.set(.success(try await work()))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }
}

/// The result `AsyncBridge.blocking` hands from its task to the waiting thread.
private final class BlockingOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }

    func get() throws -> T {
        guard let result = lock.withLock({ result }) else {
            throw HeadroomError(.contract, "blocking work ended without a result")
        }
        return try result.get()
    }
}
