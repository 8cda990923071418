// The answers of the patch tools (`generate_patch`, `propose_patch`, `validate_patch`, `deliver_patch`, `list_patches`,
// `reject_patch`).
// Conventions for every answer (keys, nulls, times) are on ToolSignature, in ../ToolName.swift.

/// A patch as every tool and list reports it: `generate_patch`, `propose_patch`, `validate_patch`, `deliver_patch`,
/// `list_patches`, `review list --format json` and the HTTP API's patch answers.
public struct PatchReport: Codable, Sendable, Equatable {
    /// The patch's id.
    public var patch: Int64
    /// Where it stands: proposed, delivered, refused, failed or cancelled.
    public var status: PatchRecord.Status
    /// The skill whose recipe (or playbook) made it.
    public var skill: String
    /// Why it was refused or failed, or what validation found.
    public var reason: String?
    /// The unified diff against the base commit.
    public var diff: String
    /// One line per change, for the commit and the PR.
    public var summary: [String]
    /// Its branch (`headroom/…`), once delivered.
    public var branch: String?
    /// The PR description's path, once delivered.
    public var prDescription: String?
    /// The tests and A/B benchmark, once validated.
    public var validation: ValidationSummary?
    /// Whether validation showed a significant gain.
    public var significant: Bool
    /// The file it changes, repository-relative.
    public var path: String?
    /// The function it changes.
    public var function: String?
    /// What a person decided: pending, applied or rejected.
    public var review: PatchRecord.Review
    /// What it is for: a regression or an opportunity.
    public var kind: PatchRecord.Kind
    /// The regression's or opportunity's id.
    public var target: Int64
    /// The regression's id, for a regression's patch.
    public var regression: Int64?
    /// The opportunity's id, for an opportunity's patch.
    public var opportunity: Int64?
    /// The branch a rejection deleted (answers to a rejection only).
    public var deletedBranch: String??

    enum CodingKeys: String, CodingKey {
        case patch, status, skill, reason, diff, summary, branch, validation, significant, path, function, review, kind
        case target, regression, opportunity
        case prDescription = "pr_description"
        case deletedBranch = "deleted_branch"
    }

    /// The report of a stored patch.
    public init(_ p: PatchRecord) {
        patch = p.id ?? 0
        status = p.status
        skill = p.skill
        reason = p.reason
        diff = p.diff
        summary = p.summary
        branch = p.branch
        prDescription = p.prDescription
        validation = p.validation.map(ValidationSummary.init)
        significant = p.validation?.isSignificantGain ?? false
        path = p.path
        function = p.function
        review = p.review
        kind = p.kind
        target = p.regressionID ?? p.opportunityID ?? 0
        regression = p.regressionID
        opportunity = p.opportunityID
    }

    /// Reads what ``encode(to:)`` writes; `deleted_branch` present (even as `null`) only in a rejection's answer.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        patch = try c.decode(Int64.self, forKey: .patch)
        status = try c.decode(PatchRecord.Status.self, forKey: .status)
        skill = try c.decode(String.self, forKey: .skill)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        diff = try c.decode(String.self, forKey: .diff)
        summary = try c.decode([String].self, forKey: .summary)
        branch = try c.decodeIfPresent(String.self, forKey: .branch)
        prDescription = try c.decodeIfPresent(String.self, forKey: .prDescription)
        validation = try c.decodeIfPresent(ValidationSummary.self, forKey: .validation)
        significant = try c.decode(Bool.self, forKey: .significant)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        function = try c.decodeIfPresent(String.self, forKey: .function)
        review = try c.decode(PatchRecord.Review.self, forKey: .review)
        kind = try c.decode(PatchRecord.Kind.self, forKey: .kind)
        target = try c.decode(Int64.self, forKey: .target)
        regression = try c.decodeIfPresent(Int64.self, forKey: .regression)
        opportunity = try c.decodeIfPresent(Int64.self, forKey: .opportunity)
        deletedBranch =
            c.contains(.deletedBranch) ? .some(try c.decodeIfPresent(String.self, forKey: .deletedBranch)) : nil
    }

    /// Every key is written, absent values as `null`; `deleted_branch` only in a rejection's answer.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(patch, forKey: .patch)
        try c.encode(status, forKey: .status)
        try c.encode(skill, forKey: .skill)
        try c.encode(reason, forKey: .reason)
        try c.encode(diff, forKey: .diff)
        try c.encode(summary, forKey: .summary)
        try c.encode(branch, forKey: .branch)
        try c.encode(prDescription, forKey: .prDescription)
        try c.encode(validation, forKey: .validation)
        try c.encode(significant, forKey: .significant)
        try c.encode(path, forKey: .path)
        try c.encode(function, forKey: .function)
        try c.encode(review, forKey: .review)
        try c.encode(kind, forKey: .kind)
        try c.encode(target, forKey: .target)
        try c.encode(regression, forKey: .regression)
        try c.encode(opportunity, forKey: .opportunity)
        if let deletedBranch { try c.encode(deletedBranch, forKey: .deletedBranch) }
    }
}

/// `list_patches`: the patches Headroom made, filtered.
public struct PatchList: Codable, Sendable, Equatable {
    /// The patches, oldest first.
    public var patches: [PatchReport]

    /// The list of `patches`.
    public init(patches: [PatchReport]) { self.patches = patches }
}

/// `reject_patch`: the rejection recorded, and the branch deleted if one was.
public struct PatchRejection: Codable, Sendable, Equatable {
    /// The patch's id.
    public var patch: Int64
    /// Its review state after the rejection (`rejected`).
    public var review: PatchRecord.Review
    /// The branch deleted; nil when it was kept (`keep_branch`) or there was none.
    public var deletedBranch: String?

    enum CodingKeys: String, CodingKey {
        case patch, review
        case deletedBranch = "deleted_branch"
    }

    /// A rejection from its fields.
    public init(patch: Int64, review: PatchRecord.Review, deletedBranch: String?) {
        self.patch = patch
        self.review = review
        self.deletedBranch = deletedBranch
    }

    /// Every key is written, `deleted_branch` as `null` when kept.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(patch, forKey: .patch)
        try c.encode(review, forKey: .review)
        try c.encode(deletedBranch, forKey: .deletedBranch)  // null when kept, never left out
    }
}
