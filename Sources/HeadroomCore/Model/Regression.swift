/// Which cost of a function a series measures.
public enum CostMetric: String, Sendable, Codable, CaseIterable {
    /// Samples whose leaf is the function.
    case selfShare = "self"
    /// Samples with the function anywhere on the stack.
    case totalShare = "total"
}

/// A detected, significant and persistent change of one function's cost share.
public struct Regression: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case regression, improvement }

    public var id: Int64?
    public var service: String
    public var function: FunctionRef
    public var metric: CostMetric
    /// Index (0-based) of the first bucket of the new segment in the service's bucket sequence.
    public var index: Int
    /// Start time (Unix seconds) of the first bucket of the new segment.
    public var timestamp: Int64
    /// Start time of the last bucket before the change: the onset lies in (previousTimestamp, timestamp].
    public var previousTimestamp: Int64
    public var before: Double
    public var after: Double
    public var relativeChange: Double { before > 0 ? (after - before) / before : .infinity }
    public var pValue: Double
    /// 1 − p, clamped to [0, 1].
    public var confidence: Double
    public var kind: Kind
    /// Other functions whose change is the same event (ancestors whose total rose with this one, self/total twins).
    public var members: [RegressionMember]
    /// Minimum detectable effect of the split (share units) and the change measured in it; nil for rows stored
    /// before severity was recorded.
    public var mde: Double?
    public var effect: Double?
    /// A person's verdict on it, if one was given (`headroom triage`, the API's ack/invalid).
    public var triage: Triage?

    public init(
        id: Int64? = nil, service: String, function: FunctionRef, metric: CostMetric, index: Int, timestamp: Int64,
        previousTimestamp: Int64, before: Double, after: Double, pValue: Double, confidence: Double, kind: Kind,
        members: [RegressionMember] = [], mde: Double? = nil, effect: Double? = nil
    ) {
        self.mde = mde
        self.effect = effect
        self.id = id
        self.service = service
        self.function = function
        self.metric = metric
        self.index = index
        self.timestamp = timestamp
        self.previousTimestamp = previousTimestamp
        self.before = before
        self.after = after
        self.pValue = pValue
        self.confidence = confidence
        self.kind = kind
        self.members = members
    }
}

/// A function whose change belongs to a regression's event.
public struct RegressionMember: Sendable, Codable, Equatable {
    public var function: FunctionRef
    public var metric: CostMetric
    public var before: Double
    public var after: Double
    public init(function: FunctionRef, metric: CostMetric, before: Double, after: Double) {
        self.function = function
        self.metric = metric
        self.before = before
        self.after = after
    }
}
