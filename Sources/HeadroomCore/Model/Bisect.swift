/// One commit measured during a bisection: its median over `runs` and the verdict.
public struct BisectStep: Sendable, Codable, Equatable {
    public var commit: String
    public var median: Double
    public var runs: Int
    /// `good`, `bad`, or `end` for the two ends.
    public var verdict: String

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
    public var reason: String
    public var pValue: Double
    public var goodMedian: Double
    public var badMedian: Double
    public var steps: [BisectStep]

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
