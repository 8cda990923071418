/// One detected regression or improvement as every adapter reports it: `headroom detect --format json`, the MCP
/// tools `list_regressions` and `get_regression`, and the HTTP API all encode this value, so the shapes cannot
/// drift apart.
///
/// Contract: times are ISO-8601 UTC text; a number that is not finite is `null` (a regression from zero has
/// `before: 0` and `relative_change: null`; its size is `absolute_change` and `cores`). Fields may be added, never
/// renamed.
public struct RegressionReport: Codable, Sendable, Equatable {
    /// A function whose change is the same event, with its own shares.
    public struct MemberChange: Codable, Sendable, Equatable {
        /// The other function's qualified name.
        public var function: String
        /// Its file, when known.
        public var file: String?
        /// Its metric.
        public var metric: CostMetric
        /// Its share before.
        public var before: Double
        /// Its share after.
        public var after: Double
    }

    /// The regression's id; `null` for one detected but not stored.
    public var id: Int64?
    /// `service:function:metric`, the series name `detect --series` uses.
    public var series: String
    /// The service.
    public var service: String
    /// The function's qualified name.
    public var function: String
    /// Its file, when the profile names one.
    public var file: String?
    /// Self or total share.
    public var metric: CostMetric
    /// 0-based index of the first bucket of the new level in the service's bucket sequence.
    public var index: Int
    /// Start of the first bucket at the new level: the onset lies in (`previous_timestamp`, `timestamp`].
    public var timestamp: String
    /// End of the last bucket at the old level.
    public var previousTimestamp: String
    /// The same instant as `timestamp` (kept for readers of the first MCP shape).
    public var onset: String
    /// The share before.
    public var before: Double
    /// The share after.
    public var after: Double
    /// (after − before) / before; `nil` (JSON `null`) when `before` is 0.
    public var relativeChange: Double?
    /// `after − before`, in share units: what ranks regressions.
    public var absoluteChange: Double
    /// Regression or improvement.
    public var kind: Regression.Kind
    /// 1 − p, floored at 0.
    public var confidence: Double
    /// The change's p-value.
    public var pValue: Double
    /// Minimum detectable effect of the split, in share units, and the change measured in it.
    public var mde: Double?
    /// The change in units of `mde`.
    public var effectMDE: Double?
    /// The change in cores and watts under `fleet_cores` (the configured cores behind a share of 1.0).
    public var cores: Double
    /// The change in watts.
    public var watts: Double
    /// The fleet size behind `cores`.
    public var fleetCores: Double
    /// `profile` when `fleet_cores` is the service's cores measured by its profiles, `fleet` when configured.
    public var coresBasis: CostModel.Basis
    /// The other functions of the event as `function:metric`, largest change first.
    public var members: [String]
    /// The other functions of the event with their own shares.
    public var memberChanges: [MemberChange]
    /// A person's verdict (acknowledged or invalid), `null` while there is none.
    public var triage: Triage.Report?

    enum CodingKeys: String, CodingKey {
        case id, series, service, function, file, metric, index, timestamp, onset, before, after, kind, confidence, mde
        case cores, watts, members, triage
        case previousTimestamp = "previous_timestamp"
        case relativeChange = "relative_change"
        case absoluteChange = "absolute_change"
        case pValue = "p_value"
        case effectMDE = "effect_mde"
        case fleetCores = "fleet_cores"
        case coresBasis = "cores_basis"
        case memberChanges = "member_changes"
    }

    /// The report of a stored or freshly detected regression under a cost model.
    public init(_ r: Regression, costs: CostModel) {
        let delta = r.after - r.before
        id = r.id
        series = "\(r.service):\(r.function.name):\(r.metric.rawValue)"
        service = r.service
        function = r.function.name
        file = r.function.file
        metric = r.metric
        index = r.index
        timestamp = Timestamps.format(r.timestamp)
        previousTimestamp = Timestamps.format(r.previousTimestamp)
        onset = timestamp
        before = r.before
        after = r.after
        relativeChange = r.relativeChange.finite
        absoluteChange = delta
        kind = r.kind
        confidence = r.confidence
        pValue = r.pValue
        mde = r.mde.finite
        effectMDE = r.effect.finite
        cores = costs.cores(forShare: delta)
        watts = costs.watts(forShare: delta)
        fleetCores = costs.fleetCores
        coresBasis = costs.basis
        members = r.members.map { "\($0.function.name):\($0.metric.rawValue)" }
        memberChanges = r.members.map {
            MemberChange(
                function: $0.function.name, file: $0.function.file, metric: $0.metric, before: $0.before,
                after: $0.after)
        }
        triage = r.triage?.report
    }

