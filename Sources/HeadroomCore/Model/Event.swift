import Foundation

/// A notification as webhooks receive it (`headroom serve --webhook URL`): the event's kind, when it happened, a
/// `text` line for chat tools (Slack-compatible incoming webhooks show it as the message), and the record it is
/// about, in the same JSON as the API and `--format json` answers.
///
/// Kinds: `regression.detected`, `regression.root_caused` (`regression` and the top `candidate`), `patch.delivered`
/// and `patch.refused` (`patch`), `patch.published` (`patch` and `url`, the pull/merge request), `digest.weekly`
/// (`digest`: the regressions the triage policy left for the digest). The sender adds `id`, the event's id, unique
/// per store.
public struct EventPayload: Codable, Sendable {
    /// The event's kind (`regression.detected`, `patch.delivered`, …).
    public var event: String
    /// When it happened, ISO-8601 UTC.
    public var createdAt: String
    /// One line for chat tools.
    public var text: String
    /// The regression, for `regression.*` events.
    public var regression: RegressionReport?
    /// The top candidate, for `regression.root_caused`.
    public var candidate: RootCauseCandidate?
    /// The patch, for `patch.*` events.
    public var patch: PatchSummary?
    /// `patch.published`: the pull request's (or merge request's) address.
    public var url: String?
    /// `digest.weekly`: the window's regressions by route (the digest's, below the notify threshold, first).
    public var digest: DigestReport?

    enum CodingKeys: String, CodingKey {
        case event, text, regression, candidate, patch, url, digest
        case createdAt = "created_at"
    }

    /// A payload from its fields.
    public init(
        event: String, createdAt: Int64, text: String, regression: RegressionReport? = nil,
        candidate: RootCauseCandidate? = nil, patch: PatchSummary? = nil
    ) {
        self.event = event
        self.createdAt = Timestamps.format(createdAt)
        self.text = text
        self.regression = regression
        self.candidate = candidate
        self.patch = patch
    }

    /// A patch's outcome without its diff and transcript (those are one API call away).
    public struct PatchSummary: Codable, Sendable, Equatable {
        /// The patch's id.
        public var id: Int64?
        /// Where it stands.
        public var status: PatchRecord.Status
        /// What it is for.
        public var kind: PatchRecord.Kind
        /// The skill that made it.
        public var skill: String
        /// The repository's root.
        public var repository: String
        /// Its branch, once delivered.
        public var branch: String?
        /// The function it changes.
        public var function: String?
        /// The culprit commit, for a regression's patch.
        public var culprit: String?
        /// The regression it fixes.
        public var regressionID: Int64?
        /// The opportunity it resolves.
        public var opportunityID: Int64?
        /// Why it was refused or failed.
        public var reason: String?
        /// The validated speed-up.
        public var speedup: Double?
        /// The validation's p-value.
        public var pValue: Double?

        enum CodingKeys: String, CodingKey {
            case id, status, kind, skill, repository, branch, function, culprit, reason, speedup
            case regressionID = "regression_id"
            case opportunityID = "opportunity_id"
            case pValue = "p_value"
        }

        /// The summary of a stored patch.
        public init(_ patch: PatchRecord) {
            id = patch.id
            status = patch.status
            kind = patch.kind
            skill = patch.skill
            repository = patch.repository
            branch = patch.branch
            function = patch.function
            culprit = patch.culprit
            regressionID = patch.regressionID
            opportunityID = patch.opportunityID
            reason = patch.reason
            speedup = patch.validation?.speedup.finite
            pValue = patch.validation?.pValue.finite
        }
    }

    /// A patch that reached a final outcome worth telling people about (delivered or refused), as an event.
    public static func patch(_ patch: PatchRecord, at time: Int64) -> EventPayload? {
        let target = patch.function.map { " for \($0)" } ?? ""
        let text: String
        switch patch.status {
        case .delivered:
            let gain = patch.validation.map { String(format: " (%.2fx faster, p = %.3g)", $0.speedup, $0.pValue) } ?? ""
            text = "Headroom: patch #\(patch.id ?? 0)\(target) delivered on branch \(patch.branch ?? "?")\(gain)"
        case .refused:
            text = "Headroom: patch #\(patch.id ?? 0)\(target) refused: \(patch.reason ?? "no reason given")"
        default:
            return nil
        }
        return EventPayload(
            event: "patch.\(patch.status.rawValue)", createdAt: time, text: text, patch: PatchSummary(patch))
    }

    /// Encoded as the outbox stores it (sorted keys).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
