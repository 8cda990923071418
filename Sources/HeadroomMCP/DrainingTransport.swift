import Foundation
import Logging
import MCP

/// A transport that does not end before every request it read has been answered.
///
/// The SDK's server handles each request in a task of its own and stops waiting once input ends, so a client that
/// writes `initialize` and its requests and then closes stdin (a script, `printf … | headroom mcp`) lost every answer
/// after the first. This wrapper holds the end of the input stream until the answers to all requests read so far
/// have been sent.
actor DrainingTransport: Transport {
    private let inner: any Transport
    private var pending: Set<String> = []
    nonisolated let logger: Logger

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }
    func disconnect() async { await inner.disconnect() }

    /// The send in progress; the next one waits for it.
    private var lastSend: Task<Void, Swift.Error>?

    /// One message at a time, whole. The SDK's stdio transport sleeps when stdout is full and resumes writing
    /// after; an actor is reentrant at that `await`, so two concurrent answers could interleave their bytes
    /// (seen in CI: a client read half of one answer glued to the tail of another, 45 calls at once on a loaded
    /// machine). Chaining each send after the previous one keeps every message contiguous.
    func send(_ data: Data) async throws {
        let previous = lastSend
        let inner = self.inner
        let task = Task {
            _ = await previous?.result
            try await inner.send(data)
        }
        lastSend = task
        try await task.value
        for id in Self.ids(in: data, requests: false) { pending.remove(id) }
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await data in await inner.receive() {
                        await self.read(data)
                        continuation.yield(data)
                    }
                    // Input ended: wait for the answers still owed (bounded, so a stuck handler cannot hang us).
                    let deadline = Date().addingTimeInterval(600)
                    while await self.owed, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func read(_ data: Data) { pending.formUnion(Self.ids(in: data, requests: true)) }
    private var owed: Bool { !pending.isEmpty }

    /// The ids of the requests (`method` and `id`) or responses (`id`, no `method`) in one message or batch.
    static func ids(in data: Data, requests: Bool) -> [String] {
        guard let json = try? JSONSerialization.jsonObject(with: data) else { return [] }
        let messages = (json as? [[String: Any]]) ?? [(json as? [String: Any]) ?? [:]]
        return messages.compactMap { message in
            guard let id = message["id"], !(id is NSNull), (message["method"] != nil) == requests else { return nil }
            return "\(id)"
        }
    }
}
