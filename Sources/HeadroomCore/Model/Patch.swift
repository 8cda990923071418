/// The outcome of testing and benchmarking a patch.
public struct ValidationResult: Sendable, Codable, Equatable {
    /// Whether the target's tests passed before and after the patch.
    public var testsPassed: Bool
    /// median(before) / median(after); above 1 means faster.
    public var speedup: Double
    /// The 95% bootstrap confidence interval of `speedup`, low then high.
    public var ci95: [Double]
    /// The Mann–Whitney U test's two-sided p-value.
    public var pValue: Double
    /// Wall seconds of each benchmark run without the patch.
    public var beforeSeconds: [Double]
    /// Wall seconds of each benchmark run with it.
    public var afterSeconds: [Double]
    /// The level p had to be below at the look that ended the measurement (the family-wise 0.05 split between the
    /// looks); 0.05 for records made before sequential looks.
    public var alpha: Double
    /// The practical floor: the speed-up the 95% interval's lower bound must reach (1.0 for records made before
    /// there was one). A gain that is real but smaller is not worth a patch, and is where load noise hides.
    public var minimumSpeedup: Double

    /// Tests pass, p is below the look's level, and the whole 95% interval of the speed-up is above 1 and at least
    /// `minimumSpeedup`.
    public var isSignificantGain: Bool {
        testsPassed && pValue < alpha && speedup > 1 && (ci95.first ?? 0) > 1 && (ci95.first ?? 0) >= minimumSpeedup
    }

    /// Significant at its level, but its interval's lower bound is under the practical floor.
    public var isBelowFloor: Bool {
        testsPassed && pValue < alpha && speedup > 1 && (ci95.first ?? 0) > 1 && (ci95.first ?? 0) < minimumSpeedup
    }

    /// A result from its fields; `alpha` and `minimumSpeedup` default to the levels of records made before them.
    public init(
        testsPassed: Bool, speedup: Double, ci95: [Double], pValue: Double, beforeSeconds: [Double],
        afterSeconds: [Double], alpha: Double = 0.05, minimumSpeedup: Double = 1.0
    ) {
        self.testsPassed = testsPassed
        self.speedup = speedup
        self.ci95 = ci95
        self.pValue = pValue
        self.beforeSeconds = beforeSeconds
        self.afterSeconds = afterSeconds
        self.alpha = alpha
        self.minimumSpeedup = minimumSpeedup
    }

    private enum CodingKeys: String, CodingKey {
        case testsPassed, speedup, ci95, pValue, beforeSeconds, afterSeconds, alpha, minimumSpeedup
    }

    /// Reads records made before `alpha` and `minimumSpeedup` existed with their old defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            testsPassed: try c.decode(Bool.self, forKey: .testsPassed),
            speedup: try c.decode(Double.self, forKey: .speedup),
            ci95: try c.decode([Double].self, forKey: .ci95), pValue: try c.decode(Double.self, forKey: .pValue),
            beforeSeconds: try c.decode([Double].self, forKey: .beforeSeconds),
            afterSeconds: try c.decode([Double].self, forKey: .afterSeconds),
            alpha: try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 0.05,
            minimumSpeedup: try c.decodeIfPresent(Double.self, forKey: .minimumSpeedup) ?? 1.0)
    }
}

/// A candidate fix and what happened to it.
public struct PatchRecord: Sendable, Codable, Equatable {
    /// `proposed`: made and past the static guardrails; `delivered`: tested, faster, on its branch; `refused`: a
    /// recipe or guardrail declined, or no significant gain; `failed`: tests failed or something broke.
    /// `cancelled`: the run working on it was interrupted (SIGTERM, SIGINT, or killed and reaped later).
    public enum Status: String, Sendable, Codable, CaseIterable { case proposed, delivered, refused, failed, cancelled }
    /// What a person decided about a delivered patch.
    public enum Review: String, Sendable, Codable { case pending, applied, rejected }
    /// What a patch is for.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A detected regression (`regressionID`).
        case regression
        /// An efficiency opportunity (`opportunityID`).
        case opportunity
    }
    /// The patch's id, once stored.
    public var id: Int64?
    /// What it is for.
    public var kind: Kind
    /// The regression it fixes, for a regression's patch.
    public var regressionID: Int64?
    /// The opportunity it resolves, for an opportunity's patch.
    public var opportunityID: Int64?
    /// The skill whose recipe (or playbook) made it.
    public var skill: String
    /// The repository's root.
    public var repository: String
    /// The file it changes, repository-relative.
    public var path: String?
    /// The function it changes.
    public var function: String?
    /// The culprit commit, for a regression's patch.
    public var culprit: String?
    /// Its branch (`headroom/…`), once delivered.
    public var branch: String?
    /// The commit the patch was made against.
    public var baseCommit: String
    /// The patch commit on `branch`.
    public var commit: String?
    /// The unified diff against `baseCommit`.
    public var diff: String
    /// One line per change, for the commit message and the PR.
    public var summary: [String]
    /// Original and patched text of the file (JSON of the recipe's edit), so validation can run later.
    public var editJSON: String?
    /// The PR description's path, once delivered.
    public var prDescription: String?
    /// Where it stands.
    public var status: Status
    /// Why it was refused or failed, or what validation found.
    public var reason: String?
    /// Its tests and A/B benchmark, once validated.
    public var validation: ValidationResult?
    /// The agent's steps that led to it (redacted).
    public var transcript: [TranscriptStep]
    /// What a person decided.
    public var review: Review
    /// The reviewer's note (why it was rejected, where it was merged).
    public var reviewNote: String?
    /// Seconds from the command's start to the delivered branch (validation included).
    public var seconds: Double?
    /// When it was stored, Unix seconds.
    public var createdAt: Int64?
    /// When a person applied or rejected it, Unix seconds.
    public var reviewedAt: Int64?
    /// The commit the patch became where it was applied (the cherry-pick onto the reviewer's branch); nil when it
    /// was only marked applied. A deploy that contains it (or `commit`) makes the fix live.
    public var appliedCommit: String?

    /// A patch from its fields.
    public init(
        id: Int64? = nil, kind: Kind = .regression, regressionID: Int64?, opportunityID: Int64? = nil,
        skill: String, repository: String, path: String? = nil, function: String? = nil, culprit: String? = nil,
        branch: String?, baseCommit: String, commit: String? = nil, diff: String, summary: [String] = [],
        editJSON: String? = nil, prDescription: String?, status: Status, reason: String?,
        validation: ValidationResult?, transcript: [TranscriptStep] = [], review: Review = .pending,
        reviewNote: String? = nil, seconds: Double? = nil, createdAt: Int64? = nil
    ) {
        self.id = id
        self.kind = kind
        self.regressionID = regressionID
        self.opportunityID = opportunityID
        self.skill = skill
        self.repository = repository
        self.path = path
        self.function = function
        self.culprit = culprit
        self.branch = branch
        self.baseCommit = baseCommit
        self.commit = commit
        self.diff = diff
        self.summary = summary
        self.editJSON = editJSON
        self.prDescription = prDescription
        self.status = status
        self.reason = reason
        self.validation = validation
        self.transcript = transcript
        self.review = review
        self.reviewNote = reviewNote
        self.seconds = seconds
        self.createdAt = createdAt
    }
}
