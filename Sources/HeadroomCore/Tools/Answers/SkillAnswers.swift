// The answers of the skill, experiment and opportunity tools (`list_skills`, `read_docs`, `get_experiment_results`,
// `list_opportunities`).
// Conventions for every answer (keys, nulls, times) are on ToolSignature, in ../ToolName.swift.

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
