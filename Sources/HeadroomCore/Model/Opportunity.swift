/// An efficiency opportunity: measured cost in a function, a pattern that explains it, and the skill that fixes it.
public struct Opportunity: Sendable, Codable, Equatable {
    /// The opportunity's id, once stored.
    public var id: Int64?
    /// The service whose profiles measured it.
    public var service: String
    /// The function (qualified name).
    public var function: String
    /// Repository-relative path.
    public var file: String
    /// The 1-based line the pattern is at.
    public var line: Int
    /// `regex-compile`, `logging`, `serialization`, `loop-invariant`, `memoize`, `client-construction`,
    /// `exception-control-flow`, `membership`, `string-concat`, `constant-parse`.
    public var pattern: String
    /// The skill whose metadata lists the pattern, if one does.
    public var skill: String?
    /// Measured share of the service's CPU the pattern costs.
    public var share: Double
    /// What `share` measures: `pattern-frames` (samples in the pattern's library frames under the function),
    /// `function-total` or `function-self`.
    public var shareBasis: String
    /// `share` in cores under the cost model's fleet size.
    public var cores: Double
    /// `share` in watts.
    public var watts: Double
    /// Expected saving if fixed: `share` × the pattern's typical reduction, in cores.
    public var savingsCores: Double
    /// The expected saving in watts.
    public var savingsWatts: Double
    /// What the pattern is, in a line.
    public var detail: String
    /// Why the skill's recipe would refuse, when the scanner already knows.
    public var blocked: String?
    /// The repository's root.
    public var repository: String
    /// How the share was measured, lines a person can check.
    public var evidence: [String]
    /// What a fix must show to be surfaced.
    public var validationCriteria: [String]
    /// Accepted fixes of the same skill (patch ids and branches).
    public var priorExamples: [String]

    /// An opportunity from its fields.
    public init(
        id: Int64? = nil, service: String, function: String, file: String, line: Int, pattern: String, skill: String?,
        share: Double, shareBasis: String, cores: Double, watts: Double, savingsCores: Double, savingsWatts: Double,
        detail: String, blocked: String?, repository: String, evidence: [String], validationCriteria: [String],
        priorExamples: [String] = []
    ) {
        self.id = id
        self.service = service
        self.function = function
        self.file = file
        self.line = line
        self.pattern = pattern
        self.skill = skill
        self.share = share
        self.shareBasis = shareBasis
        self.cores = cores
        self.watts = watts
        self.savingsCores = savingsCores
        self.savingsWatts = savingsWatts
        self.detail = detail
        self.blocked = blocked
        self.repository = repository
        self.evidence = evidence
        self.validationCriteria = validationCriteria
        self.priorExamples = priorExamples
    }
}

/// One step of an agent's work, stored with the patch it led to.
public struct TranscriptStep: Sendable, Codable, Equatable {
    /// What a step records.
    public enum Kind: String, Sendable, Codable {
        /// A tool call through the registry, with its input and output.
        case tool
        /// A choice the agent made, and why.
        case decision
        /// How the run ended.
        case result
        /// A model call (the LLM brain), or its failure.
        case llm
    }

    /// What the step records.
    public var kind: Kind
    /// The tool called, for a `tool` step.
    public var tool: String?
    /// The call's arguments.
    public var input: JSONValue?
    /// The call's answer, or a digest of a large one.
    public var output: JSONValue?
    /// `ok`, an error line, a decision, or the result.
    public var note: String
    /// How long the step took.
    public var milliseconds: Double

    /// A step from its fields.
    public init(
        kind: Kind, tool: String? = nil, input: JSONValue? = nil, output: JSONValue? = nil, note: String,
        milliseconds: Double = 0
    ) {
        self.kind = kind
        self.tool = tool
        self.input = input
        self.output = output
        self.note = note
        self.milliseconds = milliseconds
    }
}
