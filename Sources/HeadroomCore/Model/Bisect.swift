/// One commit measured during a bisection: its median over `runs` and the verdict.
public struct BisectStep: Sendable, Codable, Equatable {
    /// The commit measured.
    public var commit: String
    /// The median of its benchmark runs (the command's last number, else wall seconds).
    public var median: Double
    /// How many runs the median is of.
    public var runs: Int
    /// `good`, `bad`, or `end` for the two ends.
    public var verdict: String

    /// A step from its fields.
    public init(commit: String, median: Double, runs: Int, verdict: String) {
        self.commit = commit
        self.median = median
        self.runs = runs
        self.verdict = verdict
    }
}

/// What a bisection found (`rootcause --bisect`): the first bad commit, the ends' medians and every step.
public struct BisectOutcome: Sendable, Codable, Equatable {
    /// The first bad commit, or nil when the ends do not differ significantly.
    public var culprit: String?
    /// Why the bisection ended where it did, in a sentence.
    public var reason: String
    /// The Mann–Whitney p-value of the two ends' runs.
    public var pValue: Double
    /// The median at the good end.
    public var goodMedian: Double
    /// The median at the bad end.
    public var badMedian: Double
    /// Every commit measured, the two ends first.
    public var steps: [BisectStep]

    /// An outcome from its fields.
    public init(
        culprit: String?, reason: String, pValue: Double, goodMedian: Double, badMedian: Double, steps: [BisectStep]
    ) {
        self.culprit = culprit
        self.reason = reason
        self.pValue = pValue
        self.goodMedian = goodMedian
        self.badMedian = badMedian
        self.steps = steps
    }

    // snake_case whatever the encoder: the CLI and the tools write the same keys.
    enum CodingKeys: String, CodingKey {
        case culprit, reason, steps
        case pValue = "p_value"
        case goodMedian = "good_median"
        case badMedian = "bad_median"
    }
}
