import Foundation
import HeadroomCore
import HeadroomStore

/// People's verdicts on regressions: `headroom triage`, the MCP tool `triage_regression` and the API's
/// `POST /api/v1/regressions/{id}/ack|invalid` all go through here.
public struct TriageService: Sendable {
    /// The store of regressions and verdicts: SQLite, or team mode's database (`TeamStore`).
    public let store: any TriageStore

    /// A service over `store`.
    public init(store: any TriageStore) { self.store = store }

    /// Records the verdict (replacing an earlier one) and returns the regression with it. A note is at most 2,000
    /// characters of one paragraph. A snooze needs `snoozeUntil` in the future; the regression is open again after
    /// it.
    public func decide(
        regression id: Int64, verdict: Triage.Verdict, note: String = "", snoozeUntil: Int64? = nil,
        at now: Int64 = Timestamps.now()
    ) throws -> Regression {
        guard note.unicodeScalars.count <= 2000 else {
            throw HeadroomError(.badInput, "the note is longer than 2,000 characters")
        }
        let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if verdict == .snoozed {
            guard let snoozeUntil, snoozeUntil > now else {
                throw HeadroomError(.badInput, "a snooze needs a time in the future to wake at (until)")
            }
        } else if snoozeUntil != nil {
            throw HeadroomError(.badInput, "only a snooze takes a time to wake at")
        }
        return try store.triage(regression: id, verdict: verdict, note: text, at: now, snoozeUntil: snoozeUntil)
    }

    /// Verdicts so far and the false-positive rate they measure (nil before any).
    public func summary() throws -> (acknowledged: Int, invalid: Int, falsePositiveRate: Double?) {
        let counts = try store.triageCounts()
        let acknowledged = counts[.acknowledged] ?? 0
        let invalid = counts[.invalid] ?? 0
        let total = acknowledged + invalid
        return (acknowledged, invalid, total > 0 ? Double(invalid) / Double(total) : nil)
    }
}