    /// Reads what ``encode(to:)`` writes: a number written as `null` (it was not finite) reads back as NaN.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        id = try c.decodeIfPresent(Int64.self, forKey: .id)
        series = try c.decode(String.self, forKey: .series)
        service = try c.decode(String.self, forKey: .service)
        function = try c.decode(String.self, forKey: .function)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        metric = try c.decode(CostMetric.self, forKey: .metric)
        index = try c.decode(Int.self, forKey: .index)
        timestamp = try c.decode(String.self, forKey: .timestamp)
        previousTimestamp = try c.decode(String.self, forKey: .previousTimestamp)
        onset = try c.decode(String.self, forKey: .onset)
        before = try number(.before)
        after = try number(.after)
        relativeChange = try c.decodeIfPresent(Double.self, forKey: .relativeChange)
        absoluteChange = try number(.absoluteChange)
        kind = try c.decode(Regression.Kind.self, forKey: .kind)
        confidence = try number(.confidence)
        pValue = try number(.pValue)
        mde = try c.decodeIfPresent(Double.self, forKey: .mde)
        effectMDE = try c.decodeIfPresent(Double.self, forKey: .effectMDE)
        cores = try number(.cores)
        watts = try number(.watts)
        fleetCores = try number(.fleetCores)
        coresBasis = try c.decodeIfPresent(CostModel.Basis.self, forKey: .coresBasis) ?? .fleet
        members = try c.decode([String].self, forKey: .members)
        memberChanges = try c.decode([MemberChange].self, forKey: .memberChanges)
        triage = try c.decodeIfPresent(Triage.Report.self, forKey: .triage)
    }

    /// Every key is written, absent values as `null`, so readers see one shape whatever the values.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(series, forKey: .series)
        try c.encode(service, forKey: .service)
        try c.encode(function, forKey: .function)
        try c.encode(file, forKey: .file)
        try c.encode(metric, forKey: .metric)
        try c.encode(index, forKey: .index)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(previousTimestamp, forKey: .previousTimestamp)
        try c.encode(onset, forKey: .onset)
        try c.encode(before.finite, forKey: .before)
        try c.encode(after.finite, forKey: .after)
        try c.encode(relativeChange.finite, forKey: .relativeChange)
        try c.encode(absoluteChange.finite, forKey: .absoluteChange)
        try c.encode(kind, forKey: .kind)
        try c.encode(confidence.finite, forKey: .confidence)
        try c.encode(pValue.finite, forKey: .pValue)
        try c.encode(mde.finite, forKey: .mde)
        try c.encode(effectMDE.finite, forKey: .effectMDE)
        try c.encode(cores.finite, forKey: .cores)
        try c.encode(watts.finite, forKey: .watts)
        try c.encode(fleetCores.finite, forKey: .fleetCores)
        try c.encode(coresBasis, forKey: .coresBasis)
        try c.encode(members, forKey: .members)
        try c.encode(memberChanges, forKey: .memberChanges)
        try c.encode(triage, forKey: .triage)
    }

    /// The onset bounds in Unix seconds.
    public var onsetBounds: (after: Int64, atOrBefore: Int64)? {
        guard let start = Timestamps.parse(previousTimestamp), let end = Timestamps.parse(timestamp) else { return nil }
        return (start, end)
    }
}

extension Regression {
    /// The relative change as people read it (`+552.0%`), or `new` for a function that appears from nothing.
    public func relativeChangeText(decimals: Int = 1) -> String {
        Self.relativeChangeText(relativeChange.finite, decimals: decimals)
    }

    /// `+552.0%` for a finite relative change, `new` for none.
    public static func relativeChangeText(_ change: Double?, decimals: Int = 1) -> String {
        change.map { String(format: "%+.\(decimals)f%%", $0 * 100) } ?? "new"
    }

    /// The order every list of regressions uses: the largest absolute change in share first (a regression from
    /// zero has no relative change, so size is what ranks), then by function name.
    public static func bySeverity(_ a: Regression, _ b: Regression) -> Bool {
        let x = abs(a.after - a.before)
        let y = abs(b.after - b.before)
        return x != y ? x > y : (a.function.name, a.metric.rawValue) < (b.function.name, b.metric.rawValue)
    }
}

extension Double {
    /// The value, or nil when it is infinite or NaN (JSON has no such numbers; they are `null`).
    public var finite: Double? { isFinite ? self : nil }
}

extension Optional where Wrapped == Double {
    /// The value, or nil when absent, infinite or NaN.
    public var finite: Double? { flatMap(\.finite) }
}
