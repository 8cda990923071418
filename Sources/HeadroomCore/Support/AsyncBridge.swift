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

    /// Waits for async work from synchronous code running on a thread outside the cooperative pool (the CLI's main
    /// thread, a tool handler's queue).
    public static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = AsyncBridgeBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

private final class AsyncBridgeBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
