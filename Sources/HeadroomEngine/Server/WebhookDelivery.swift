import Foundation
import HeadroomCore
import HeadroomStore
import Logging

/// Delivers the store's notification outbox to webhook URLs: each event to each target once, in order, with
/// retries and exponential backoff on 429, 5xx and connection errors (honouring `Retry-After`), given up after
/// `maximumAttempts`; other 4xx answers fail at once. Attempts are recorded in the store, so a restarted server
/// neither repeats a delivered event nor forgets a pending one. URLs are never stored or logged whole: a target is
/// known by a hash of its URL and shown as scheme://host/…, since webhook URLs often carry a secret.
public struct WebhookDelivery: Sendable {
    /// Where events are posted.
    public struct Target: Sendable, Equatable {
        /// The webhook's URL.
        public var url: URL
        /// `hook-` and 16 hex digits of the URL's SHA-256.
        public var id: String
        /// scheme://host[:port]/… for logs.
        public var display: String

        /// A target from an http(s) URL; anything else is a `badInput` error.
        public init(_ text: String) throws {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme),
                let host = url.host, !host.isEmpty
            else {
                throw HeadroomError(.badInput, "--webhook needs an http(s) URL")
            }
            self.url = url
            id = "hook-" + SHA256.hex(Array(text.utf8)).prefix(16)
            display = "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")/…"
        }
    }

    /// What the receiver answered.
    public enum Answer: Sendable, Equatable {
        case delivered
        /// Try again (after this many seconds, when the receiver said).
        case retry(String, after: Int64?)
        case failed(String)
    }

    /// The store events are read from and deliveries recorded in: SQLite, or team mode's shared database, where
    /// several servers deliver one outbox (each due delivery claimed by one of them).
    public let store: any EventStore
    /// The webhooks.
    public let targets: [Target]
    /// Attempts (with backoff) before a delivery is failed.
    public var maximumAttempts = 8
    /// Where deliveries are logged.
    public var logger: Logger

    /// A delivery of `store`'s events to `targets`.
    public init(store: any EventStore, targets: [Target], logger: Logger = EngineLog.disabled("headroom.webhook")) {
        self.store = store
        self.targets = targets
        self.logger = logger
    }

    /// Seconds before the next attempt after `attempts` failed ones: 1, 2, 4, … capped at 5 minutes.
    public static func backoff(attempts: Int) -> Int64 {
        min(300, Int64(1) << Int64(min(max(attempts - 1, 0), 9)))
    }

    /// The body a receiver gets: the recorded event with its id first.
    public static func body(_ delivery: EventDelivery) -> Data {
        var text = "{\"id\":\(delivery.eventID)"
        let rest = delivery.payload.drop { $0 == "{" || $0 == " " }
        if !rest.hasPrefix("}") { text += "," }
        text += rest
        return Data(text.utf8)
    }

    /// Targets seen for the first time get the events recorded from `now` on.
    public func register(now: Int64 = Timestamps.now()) throws {
        try store.registerWebhookTargets(targets.map(\.id), since: now)
    }

    /// Posts every delivery due at `now` once and records each outcome.
    @discardableResult
    public func deliverDue(
        now: Int64 = Timestamps.now(), post: @Sendable (Target, Data) async -> Answer
    ) async throws -> (delivered: Int, retried: Int, failed: Int) {
        let store = self.store
        let ids = targets.map(\.id)
        let due = try await AsyncBridge.offPool { try store.dueDeliveries(targets: ids, now: now, limit: 100) }
        var counts = (delivered: 0, retried: 0, failed: 0)
        for delivery in due {
            guard let target = targets.first(where: { $0.id == delivery.target }) else { continue }
            let answer = await post(target, Self.body(delivery))
            let attempts = delivery.attempts + 1
            let (error, retryAt): (String?, Int64?)
            switch answer {
            case .delivered:
                (error, retryAt) = (nil, nil)
                counts.delivered += 1
            case .retry(let why, let after) where attempts < maximumAttempts:
                (error, retryAt) = (why, now + min(300, after ?? Self.backoff(attempts: attempts)))
                counts.retried += 1
            case .retry(let why, _), .failed(let why):
                (error, retryAt) = (why, nil)
                counts.failed += 1
            }
            let metadata: Logger.Metadata = [
                "event": "\(delivery.eventID)", "kind": "\(delivery.kind)", "target": "\(target.display)",
                "attempt": "\(attempts)",
            ]
            if let error {
                logger.log(
                    level: retryAt == nil ? .warning : .info,
                    retryAt == nil ? "webhook delivery failed" : "webhook delivery will be retried",
                    metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
            } else {
                logger.info("webhook delivered", metadata: metadata)
            }
            let attempt = delivery
            try await AsyncBridge.offPool {
                try store.recordAttempt(attempt, at: Timestamps.now(), error: error, retryAt: retryAt)
            }
        }
        return counts
    }

    /// Delivers every `interval` until cancelled.
    public func run(interval: Duration = .seconds(1), post: @escaping @Sendable (Target, Data) async -> Answer) async {
        guard !targets.isEmpty else { return }
        while !Task.isCancelled {
            do {
                try await deliverDue(post: post)
            } catch {
                logger.warning("webhook outbox unreadable", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
