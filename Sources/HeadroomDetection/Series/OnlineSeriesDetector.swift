import Foundation
import HeadroomCore

/// Change detection as points arrive, for a server that sees one bucket at a time.
///
/// State: the last `window` points (and their times). Each `append` re-runs the batch `SeriesAnalyzer` over that
/// window — the same code path, so online and batch can never disagree about what the window shows — and returns
/// the events that appear for the first time (matched by kind and onset within `minimumSegment` points of an event
/// already announced) and have shown in `confirmations` consecutive analyses. An announcement is never withdrawn;
/// `current` is always the batch view of the window.
/// Cost: one analysis per point, tens of microseconds for a few hundred points.
///
/// Timing follows from the batch rules: a change is announced once `2·minimumSegment` points have followed it
/// (the edge rule), a transient once it has come back, and a persistent change that later comes back within the
/// horizon is announced first as a regression or improvement (that is what was known then) and then as a transient.
public final class OnlineSeriesDetector {
    public let analyzer: SeriesAnalyzer
    public let window: Int
    private var values: [Double] = []
    private var times: [Int64] = []
    /// Points seen since the start (the global index of `values[0]` is `seen - values.count`).
    public private(set) var seen = 0
    private var announced: [(kind: SeriesEvent.Kind, index: Int)] = []
    /// Events seen in the window but not yet announced, with how many consecutive analyses showed them.
    private var pending: [(kind: SeriesEvent.Kind, index: Int, streak: Int)] = []
    /// Consecutive analyses an event must survive before it is announced: one analysis per point is a new test
    /// each time, and a fluctuation that crosses the threshold once rarely does so `minimumSegment` times running.
    public var confirmations: Int
    private let workspace = SeriesWorkspace()

    public init(configuration: SeriesAnalysisConfiguration = SeriesAnalysisConfiguration(), window: Int = 336) {
        analyzer = SeriesAnalyzer(configuration: configuration)
        self.window = max(window, 4 * configuration.minimumSegment)
        confirmations = configuration.minimumSegment
    }

    /// An event with its onset as a global point index (counted from the first point ever appended).
    public struct Announcement: Sendable, Equatable {
        public var event: SeriesEvent
        /// Points between the onset and the announcement (the detection delay).
        public var delay: Int
    }

    /// Points needed before anything is announced: three days when the points are timed at a whole fraction of a
    /// day (so the daily cycle is known and removed first), else `8·minimumSegment`. Events in the warm-up are
    /// announced as soon as it ends.
    public var warmup: Int {
        let fallback = 8 * analyzer.configuration.minimumSegment
        guard times.count >= 2, let step = FleetDetector.interval(times[...]), step > 0, 86_400 % step == 0 else {
            return min(window, fallback)
        }
        return min(window, max(fallback, 3 * Int(86_400 / step)))
    }

    /// Whether an event of this kind near this global index is waiting for its confirmations.
    public func isPending(_ kind: SeriesEvent.Kind, at index: Int) -> Bool {
        pending.contains { $0.kind == kind && abs($0.index - index) <= analyzer.configuration.minimumSegment }
    }

    /// Adds one point (time in Unix seconds, for seasonality) and returns the events that are new.
    public func append(_ value: Double, time: Int64? = nil) -> [Announcement] {
        values.append(value)
        if let time { times.append(time) }
        seen += 1
        if values.count > window {
            values.removeFirst(values.count - window)
            if times.count > window { times.removeFirst(times.count - window) }
        }
        let offset = seen - values.count
        guard values.count >= warmup else { return [] }
        var fresh: [Announcement] = []
        let tolerance = analyzer.configuration.minimumSegment
        var stillPending: [(kind: SeriesEvent.Kind, index: Int, streak: Int)] = []
        for var event in current().events {
            event.index += offset
            event.endIndex = event.endIndex.map { $0 + offset }
            guard !announced.contains(where: { $0.kind == event.kind && abs($0.index - event.index) <= tolerance })
            else {
                continue
            }
            let streak =
                1 + (pending.first { $0.kind == event.kind && abs($0.index - event.index) <= tolerance }?.streak ?? 0)
            if streak >= confirmations {
                announced.append((event.kind, event.index))
                fresh.append(Announcement(event: event, delay: seen - 1 - event.index))
            } else {
                stillPending.append((event.kind, event.index, streak))
            }
        }
        pending = stillPending
        return fresh
    }

    /// The batch analysis of the points in the window (indices relative to the window's first point).
    public func current() -> SeriesAnalysis {
        let (grid, interval) = times.count == values.count ? FleetDetector.grid(times[...]) : (nil, nil)
        return analyzer.analyze(values, grid: grid, interval: interval, workspace: workspace)
    }
}
