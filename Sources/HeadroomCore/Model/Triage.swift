/// A person's verdict on a detected regression. It is kept by the regression's identity (service, function,
/// metric, onset bucket), so it survives re-detection; it stops notifications about that regression, and the share
/// of `invalid` verdicts is the detector's measured false-positive rate.
public struct Triage: Sendable, Codable, Equatable {
    /// What a person said about a regression.
    public enum Verdict: String, Sendable, Codable, CaseIterable {
        /// "Known": a real regression someone owns.
        case acknowledged
        /// "Not a regression": a false alarm.
        case invalid
        /// "Not now": quiet until `snoozeUntil`, then open again.
        case snoozed
    }

    /// The verdict.
    public var verdict: Verdict
    /// Why, in a sentence (may be empty).
    public var note: String
    /// Unix seconds.
    public var decidedAt: Int64
    /// Until when a snoozed regression stays quiet (Unix seconds); nil for the other verdicts.
    public var snoozeUntil: Int64?

    /// A verdict decided at `decidedAt` (Unix seconds).
    public init(verdict: Verdict, note: String = "", decidedAt: Int64, snoozeUntil: Int64? = nil) {
        self.verdict = verdict
        self.note = note
        self.decidedAt = decidedAt
        self.snoozeUntil = snoozeUntil
    }

    /// Whether the verdict keeps the regression quiet at `time`: acknowledged and invalid always, snoozed until its
    /// time.
    public func silences(at time: Int64) -> Bool {
        verdict != .snoozed || (snoozeUntil ?? Int64.max) > time
    }

    /// As reports carry it: the time as ISO-8601 UTC text.
    public struct Report: Sendable, Codable, Equatable {
        /// The verdict.
        public var verdict: Verdict
        /// Why, in a sentence.
        public var note: String
        /// When it was decided, ISO-8601 UTC.
        public var decidedAt: String
        /// Until when a snoozed regression stays quiet, ISO-8601 UTC; null for the other verdicts.
        public var snoozeUntil: String?

        enum CodingKeys: String, CodingKey {
            case verdict, note
            case decidedAt = "decided_at"
            case snoozeUntil = "snooze_until"
        }

        /// Writes every key (`snooze_until` is `null` unless snoozed).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(verdict, forKey: .verdict)
            try c.encode(note, forKey: .note)
            try c.encode(decidedAt, forKey: .decidedAt)
            try c.encode(snoozeUntil, forKey: .snoozeUntil)
        }
    }

    /// The verdict as reports show it (time as ISO-8601 UTC).
    public var report: Report {
        Report(
            verdict: verdict, note: note, decidedAt: Timestamps.format(decidedAt),
            snoozeUntil: snoozeUntil.map(Timestamps.format))
    }
}
