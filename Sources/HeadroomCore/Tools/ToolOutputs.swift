/// The answers of Headroom's tools, one Codable type per tool (see ``ToolSignature``). Keys are snake_case whatever
/// the encoder; a number that is not finite is `null`; times are ISO-8601 UTC text except `Commit.time` in
/// ``ChangeReport``, which keeps the stored Unix seconds. Fields may be added, never renamed.

/// `list_services`: the services with profiles in the store.
public struct ServiceList: Codable, Sendable, Equatable {
    /// One service's coverage.
    public struct Entry: Codable, Sendable, Equatable {
        /// The service's name, as ingest named it.
        public var service: String
        /// Samples stored for it, all buckets together.
        public var samples: Int64
        /// The first and last bucket's start, ISO-8601 UTC.
        public var from: String
        /// The last bucket's start, ISO-8601 UTC.
        public var to: String
        /// Buckets that hold its samples.
        public var buckets: Int

        /// One service's coverage from its fields.
        public init(service: String, samples: Int64, from: String, to: String, buckets: Int) {
            self.service = service
            self.samples = samples
            self.from = from
            self.to = to
            self.buckets = buckets
        }
    }

    /// The services, by name.
    public var services: [Entry]

    /// The list of `services`.
    public init(services: [Entry]) { self.services = services }
}

/// `list_regressions`: detected regressions and improvements, largest change first.
public struct RegressionList: Codable, Sendable, Equatable {
    /// The regressions (and improvements), largest change in share first.
    public var regressions: [RegressionReport]

    /// The list of `regressions`.
    public init(regressions: [RegressionReport]) { self.regressions = regressions }
}

/// `get_regression`: one regression (the same fields as ``RegressionReport``) and, when it was ranked before, its
/// stored root-cause candidates in the shape ``RootCauseReport`` uses.
public struct RegressionDetail: Codable, Sendable {
    /// The regression, as `list_regressions` shows it.
    public var regression: RegressionReport
    /// Its stored ranking, best first; empty until `rank_root_causes` ran.
    public var candidates: [RootCauseReport.Candidate]

    enum CodingKeys: String, CodingKey { case candidates }

    /// A regression and its stored candidates.
    public init(regression: RegressionReport, candidates: [RootCauseReport.Candidate]) {
        self.regression = regression
        self.candidates = candidates
    }

    /// The regression's fields and `candidates` side by side in one object.
    public init(from decoder: any Decoder) throws {
        regression = try RegressionReport(from: decoder)
        candidates = try decoder.container(keyedBy: CodingKeys.self).decode(
            [RootCauseReport.Candidate].self, forKey: .candidates)
    }

    /// Writes the regression's fields and `candidates` into one object.
    public func encode(to encoder: any Encoder) throws {
        try regression.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(candidates, forKey: .candidates)
    }
}

/// `query_profile` with `mode: flame`: the heaviest stacks, root first.
public struct FlameReport: Codable, Sendable, Equatable {
    /// One stack and its samples.
    public struct Stack: Codable, Sendable, Equatable {
        /// Frame names, root first, joined by `;` (folded format).
        public var frames: String
        /// Samples whose stack is exactly this one.
        public var samples: Int64

        /// One stack from its frames (root first, `;`-joined) and samples.
        public init(frames: String, samples: Int64) {
            self.frames = frames
            self.samples = samples
        }
    }

    /// Samples in the range, all stacks together (the stacks listed are the heaviest only).
    public var totalSamples: Int64
    /// The heaviest stacks, most samples first.
    public var stacks: [Stack]

    enum CodingKeys: String, CodingKey {
        case stacks
        case totalSamples = "total_samples"
    }

    /// A flame answer from the range's total and its heaviest stacks.
    public init(totalSamples: Int64, stacks: [Stack]) {
        self.totalSamples = totalSamples
        self.stacks = stacks
    }
}

/// `get_change`: one commit as stored (snake_case keys) and, when its repository is known, its diff (capped).
public struct ChangeReport: Codable, Sendable {
    /// The commit as imported: author, time, message, changed functions and configuration keys.
    public var commit: Commit
    /// `git show --stat -p` of the commit, capped at 20,000 characters; nil when its repository is not on this machine.
    public var diff: String?

    enum CodingKeys: String, CodingKey { case diff }

    /// A commit and, when known, its diff.
    public init(commit: Commit, diff: String?) {
        self.commit = commit
        self.diff = diff
    }

