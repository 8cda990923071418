import HeadroomCore
import HeadroomDetection
import HeadroomStore
import Logging

/// Runs regression detection over the store and saves the result.
public struct DetectionService: Sendable {
    /// The store whose profiles are analysed and where regressions go.
    public let store: Store
    /// The detector's settings (levels, floors, filters).
    public var configuration: DetectionConfiguration
    /// Each service's run logs at info: functions, buckets, regressions found, events the filters removed, time.
    public var logger: Logger

    /// A service over `store`, logging each run to `logger`.
    public init(
        store: Store, configuration: DetectionConfiguration = DetectionConfiguration(),
        logger: Logger = EngineLog.disabled("headroom.detect")
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// The function-level series of one service, aligned on its buckets.
    public func series(service: String) throws -> ServiceSeries {
        Self.series(
            service: service, timeline: try store.timeline(service: service),
            edges: try store.callEdgeBuckets(service: service))
    }

    /// A service's series from its timeline and call edges, as any `DetectionStore` gives them.
    static func series(
        service: String, timeline: ServiceTimeline,
        edges callEdges: [(caller: FunctionRef, callee: FunctionRef, bucket: Int64, samples: Int64)]
    ) -> ServiceSeries {
        let times = timeline.buckets.map(\.time)
        let position = Dictionary(uniqueKeysWithValues: times.enumerated().map { ($1, $0) })
        var functions: [FunctionRef: (selfCounts: [Int64], totalCounts: [Int64])] = [:]
        for (function, buckets) in timeline.functions {
            var selfCounts = [Int64](repeating: 0, count: times.count)
            var totalCounts = selfCounts
            for bucket in buckets {
                guard let i = position[bucket.bucket] else { continue }
                selfCounts[i] = bucket.selfSamples
                totalCounts[i] = bucket.totalSamples
            }
            functions[function] = (selfCounts, totalCounts)
        }
        var callees: [FunctionRef: Set<FunctionRef>] = [:]
        var edges: [ServiceSeries.CallEdge: [Int64]] = [:]
        for edge in callEdges {
            callees[edge.caller, default: []].insert(edge.callee)
            guard let i = position[edge.bucket] else { continue }
            edges[
                ServiceSeries.CallEdge(caller: edge.caller, callee: edge.callee),
                default: [Int64](repeating: 0, count: times.count)][i] += edge.samples
        }
        return ServiceSeries(
            service: service, times: times, totals: timeline.buckets.map(\.total),
            functions: functions, callees: callees, edges: edges)
    }

    /// Detects one service's regressions in any engine's store (PostgreSQL in team mode) and replaces its stored
    /// set there, as `run(service:)` does in this service's own store; returns them with their ids.
    public func detect(service: String, in source: any DetectionStore) async throws -> [Regression] {
        try await Self.detect(service: service, in: source, configuration: configuration, logger: logger)
    }

    /// Detects one service's regressions in `source` with `configuration` and replaces its stored set there.
    public static func detect(
        service: String, in source: any DetectionStore, configuration: DetectionConfiguration,
        logger: Logger = EngineLog.disabled("headroom.detect")
    ) async throws -> [Regression] {
        try await detectWithFiltered(service: service, in: source, configuration: configuration, logger: logger)
            .regressions
    }

    /// Like `detect(service:in:configuration:logger:)`, also returning the events the filters removed (not stored).
    public static func detectWithFiltered(
        service: String, in source: any DetectionStore, configuration: DetectionConfiguration,
        logger: Logger = EngineLog.disabled("headroom.detect")
    ) async throws -> (regressions: [Regression], filtered: [RegressionDetector.Filtered]) {
        let started = ContinuousClock.now
        let series = Self.series(
            service: service, timeline: try await source.timeline(service: service, from: nil, to: nil),
            edges: try await source.callEdgeBuckets(service: service))
        let found = RegressionDetector(configuration: configuration).detectWithFiltered(series)
        let stored = try await source.replaceRegressions(service: service, with: found.regressions)
        logger.info(
            "detection run",
            metadata: [
                "service": "\(service)", "functions": "\(series.functions.count)", "buckets": "\(series.times.count)",
                "regressions": "\(found.regressions.filter { $0.kind == .regression }.count)",
                "filtered": "\(found.filtered.count)", "seconds": EngineLog.seconds(since: started),
            ])
        return (stored, found.filtered)
    }

    /// Detects regressions of every service (or one) and replaces the stored set; returns them with ids.
    public func run(service: String? = nil) throws -> [Regression] { try runWithFiltered(service: service).regressions }

    /// Like `run`, also returning the events the cost-shift filter removed (not stored).
    public func runWithFiltered(service: String? = nil) throws
        -> (regressions: [Regression], filtered: [RegressionDetector.Filtered])
    {
        let services =
            try service.map {
                try store.requireService($0); return [$0]
            } ?? store.services()
        let detector = RegressionDetector(configuration: configuration)
        var all: [Regression] = []
        var filtered: [RegressionDetector.Filtered] = []
        for name in services {
            let started = ContinuousClock.now
            let series = try series(service: name)
            let found = detector.detectWithFiltered(series)
            all += try store.replaceRegressions(service: name, with: found.regressions)
            filtered += found.filtered
            logger.info(
                "detection run",
                metadata: [
                    "service": "\(name)", "functions": "\(series.functions.count)", "buckets": "\(series.times.count)",
                    "regressions": "\(found.regressions.filter { $0.kind == .regression }.count)",
                    "improvements": "\(found.regressions.filter { $0.kind == .improvement }.count)",
                    "filtered": "\(found.filtered.count)", "seconds": EngineLog.seconds(since: started),
                ])
        }
        return (all, filtered)
    }
}
