import GRDB
import HeadroomCore

extension Store {
    /// Records a person's verdict on a regression (replacing an earlier one) and returns the regression with it.
    /// The verdict is kept by the regression's identity, so a later detection run that finds the same regression
    /// again keeps it.
    @discardableResult
    public func triage(
        regression id: Int64, verdict: Triage.Verdict, note: String, at time: Int64, snoozeUntil: Int64? = nil
    ) throws -> Regression {
        let found = try writing { db -> Bool in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT service_id, function_id, metric, bucket FROM regression WHERE id = ?",
                    arguments: [id])
            else { return false }
            try db.execute(
                sql: """
                    INSERT INTO regression_triage (
                        service_id, function_id, metric, bucket, verdict, note, decided_at, snooze_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (service_id, function_id, metric, bucket)
                    DO UPDATE SET verdict = excluded.verdict, note = excluded.note, decided_at = excluded.decided_at,
                                  snooze_until = excluded.snooze_until
                    """,
                arguments: [
                    row["service_id"], row["function_id"], row["metric"], row["bucket"], verdict.rawValue, note, time,
                    verdict == .snoozed ? snoozeUntil : nil,
                ])
            return true
        }
        guard found else { throw HeadroomError(.notFound, "no regression with id \(id)") }
        return try regression(id: id)
    }

    /// Verdicts given so far, per verdict (every one ever given, including those on regressions no longer
    /// detected): the false-positive rate is invalid / (acknowledged + invalid).
    public func triageCounts() throws -> [Triage.Verdict: Int] {
        try reading { db in
            var counts: [Triage.Verdict: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT verdict, COUNT(*) AS n FROM regression_triage GROUP BY verdict")
            {
                if let verdict = Triage.Verdict(rawValue: row["verdict"]) { counts[verdict] = row["n"] }
            }
            return counts
        }
    }
}
