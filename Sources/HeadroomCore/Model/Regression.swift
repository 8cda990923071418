/// Which cost of a function a series measures.
public enum CostMetric: String, Sendable, Codable, CaseIterable {
    /// Samples whose leaf is the function.
    case selfShare = "self"
    /// Samples with the function anywhere on the stack.
    case totalShare = "total"
}

/// A detected, significant and persistent change of one function's cost share.
public struct Regression: Sendable, Codable, Equatable {
    /// A rise in cost, or a fall.
    public enum Kind: String, Sendable, Codable { case regression, improvement }

    /// The regression's id, once stored.
    public var id: Int64?
    /// The service it was detected in.
    public var service: String
    /// The function whose cost changed.
    public var function: FunctionRef
    /// Self or total share.
    public var metric: CostMetric
    /// Index (0-based) of the first bucket of the new segment in the service's bucket sequence.
    public var index: Int
    /// Start time (Unix seconds) of the first bucket of the new segment.
    public var timestamp: Int64
    /// Start time of the last bucket before the change: the onset lies in (previousTimestamp, timestamp].
    public var previousTimestamp: Int64
    /// The share before the change.
    public var before: Double
    /// The share after it.
    public var after: Double
    /// `(after − before) / before`; infinite for a function that appears from nothing.
    public var relativeChange: Double { before > 0 ? (after - before) / before : .infinity }
    /// The change's p-value.
    public var pValue: Double
    /// 1 − p, clamped to [0, 1].
    public var confidence: Double
    /// A rise or a fall.
    public var kind: Kind
    /// Other functions whose change is the same event (ancestors whose total rose with this one, self/total twins).
    public var members: [RegressionMember]
    /// Minimum detectable effect of the split (share units) and the change measured in it; nil for rows stored
    /// before severity was recorded.
    public var mde: Double?
    /// The change in units of `mde`.
    public var effect: Double?
    /// A person's verdict on it, if one was given (`headroom triage`, the API's ack/invalid).
    public var triage: Triage?

    /// A regression from its fields.
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
    /// The other function.
    public var function: FunctionRef
    /// Its metric.
    public var metric: CostMetric
    /// Its share before.
    public var before: Double
    /// Its share after.
    public var after: Double
    /// A member from its fields.
    public init(function: FunctionRef, metric: CostMetric, before: Double, after: Double) {
        self.function = function
        self.metric = metric
        self.before = before
        self.after = after
    }
}

extension Regression {
    /// A regression nobody has silenced at `time`: no verdict, or a snooze that has run out.
    public func isOpen(at time: Int64 = Timestamps.now()) -> Bool { !(triage?.silences(at: time) ?? false) }
}
