/// The outcome of testing and benchmarking a patch.
public struct ValidationResult: Sendable, Codable, Equatable {
    public var testsPassed: Bool
    /// median(before) / median(after); above 1 means faster.
    public var speedup: Double
    public var ci95: [Double]
    public var pValue: Double
    public var beforeSeconds: [Double]
    public var afterSeconds: [Double]
    public var isSignificantGain: Bool { testsPassed && pValue < 0.05 && speedup > 1 && (ci95.first ?? 0) > 1 }
    public init(
        testsPassed: Bool, speedup: Double, ci95: [Double], pValue: Double, beforeSeconds: [Double],
        afterSeconds: [Double]
    ) {
        self.testsPassed = testsPassed
        self.speedup = speedup
        self.ci95 = ci95
        self.pValue = pValue
        self.beforeSeconds = beforeSeconds
        self.afterSeconds = afterSeconds
    }
}

/// A candidate fix and what happened to it.
public struct PatchRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case delivered, refused, failed }
    public var id: Int64?
    public var regressionID: Int64?
    public var skill: String
    public var repository: String
    public var branch: String?
    public var baseCommit: String
    public var diff: String
    public var prDescription: String?
    public var status: Status
    public var reason: String?
    public var validation: ValidationResult?
    public init(
        id: Int64? = nil, regressionID: Int64?, skill: String, repository: String, branch: String?,
        baseCommit: String, diff: String, prDescription: String?, status: Status, reason: String?,
        validation: ValidationResult?
    ) {
        self.id = id
        self.regressionID = regressionID
        self.skill = skill
        self.repository = repository
        self.branch = branch
        self.baseCommit = baseCommit
        self.diff = diff
        self.prDescription = prDescription
        self.status = status
        self.reason = reason
        self.validation = validation
    }
}
