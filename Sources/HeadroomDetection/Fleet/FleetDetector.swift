import Foundation
import HeadroomCore

/// One event of one series of a fleet, placed in the series' rows and time.
public struct FleetSeriesEvent: Sendable, Equatable {
    public var series: String
    public var event: SeriesEvent
    /// Row of the first point of the new segment within the series (0-based, counting missing rows).
    public var row: Int
    /// Transients: the row where the level was back.
    public var endRow: Int?
    public var time: Int64?
    public var endTime: Int64?
    /// The series' sampling interval in seconds, when it has timestamps.
    public var interval: Int64?

    /// The service part of a `service:function[:metric]` series name (the whole name without a colon).
    public var service: Substring { series.split(separator: ":", maxSplits: 1).first ?? Substring(series) }
}

/// A persistent change across a fleet: the lead series and the other series that moved with it (same service,
/// same direction, within `minimumSegment` intervals): one deploy seen in many functions, or in self and total.
public struct FleetRegression: Sendable, Equatable {
    public var lead: FleetSeriesEvent
    public var members: [FleetSeriesEvent]
}

public struct FleetReport: Sendable {
    /// Persistent changes, ranked by effect size in MDE units.
    public var regressions: [FleetRegression]
    public var transients: [FleetSeriesEvent]
    public var seriesCount = 0
    public var pointCount = 0
    /// Series where a daily or weekly cycle was found and removed.
    public var seasonalCount = 0
    /// Significant changes not reported for being below the practical-size floor.
    public var belowFloorCount = 0
}

/// `detect --series`: every series of a long CSV through `SeriesAnalyzer`, read once as a stream and analysed on
/// all cores. The reader thread parses batches of whole series into a small bounded queue; one worker per core
/// takes batches, each with its own `SeriesWorkspace`; events are merged at the end (few, next to the points).
public struct FleetDetector: Sendable {
    public var configuration: SeriesAnalysisConfiguration
    public var threads: Int

    public init(
        configuration: SeriesAnalysisConfiguration = SeriesAnalysisConfiguration(),
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.configuration = configuration
        self.threads = max(1, threads)
    }

    public func run(path: String) throws -> FleetReport {
        let queue = BoundedQueue<SeriesBatch>(capacity: 2 * threads)
        let collector = Collector()
        let analyzer = SeriesAnalyzer(configuration: configuration)
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            let thread = Thread {
                let workspace = SeriesWorkspace()
                while let batch = queue.pop() {
                    collector.add(Self.analyze(batch, analyzer: analyzer, workspace: workspace))
                }
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        do {
            try FleetCSVReader(path: path).read { batch in queue.push(batch) }
            queue.close()
        } catch {
            queue.cancel()
            done.wait()
            throw error
        }
        done.wait()
        var report = collector.report()
        report.regressions = Self.group(collector.persistent(), tolerance: configuration.minimumSegment)
        return report
    }

    /// Analyses every series of a batch.
    static func analyze(_ batch: SeriesBatch, analyzer: SeriesAnalyzer, workspace: SeriesWorkspace) -> BatchResult {
        var result = BatchResult(series: batch.count, points: batch.pointCount)
        let timed = !batch.times.isEmpty
        for s in 0..<batch.count {
            let range = batch.starts[s]..<batch.starts[s + 1]
            guard !range.isEmpty else { continue }
            let values = Array(batch.values[range])
            var grid: [Int]?
            var interval: Int64?
            if timed { (grid, interval) = Self.grid(batch.times[range]) }
            let analysis = analyzer.analyze(
                values, grid: grid, interval: interval, noiseFloor: batch.noiseFloors[s],
                workspace: workspace)
            if !analysis.seasonality.isEmpty { result.seasonal += 1 }
            result.belowFloor += analysis.belowFloor
            for event in analysis.events {
                let point = range.lowerBound + event.index
                let end = event.endIndex.map { range.lowerBound + $0 }
                result.events.append(
                    FleetSeriesEvent(
                        series: batch.names[s], event: event, row: Int(batch.rows[point]),
                        endRow: end.map { Int(batch.rows[$0]) },
                        time: timed ? batch.times[point] : nil, endTime: timed ? end.map { batch.times[$0] } : nil,
                        interval: interval))
            }
        }
        return result
    }

    /// Each point's position on the series' regular time grid (so seasonal phase survives gaps), and the grid step.
    static func grid(_ times: ArraySlice<Int64>) -> (grid: [Int]?, interval: Int64?) {
        guard let step = interval(times), step > 0, let first = times.first else { return (nil, nil) }
        return (times.map { Int(($0 - first + step / 2) / step) }, step)
    }

    /// The series' sampling interval: the median gap between consecutive points.
    static func interval(_ times: ArraySlice<Int64>) -> Int64? {
        guard times.count >= 2 else { return nil }
        var gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        gaps.sort()
        return gaps[gaps.count / 2]
    }

    /// Groups persistent events of one service and direction whose onsets are within `tolerance` intervals (rows
    /// when there are no timestamps) into one regression led by the largest effect.
    static func group(_ events: [FleetSeriesEvent], tolerance: Int) -> [FleetRegression] {
        let keyed = Dictionary(grouping: events) { "\($0.service)\u{0}\($0.event.kind.rawValue)" }
        var groups: [FleetRegression] = []
        for (_, list) in keyed {
            let sorted = list.sorted { ($0.time ?? Int64($0.row), $0.series) < ($1.time ?? Int64($1.row), $1.series) }
            var cluster: [FleetSeriesEvent] = []
            func close() {
                guard let lead = cluster.max(by: { ($0.event.effect, $1.series) < ($1.event.effect, $0.series) }) else {
                    return
                }
                groups.append(FleetRegression(lead: lead, members: cluster.filter { $0 != lead }))
                cluster = []
            }
            for event in sorted {
                if let first = cluster.first {
                    let window = (first.interval ?? 1) * Int64(tolerance)
                    let distance = (event.time ?? Int64(event.row)) - (first.time ?? Int64(first.row))
                    if distance > window { close() }
                }
                cluster.append(event)
            }
            close()
        }
        return groups.sorted {
            ($0.lead.event.effect, $1.lead.series) > ($1.lead.event.effect, $0.lead.series)
        }
    }

    struct BatchResult {
        var series: Int
        var points: Int
        var seasonal = 0
        var belowFloor = 0
        var events: [FleetSeriesEvent] = []
    }

    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [BatchResult] = []

        func add(_ result: BatchResult) {
            lock.lock()
            results.append(result)
            lock.unlock()
        }

        func persistent() -> [FleetSeriesEvent] {
            results.flatMap { $0.events.filter { $0.event.kind != .transient } }
        }

        func report() -> FleetReport {
            var report = FleetReport(regressions: [], transients: [])
            for result in results {
                report.seriesCount += result.series
                report.pointCount += result.points
                report.seasonalCount += result.seasonal
                report.belowFloorCount += result.belowFloor
                report.transients += result.events.filter { $0.event.kind == .transient }
            }
            report.transients.sort { ($0.series, $0.row) < ($1.series, $1.row) }
            return report
        }
    }
}
