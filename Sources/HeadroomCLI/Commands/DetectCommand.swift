import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomEngine

struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect regressions in function-level CPU share over the store, or over a long CSV.",
        discussion: """
            Without --series: every service's function-level self and total CPU share in the store, with binomial
            sampling noise, over-dispersion, and the transient, cost-shift, dilution and dedup filters.
            With --series FILE: a long CSV 'series,timestamp,value' (rows of a series together, in time order),
            streamed and analysed on all cores: daily/weekly cycles removed, change points by binary segmentation
            with a robust noise scale, transients told apart, effects sized in MDE units. Series named
            'service:function[...]' that move together are reported as one event with members. An optional
            'build' (or 'commit') column makes consecutive rows of one build one observation (their median).
            Changes below the practical-size floor (--min-effect, --min-relative-change, --min-absolute-change)
            are counted in the summary, not reported.
            With --database (team mode): every service (or --service) in the shared PostgreSQL database, detected
            now and stored there, as the workers' jobs do.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "Only this service.") var service: String?
    @Option(help: "A long CSV series,timestamp,value to analyse instead of the store.") var series: String?
    @Option(help: "--series: family-wise significance level per split.") var alpha: Double = 0.001
    @Option(name: .customLong("min-segment"), help: "--series: fewest points in a segment.") var minSegment: Int = 5
    @Option(
        name: .customLong("transient-horizon"), help: "--series: a shift back within this many points is transient.")
    var transientHorizon: Int = 24
    @Option(
        name: .customLong("period"),
        help: "--series: seasonal period in points (repeatable; default a day and a week from the timestamps).")
    var periods: [Int] = []
    @Flag(
        name: .customLong("higher-is-better"),
        help: "--series: a rise is an improvement (throughput), not a regression.")
    var higherIsBetter = false
    @Option(
        name: .customLong("fleet-cores"),
        help: "Cores behind a share of 1.0, for cores and watts (store default 1000; with --series only when given).")
    var fleetCores: Double?
    @Option(name: .customLong("watts-per-core"), help: "Watts per busy core.") var wattsPerCore: Double = 10
    @Option(
        name: .customLong("min-effect"),
        help: "--series: report only changes of at least this many MDEs of their series.")
    var minEffect: Double = 1.0
    @Option(
        name: .customLong("min-relative-change"),
        help: "--series: report only changes of at least this fraction of the level before (0.02 = 2%).")
    var minRelativeChange: Double = 0.02
    @Option(
        name: .customLong("min-absolute-change"),
        help: "--series: report only changes of at least this much in the series' units.")
    var minAbsoluteChange: Double = 0
    @Option(
        name: .customLong("trend-alpha"),
        help: "--series: level at which a change must beat a local trend fitted around it (0 turns the guard off).")
    var trendAlpha: Double = 0.01
    @Option(help: "--series: threads (default: all cores).") var threads: Int?
    @Option(help: "--series: events listed in text output.") var limit: Int = 50

    struct Filtered: Encodable {
        var service: String
        var function: String
        var metric: String
        var timestamp: String
        var before: Double
        var after: Double
        var reason: String
    }
    struct Output: Encodable {
        var regressions: [RegressionReport]
        var filtered: [Filtered]
    }

    func run() async throws {
        if let series { return try runSeries(series) }
        let cost = CostModel(fleetCores: fleetCores ?? 1000, wattsPerCore: wattsPerCore)
        let outcome: (regressions: [Regression], filtered: [RegressionDetector.Filtered])
        let rows: [RegressionReport]
        if let url = databaseOptions.url {
            let service = self.service
            outcome = try await TeamDatabase.with(url: url) { database in
                try await database.detect(service: service, logger: cliLogger("headroom.detect"))
            }
            // Measured cores are not on PostgreSQL yet: the fleet size stands in.
            rows = outcome.regressions.map { RegressionReport($0, costs: cost) }
        } else {
            let store = try storeOptions.open()
            outcome = try DetectionService(store: store, logger: cliLogger("headroom.detect")).runWithFiltered(
                service: service)
            rows = outcome.regressions.map { RegressionReport($0, costs: store.costs(for: $0, fallback: cost)) }
        }
        try report(rows: rows, filtered: outcome.filtered, cost: cost)
    }

    /// Prints the store's regressions and filtered events, as text or as the JSON every adapter writes.
    func report(rows: [RegressionReport], filtered: [RegressionDetector.Filtered], cost: CostModel) throws {
        let filtered = filtered.map { f in
            Filtered(
                service: f.regression.service, function: f.regression.function.name,
                metric: f.regression.metric.rawValue, timestamp: Timestamps.format(f.regression.timestamp),
                before: f.regression.before, after: f.regression.after, reason: f.reason)
        }
        if formatOptions.format == .json { return try printJSON(Output(regressions: rows, filtered: filtered)) }
        if rows.isEmpty { print("no regressions") }
        for row in rows {
            let name = row.function + (row.file.map { " (\($0))" } ?? "")
            let change = Regression.relativeChangeText(row.relativeChange)
            print(
                "#\(row.id ?? 0) \(row.kind.rawValue) \(name) \(row.metric.rawValue) share "
                    + String(format: "%.2f%% → %.2f%% (", row.before * 100, row.after * 100) + change + ")"
                    + " at \(row.timestamp), p=" + String(format: "%.2g", row.pValue)
                    + (row.effectMDE.map { String(format: ", %.1f MDE", $0) } ?? "")
                    + String(format: ", %+.1f cores", row.cores))
            if !row.members.isEmpty { print("    same event: \(row.members.prefix(6).joined(separator: ", "))") }
        }
        for f in filtered { print("filtered: \(f.function) \(f.metric) at \(f.timestamp): \(f.reason)") }
        if !rows.isEmpty {
            // Say where the cores come from: a share of the profile times a fleet size someone has to give.
            print(
                "cores = change in share × \(Int(cost.fleetCores)) fleet cores "
                    + (fleetCores == nil ? "(assumed; pass --fleet-cores for your fleet)" : "(--fleet-cores)"))
        }
    }

    func runSeries(_ path: String) throws {
        guard alpha > 0 && alpha < 1 else { throw HeadroomError(.badInput, "--alpha must be between 0 and 1") }
        guard minSegment >= 2 else { throw HeadroomError(.badInput, "--min-segment must be at least 2") }
        guard transientHorizon >= 0, periods.allSatisfy({ $0 >= 4 }) else {
            throw HeadroomError(.badInput, "--transient-horizon must be ≥ 0 and --period ≥ 4")
        }
        var configuration = SeriesAnalysisConfiguration()
        configuration.alpha = alpha
        configuration.minimumSegment = minSegment
        configuration.transientHorizon = transientHorizon
        configuration.periods = periods.isEmpty ? nil : periods
        configuration.higherIsWorse = !higherIsBetter
        guard minEffect >= 0, minRelativeChange >= 0, minAbsoluteChange >= 0,
            [minEffect, minRelativeChange, minAbsoluteChange].allSatisfy(\.isFinite)
        else {
            throw HeadroomError(.badInput, "--min-effect, --min-relative-change and --min-absolute-change must be ≥ 0")
        }
        configuration.minimumEffect = minEffect
        configuration.minimumRelativeChange = minRelativeChange
        configuration.minimumAbsoluteChange = minAbsoluteChange
        guard trendAlpha >= 0, trendAlpha < 1 else {
            throw HeadroomError(.badInput, "--trend-alpha must be between 0 (off) and 1")
        }
        configuration.trendAlpha = trendAlpha > 0 ? trendAlpha : nil
        let started = Date()
        let detector = FleetDetector(
            configuration: configuration, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let report = try detector.run(path: path)
        let costs = fleetCores.map { CostModel(fleetCores: $0, wattsPerCore: wattsPerCore) }
        let seconds = Date().timeIntervalSince(started)
        if formatOptions.format == .json {
            return try printJSON(SeriesDetectReport(report, costs: costs, seconds: seconds))
        }
        print(SeriesDetectOutput(report: report, costModel: costs, seconds: seconds).text(limit: limit))
    }
}
