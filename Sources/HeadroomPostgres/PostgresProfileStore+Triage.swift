import HeadroomCore
import HeadroomStore
import PostgresNIO

/// People's verdicts on PostgreSQL: kept by a regression's identity (service, function, metric, onset bucket), as on
/// SQLite, so re-detection keeps them and every verdict ever given counts in the false-positive rate.
extension PostgresProfileStore {
    static let triageTables = [
        """
        CREATE TABLE regression_triage (
            service_id BIGINT NOT NULL, function_id BIGINT NOT NULL, metric TEXT NOT NULL, bucket BIGINT NOT NULL,
            verdict TEXT NOT NULL, note TEXT NOT NULL, decided_at BIGINT NOT NULL, snooze_until BIGINT,
            PRIMARY KEY (service_id, function_id, metric, bucket))
        """
    ]

    /// Records a verdict on regression `id` (replacing an earlier one) and returns the regression with it.
    public func triage(
        regression id: Int64, verdict: Triage.Verdict, note: String, at time: Int64, snoozeUntil: Int64?
    ) async throws -> Regression {
        let wake = verdict == .snoozed ? snoozeUntil : nil
        let found = try await client.query(
            """
            INSERT INTO regression_triage (
                service_id, function_id, metric, bucket, verdict, note, decided_at, snooze_until)
            SELECT service_id, function_id, metric, bucket, \(verdict.rawValue), \(note), \(time), \(wake)
            FROM regression WHERE id = \(id)
            ON CONFLICT (service_id, function_id, metric, bucket)
            DO UPDATE SET verdict = excluded.verdict, note = excluded.note, decided_at = excluded.decided_at,
                          snooze_until = excluded.snooze_until
            RETURNING 1
            """, logger: logger
        ).collect()
        guard !found.isEmpty else { throw HeadroomError(.notFound, "no regression with id \(id)") }
        return try await regression(id: id)
    }

    /// Verdicts given so far, per verdict (including those on regressions no longer detected).
    public func triageCounts() async throws -> [Triage.Verdict: Int] {
        var counts: [Triage.Verdict: Int] = [:]
        for try await (verdict, count) in try await client.query(
            "SELECT verdict, COUNT(*) FROM regression_triage GROUP BY verdict", logger: logger
        ).decode((String, Int64).self) {
            if let verdict = Triage.Verdict(rawValue: verdict) { counts[verdict] = Int(count) }
        }
        return counts
    }
}
