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
    }

    /// The verdict.
    public var verdict: Verdict
    /// Why, in a sentence (may be empty).
    public var note: String
    /// Unix seconds.
    public var decidedAt: Int64

    /// A verdict decided at `decidedAt` (Unix seconds).
    public init(verdict: Verdict, note: String = "", decidedAt: Int64) {
        self.verdict = verdict
        self.note = note
        self.decidedAt = decidedAt
    }

    /// As reports carry it: the time as ISO-8601 UTC text.
    public struct Report: Sendable, Codable, Equatable {
        /// The verdict.
        public var verdict: Verdict
        /// Why, in a sentence.
        public var note: String
        /// When it was decided, ISO-8601 UTC.
        public var decidedAt: String

        enum CodingKeys: String, CodingKey {
            case verdict, note
            case decidedAt = "decided_at"
        }
    }

    /// The verdict as reports show it (time as ISO-8601 UTC).
    public var report: Report { Report(verdict: verdict, note: note, decidedAt: Timestamps.format(decidedAt)) }
}
