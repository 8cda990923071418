import GRDB
import HeadroomCore

/// A notification waiting for (or done with) one webhook target.
public struct EventDelivery: Sendable, Equatable {
    public var eventID: Int64
    public var target: String
    public var kind: String
    /// The event's JSON, as recorded.
    public var payload: String
    public var createdAt: Int64
    /// Attempts made so far.
    public var attempts: Int

    /// A delivery from its fields.
    public init(eventID: Int64, target: String, kind: String, payload: String, createdAt: Int64, attempts: Int) {
        self.eventID = eventID
        self.target = target
        self.kind = kind
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// The notification outbox: events are recorded in the store by whoever causes them (the server's detection loop,
/// a `headroom fix` run from the CLI), once per (kind, subject); the server delivers each to every webhook target
/// and records the attempts, so a restart neither loses nor repeats a delivered event.
extension Store {
    /// Records an event unless one of this kind and subject exists; returns its id, or nil when it existed.
    @discardableResult
    public func recordEvent(kind: String, subject: String, payload: String, at time: Int64) throws -> Int64? {
        try writing { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO event (kind, subject, payload, created_at) VALUES (?, ?, ?, ?)",
                arguments: [kind, subject, payload, time])
            return db.changesCount > 0 ? db.lastInsertedRowID : nil
        }
    }

    /// Whether an event of this kind and subject was recorded.
    public func hasEvent(kind: String, subject: String) throws -> Bool {
        try reading { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM event WHERE kind = ? AND subject = ?", arguments: [kind, subject])
                ?? false
        }
    }

    /// Registers webhook targets (ids, not URLs); a target seen for the first time gets the events recorded from
    /// `since` on, not the store's whole history.
    public func registerWebhookTargets(_ targets: [String], since: Int64) throws {
        try writing { db in
            for target in targets {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO webhook_target (id, added_at) VALUES (?, ?)",
                    arguments: [target, since])
            }
        }
    }

    /// Deliveries due at `now` for these targets, oldest event first: every event recorded since a target was
    /// registered gets a pending delivery the first time this is asked.
    public func dueDeliveries(targets: [String], now: Int64, limit: Int = 100) throws -> [EventDelivery] {
        guard !targets.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: targets.count).joined(separator: ", ")
        return try writing { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO event_delivery (event_id, target, state, attempts, next_attempt_at, last_error)
                    SELECT e.id, t.id, 'pending', 0, e.created_at, '' FROM event e JOIN webhook_target t
                    ON e.created_at >= t.added_at WHERE t.id IN (\(marks))
                    """, arguments: StatementArguments(targets))
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT d.event_id, d.target, d.attempts, e.kind, e.payload, e.created_at
                    FROM event_delivery d JOIN event e ON e.id = d.event_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND d.target IN (\(marks))
                    ORDER BY d.event_id, d.target LIMIT ?
                    """, arguments: StatementArguments([now]) + StatementArguments(targets) + [limit]
            ).map {
                EventDelivery(
                    eventID: $0["event_id"], target: $0["target"], kind: $0["kind"], payload: $0["payload"],
                    createdAt: $0["created_at"], attempts: $0["attempts"])
            }
        }
    }

    /// Records one attempt: delivered, or failed with `error` and retried at `retryAt` (nil: given up).
    public func recordAttempt(_ delivery: EventDelivery, at time: Int64, error: String?, retryAt: Int64?) throws {
        try writing { db in
            let state = error == nil ? "delivered" : (retryAt == nil ? "failed" : "pending")
            try db.execute(
                sql: """
                    UPDATE event_delivery SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                      delivered_at = ? WHERE event_id = ? AND target = ?
                    """,
                arguments: [
                    state, retryAt ?? time, error ?? "", error == nil ? time : nil, delivery.eventID, delivery.target,
                ])
        }
    }

    /// Deliveries per state (pending, delivered, failed), for status pages.
    public func deliveryCounts() throws -> [String: Int] {
        try reading { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM event_delivery GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
    }
}
