import HeadroomCore
import HeadroomStore
import PostgresNIO

/// The notification outbox on PostgreSQL: workers record events as they detect and rank, every `serve --database`
/// process with `--webhook` delivers. A due delivery is claimed by the server that reads it (its next attempt moved
/// `claimSeconds` ahead, rows taken `FOR UPDATE SKIP LOCKED`), so two servers never post one event to one target at
/// once; a server that dies mid-post leaves it due again when the claim runs out (at least once, as on SQLite after
/// a crash).
extension PostgresProfileStore {
    static let eventTables = [
        """
        CREATE TABLE event (
            id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL,
            created_at BIGINT NOT NULL, UNIQUE (kind, subject))
        """,
        "CREATE TABLE webhook_target (id TEXT PRIMARY KEY, added_at BIGINT NOT NULL)",
        """
        CREATE TABLE event_delivery (
            event_id BIGINT NOT NULL REFERENCES event(id), target TEXT NOT NULL, state TEXT NOT NULL,
            attempts INT NOT NULL, next_attempt_at BIGINT NOT NULL, last_error TEXT NOT NULL, delivered_at BIGINT,
            PRIMARY KEY (event_id, target))
        """,
        "CREATE INDEX event_delivery_due ON event_delivery (state, next_attempt_at)",
    ]

    /// How long a server's claim on a due delivery lasts before another may take it.
    public static let claimSeconds: Int64 = 60

    public func recordEvent(kind: String, subject: String, payload: String, at time: Int64) async throws -> Int64? {
        try await client.query(
            """
            INSERT INTO event (kind, subject, payload, created_at) VALUES (\(kind), \(subject), \(payload), \(time))
            ON CONFLICT (kind, subject) DO NOTHING RETURNING id
            """, logger: logger
        ).collect().first?.decode(Int64.self)
    }

    public func hasEvent(kind: String, subject: String) async throws -> Bool {
        try await !client.query(
            "SELECT 1 FROM event WHERE kind = \(kind) AND subject = \(subject)", logger: logger
        ).collect().isEmpty
    }

    public func registerWebhookTargets(_ targets: [String], since: Int64) async throws {
        guard !targets.isEmpty else { return }
        try await client.query(
            """
            INSERT INTO webhook_target (id, added_at) SELECT t, \(since) FROM unnest(\(targets)::TEXT[]) AS t
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func dueDeliveries(targets: [String], now: Int64, limit: Int) async throws -> [EventDelivery] {
        guard !targets.isEmpty else { return [] }
        let until = now + Self.claimSeconds
        return try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO event_delivery (event_id, target, state, attempts, next_attempt_at, last_error)
                SELECT e.id, t.id, 'pending', 0, e.created_at, '' FROM event e JOIN webhook_target t
                ON e.created_at >= t.added_at WHERE t.id = ANY(\(targets))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            var due: [EventDelivery] = []
            for try await (event, target, attempts, kind, payload, created) in try await connection.query(
                """
                WITH claimed AS (
                    SELECT event_id, target FROM event_delivery
                    WHERE state = 'pending' AND next_attempt_at <= \(now) AND target = ANY(\(targets))
                    ORDER BY event_id, target LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
                UPDATE event_delivery d SET next_attempt_at = \(until) FROM claimed c, event e
                WHERE d.event_id = c.event_id AND d.target = c.target AND e.id = d.event_id
                RETURNING d.event_id, d.target, d.attempts, e.kind, e.payload, e.created_at
                """, logger: logger
            ).decode((Int64, String, Int32, String, String, Int64).self) {
                due.append(
                    EventDelivery(
                        eventID: event, target: target, kind: kind, payload: payload, createdAt: created,
                        attempts: Int(attempts)))
            }
            return due.sorted { ($0.eventID, $0.target) < ($1.eventID, $1.target) }
        }
    }

    public func recordAttempt(_ delivery: EventDelivery, at time: Int64, error: String?, retryAt: Int64?) async throws {
        let state = error == nil ? "delivered" : (retryAt == nil ? "failed" : "pending")
        let delivered: Int64? = error == nil ? time : nil
        try await client.query(
            """
            UPDATE event_delivery SET state = \(state), attempts = attempts + 1, next_attempt_at = \(retryAt ?? time),
              last_error = \(error ?? ""), delivered_at = \(delivered)
            WHERE event_id = \(delivery.eventID) AND target = \(delivery.target)
            """, logger: logger)
    }

    public func deliveryCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (state, count) in try await client.query(
            "SELECT state, COUNT(*) FROM event_delivery GROUP BY state", logger: logger
        ).decode((String, Int64).self) {
            counts[state] = Int(count)
        }
        return counts
    }
}
