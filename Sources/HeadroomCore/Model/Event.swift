import Foundation

/// A notification as webhooks receive it (`headroom serve --webhook URL`): the event's kind, when it happened, a
/// `text` line for chat tools (Slack-compatible incoming webhooks show it as the message), and the record it is
/// about, in the same JSON as the API and `--format json` answers.
///
/// Kinds: `regression.detected`, `regression.root_caused` (`regression` and the top `candidate`), `patch.delivered`
/// and `patch.refused` (`patch`), `patch.published` (`patch` and `url`, the pull/merge request). The sender adds `id`, the event's id, unique per store.
public struct EventPayload: Codable, Sendable {
    public var event: String
    public var createdAt: String
    public var text: String
    public var regression: RegressionReport?
    public var candidate: RootCauseCandidate?
    public var patch: PatchSummary?
    /// `patch.published`: the pull request's (or merge request's) address.
    public var url: String?

    enum CodingKeys: String, CodingKey {
        case event, text, regression, candidate, patch, url
        case createdAt = "created_at"
    }

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
        public var id: Int64?
        public var status: PatchRecord.Status
        public var kind: PatchRecord.Kind
        public var skill: String
        public var repository: String
        public var branch: String?
        public var function: String?
        public var culprit: String?
        public var regressionID: Int64?
        public var opportunityID: Int64?
        public var reason: String?
        public var speedup: Double?
        public var pValue: Double?

        enum CodingKeys: String, CodingKey {
            case id, status, kind, skill, repository, branch, function, culprit, reason, speedup
            case regressionID = "regression_id"
            case opportunityID = "opportunity_id"
            case pValue = "p_value"
        }

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
