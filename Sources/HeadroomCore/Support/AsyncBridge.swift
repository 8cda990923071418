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