    /// The commit's fields and `diff` side by side in one object; `diff` is left out when unknown.
    public init(from decoder: any Decoder) throws {
        commit = try Commit(from: decoder)
        diff = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .diff)
    }

    /// Writes the commit's fields and, when known, `diff` into one object.
    public func encode(to encoder: any Encoder) throws {
        try commit.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(diff, forKey: .diff)
    }
}

/// `config_history`: configuration keys changed in a time range.
public struct ConfigChangeList: Codable, Sendable, Equatable {
    /// One key's change in one commit.
    public struct Row: Codable, Sendable, Equatable {
        /// The configuration commit.
        public var sha: String
        /// When it was committed (live at once), ISO-8601 UTC.
        public var time: String
        /// Its author.
        public var author: String
        /// The configuration file, repository-relative.
        public var file: String
        /// The dotted key (`pricing.rules[0].limit`).
        public var key: String
        /// The value before; nil when the commit added the key.
        public var old: String?
        /// The value after; nil when the commit removed the key.
        public var new: String?

        /// One key's change from its fields.
        public init(sha: String, time: String, author: String, file: String, key: String, old: String?, new: String?) {
            self.sha = sha
            self.time = time
            self.author = author
            self.file = file
            self.key = key
            self.old = old
            self.new = new
        }

        /// Every key is written, absent values as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sha, forKey: .sha)
            try c.encode(time, forKey: .time)
            try c.encode(author, forKey: .author)
            try c.encode(file, forKey: .file)
            try c.encode(key, forKey: .key)
            try c.encode(old, forKey: .old)  // null when the key was added, never left out
            try c.encode(new, forKey: .new)
        }
    }

    /// The changes, oldest commit first.
    public var changes: [Row]

    /// The list of `changes`.
    public init(changes: [Row]) { self.changes = changes }
}

/// `search_code`: matching lines of a repository's tracked files.
public struct CodeSearchReport: Codable, Sendable, Equatable {
    /// One matching line.
    public struct Match: Codable, Sendable, Equatable {
        /// The file, repository-relative.
        public var path: String
        /// The 1-based line number.
        public var line: Int
        /// The line, capped at 300 characters.
        public var text: String

        /// One match from its fields.
        public init(path: String, line: Int, text: String) {
            self.path = path
            self.line = line
            self.text = text
        }
    }

    /// The matching lines, at most the call's `limit`.
    public var matches: [Match]
    /// The repository's root.
    public var repository: String

    /// The matches in the repository at `repository`.
    public init(matches: [Match], repository: String) {
        self.matches = matches
        self.repository = repository
    }
}

/// `list_skills`: the skills that loaded, and the folders skipped with why.
public struct SkillList: Codable, Sendable, Equatable {
    /// One skill's summary.
    public struct Entry: Codable, Sendable, Equatable {
        /// The skill's name (its folder's).
        public var name: String
        /// What it fixes and when to use it, from its SKILL.md.
        public var description: String
        /// What the skill fixes: `regression`, `opportunity`.
        public var kinds: [String]
        /// The opportunity patterns that trigger it.
        public var patterns: [String]
        /// Its deterministic recipe, when it has one.
        public var recipe: String?

        /// One skill's summary from its fields.
        public init(name: String, description: String, kinds: [String], patterns: [String], recipe: String?) {
            self.name = name
            self.description = description
            self.kinds = kinds
            self.patterns = patterns
            self.recipe = recipe
        }

        /// Every key is written, absent values as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(description, forKey: .description)
            try c.encode(kinds, forKey: .kinds)
            try c.encode(patterns, forKey: .patterns)
            try c.encode(recipe, forKey: .recipe)  // null without a recipe, never left out
        }
    }

    /// A skill folder that failed to load.
    public struct Problem: Codable, Sendable, Equatable {
        /// The folder that was skipped.
        public var directory: String
        /// Why it did not load.
        public var reason: String

        /// A skipped folder and why.
        public init(directory: String, reason: String) {
            self.directory = directory
            self.reason = reason
        }
    }

    /// The skills that loaded, by name.
    public var skills: [Entry]
    /// The folders skipped, with why.
    public var problems: [Problem]

    /// The loaded skills and the skipped folders.
    public init(skills: [Entry], problems: [Problem]) {
        self.skills = skills
        self.problems = problems
    }
}

/// `read_docs`: a skill's SKILL.md with its references and prior examples, one reference's text, or (without a
/// skill) the list of skills. Only the fields of the answer given are present.
public struct SkillDocsReport: Codable, Sendable, Equatable {
    /// A skill's name and description (the answer without a skill).
    public struct Entry: Codable, Sendable, Equatable {
        /// The skill's name.
        public var name: String
        /// What it fixes, from its SKILL.md.
        public var description: String

