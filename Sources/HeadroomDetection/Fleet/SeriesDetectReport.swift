import HeadroomCore

/// `headroom detect --series` as one answer: the fleet's changes (each with the other series of the same event),
/// its transients and a summary. The CLI encodes this value; its keys are snake_case whatever the encoder, numbers
/// that are not finite are `null` and times ISO-8601 UTC (`null` for series without timestamps).
public struct SeriesDetectReport: Codable, Sendable, Equatable {
    /// A series of the same event as a change's lead.
    public struct Member: Codable, Sendable, Equatable {
        public var series: String
        /// 0-based row of the first point at the new level.
        public var index: Int
        public var timestamp: String?
        public var before: Double?
        public var after: Double?
        public var effectMDE: Double?

        enum CodingKeys: String, CodingKey {
            case series, index, timestamp, before, after
            case effectMDE = "effect_mde"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(series, forKey: .series)
            try c.encode(index, forKey: .index)
            try c.encode(timestamp, forKey: .timestamp)
            try c.encode(before, forKey: .before)
            try c.encode(after, forKey: .after)
            try c.encode(effectMDE, forKey: .effectMDE)
        }
    }

    /// One change (a regression or an improvement), its size and the series that moved with it.
    public struct Change: Codable, Sendable, Equatable {
        /// 1-based rank in the report.
        public var id: Int
        public var series: String
        public var index: Int
        public var timestamp: String?
        public var before: Double?
        public var after: Double?
        /// `null` when `before` is 0.
        public var relativeChange: Double?
        public var absoluteChange: Double?
        /// `regression` or `improvement`.
        public var kind: String
        public var confidence: Double?
        public var pValue: Double?
        public var mde: Double?
        public var effectMDE: Double?
        /// The change in cores and watts; present only under a fleet size (`--fleet-cores`).
        public var cores: Double?
        public var watts: Double?
        public var members: [Member]

        enum CodingKeys: String, CodingKey {
            case id, series, index, timestamp, before, after, kind, confidence, mde, cores, watts, members
            case relativeChange = "relative_change"
            case absoluteChange = "absolute_change"
            case pValue = "p_value"
            case effectMDE = "effect_mde"
        }

        /// Every key is written (absent values as `null`) except `cores` and `watts`, which only a fleet size gives.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(series, forKey: .series)
            try c.encode(index, forKey: .index)
            try c.encode(timestamp, forKey: .timestamp)
            try c.encode(before, forKey: .before)
            try c.encode(after, forKey: .after)
            try c.encode(relativeChange, forKey: .relativeChange)
            try c.encode(absoluteChange, forKey: .absoluteChange)
            try c.encode(kind, forKey: .kind)
            try c.encode(confidence, forKey: .confidence)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(mde, forKey: .mde)
            try c.encode(effectMDE, forKey: .effectMDE)
            try c.encodeIfPresent(cores, forKey: .cores)
            try c.encodeIfPresent(watts, forKey: .watts)
            try c.encode(members, forKey: .members)
        }
    }

    /// A level that left and came back: `before` is the level around it, `during` the level inside it.
    public struct Transient: Codable, Sendable, Equatable {
        public var series: String
        public var index: Int
        public var endIndex: Int?
        public var timestamp: String?
        public var endTimestamp: String?
        public var before: Double?
        public var during: Double?
        public var effectMDE: Double?

        enum CodingKeys: String, CodingKey {
            case series, index, timestamp, before, during
            case endIndex = "end_index"
            case endTimestamp = "end_timestamp"
            case effectMDE = "effect_mde"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(series, forKey: .series)
            try c.encode(index, forKey: .index)
            try c.encode(endIndex, forKey: .endIndex)
            try c.encode(timestamp, forKey: .timestamp)
            try c.encode(endTimestamp, forKey: .endTimestamp)
            try c.encode(before, forKey: .before)
            try c.encode(during, forKey: .during)
            try c.encode(effectMDE, forKey: .effectMDE)
        }
    }

    /// What the run covered.
    public struct Summary: Codable, Sendable, Equatable {
        public var series: Int
        public var points: Int
        public var seasonalSeries: Int
        public var regressions: Int
        public var transients: Int
        /// Statistically significant changes left out for being below the practical-size floor.
        public var belowFloor: Int
        public var seconds: Double?

        enum CodingKeys: String, CodingKey {
            case series, points, regressions, transients, seconds
            case seasonalSeries = "seasonal_series"
            case belowFloor = "below_floor"
        }
    }

    public var regressions: [Change]
    public var transients: [Transient]
    public var summary: Summary

    /// The report of a fleet run that took `seconds`; cores and watts only under `costs`.
    public init(_ report: FleetReport, costs: CostModel?, seconds: Double) {
        func time(_ value: Int64?) -> String? { value.map(Timestamps.format) }
        regressions = report.regressions.enumerated().map { n, group in
            let e = group.lead
            return Change(
                id: n + 1, series: e.series, index: e.row, timestamp: time(e.time), before: e.event.before.finite,
                after: e.event.after.finite, relativeChange: e.event.relativeChange.finite,
                absoluteChange: e.event.absoluteChange.finite, kind: e.event.kind.rawValue,
                confidence: max(0, 1 - e.event.pValue).finite, pValue: e.event.pValue.finite, mde: e.event.mde.finite,
                effectMDE: e.event.effect.finite,
                cores: costs.map { $0.cores(forShare: e.event.absoluteChange) }.finite,
                watts: costs.map { $0.watts(forShare: e.event.absoluteChange) }.finite,
                members: group.members.map {
                    Member(
                        series: $0.series, index: $0.row, timestamp: time($0.time), before: $0.event.before.finite,
                        after: $0.event.after.finite, effectMDE: $0.event.effect.finite)
                })
        }
        transients = report.transients.map {
            Transient(
                series: $0.series, index: $0.row, endIndex: $0.endRow, timestamp: time($0.time),
                endTimestamp: time($0.endTime), before: $0.event.before.finite, during: $0.event.after.finite,
                effectMDE: $0.event.effect.finite)
        }
        summary = Summary(
            series: report.seriesCount, points: report.pointCount, seasonalSeries: report.seasonalCount,
            regressions: report.regressions.count, transients: report.transients.count,
            belowFloor: report.belowFloorCount, seconds: seconds.finite)
    }
}