        /// A skill's name and description.
        public init(name: String, description: String) {
            self.name = name
            self.description = description
        }
    }

    /// SKILL.md, a reference's text, or an accepted fix written up as an example.
    public var text: String?
    /// What `reference` can name: the skill's references and `examples/patch-N` of its accepted fixes.
    public var references: [String]?
    /// Accepted fixes of the skill, as text.
    public var priorExamples: [String]?
    /// Every skill, when the call named none.
    public var skills: [Entry]?

    enum CodingKeys: String, CodingKey {
        case text, references, skills
        case priorExamples = "prior_examples"
    }

    /// An answer with the given fields; the others are left out.
    public init(
        text: String? = nil, references: [String]? = nil, priorExamples: [String]? = nil, skills: [Entry]? = nil
    ) {
        self.text = text
        self.references = references
        self.priorExamples = priorExamples
        self.skills = skills
    }
}

/// A validation's figures as tools report them (the A/B benchmark and the tests).
public struct ValidationSummary: Codable, Sendable, Equatable {
    /// Whether the target's tests passed before and after the patch.
    public var testsPassed: Bool
    /// Median before / median after.
    public var speedup: Double?
    /// The 95% bootstrap confidence interval of the speed-up, low then high.
    public var ci95: [Double?]
    /// The Mann–Whitney U test's two-sided p-value.
    public var pValue: Double?
    /// The level the p-value had to meet.
    public var alpha: Double?
    /// The smallest speed-up that counts as a gain.
    public var minSpeedup: Double?
    /// Timed runs per side.
    public var runs: Int
    /// Median wall time of a benchmark run before the patch, in seconds.
    public var beforeMedianSeconds: Double?
    /// Median wall time of a benchmark run after the patch, in seconds.
    public var afterMedianSeconds: Double?
    /// Whether the gain is significant at `alpha` and at least `min_speedup`.
    public var significant: Bool

    enum CodingKeys: String, CodingKey {
        case speedup, ci95, alpha, runs, significant
        case testsPassed = "tests_passed"
        case pValue = "p_value"
        case minSpeedup = "min_speedup"
        case beforeMedianSeconds = "before_median_seconds"
        case afterMedianSeconds = "after_median_seconds"
    }

    /// The summary of a stored validation.
    public init(_ v: ValidationResult) {
        testsPassed = v.testsPassed
        speedup = v.speedup.finite
        ci95 = v.ci95.map(\.finite)
        pValue = v.pValue.finite
        alpha = v.alpha.finite
        minSpeedup = v.minimumSpeedup.finite
        runs = v.beforeSeconds.count
        beforeMedianSeconds = Descriptive.median(v.beforeSeconds).finite
        afterMedianSeconds = Descriptive.median(v.afterSeconds).finite
        significant = v.isSignificantGain
    }
}

/// `get_experiment_results`: the A/B records of validated patches.
public struct ExperimentList: Codable, Sendable, Equatable {
    /// One patch's validation.
    public struct Experiment: Codable, Sendable, Equatable {
        /// The patch's id.
        public var patch: Int64
        /// The skill that made it.
        public var skill: String
        /// The patch's status after validation.
        public var status: PatchRecord.Status
        /// Its validation's figures.
        public var validation: ValidationSummary

        enum CodingKeys: String, CodingKey { case patch, skill, status }

        /// One patch's experiment from its fields.
        public init(patch: Int64, skill: String, status: PatchRecord.Status, validation: ValidationSummary) {
            self.patch = patch
            self.skill = skill
            self.status = status
            self.validation = validation
        }

        /// The validation's figures and the patch's side by side in one object.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            patch = try c.decode(Int64.self, forKey: .patch)
            skill = try c.decode(String.self, forKey: .skill)
            status = try c.decode(PatchRecord.Status.self, forKey: .status)
            validation = try ValidationSummary(from: decoder)
        }

        /// Writes the validation's figures and the patch's fields into one object.
        public func encode(to encoder: any Encoder) throws {
            try validation.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(patch, forKey: .patch)
            try c.encode(skill, forKey: .skill)
            try c.encode(status, forKey: .status)
        }
    }

    /// One record per validated patch.
    public var experiments: [Experiment]

    /// The list of `experiments`.
    public init(experiments: [Experiment]) { self.experiments = experiments }
}

/// `list_opportunities`: opportunities ranked by estimated savings.
public struct OpportunityList: Codable, Sendable, Equatable {
    /// The opportunities, largest estimated saving first, each with its accepted prior examples.
    public var opportunities: [Opportunity]

    /// The list of `opportunities`.
    public init(opportunities: [Opportunity]) { self.opportunities = opportunities }
}

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
