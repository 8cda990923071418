import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomEngine
import HeadroomStore

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Capacity plan: a service's cores forecast with prediction intervals.",
        discussion: """
            With --service, the service's cores measured by its profiles, per day (--step hour for hours), are \
            forecast --horizon steps ahead by a damped-trend Holt-Winters model with a weekly (daily) season, with \
            80% and 95% bootstrap intervals; the open regressions' cores (what fixing them would give back) and the \
            delivered, not yet applied fixes' savings are listed beside it. With --series FILE.csv (a 'value' \
            column, optionally 'timestamp'), any series: the season from --period, else from the timestamps' \
            spacing (days: 7, hours: 24, months: 12).
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "The service to plan for.") var service: String?
    @Option(help: "A CSV series to forecast instead of a service.") var series: String?
    @Option(help: "Steps ahead (days, hours or the CSV's points).") var horizon: Int = 90
    @Option(help: "--service: day or hour.") var step: String = "day"
    @Option(help: "Season length in steps (0: none); default from the step or the timestamps.") var period: Int?

    struct Point: Encodable {
        var step: Int
        var timestamp: String?
        var mean: Double
        var lower80: Double
        var upper80: Double
        var lower95: Double
        var upper95: Double
        enum CodingKeys: String, CodingKey {
            case step, timestamp, mean
            case lower80 = "lower_80"
            case upper80 = "upper_80"
            case lower95 = "lower_95"
            case upper95 = "upper_95"
        }
    }
    struct Model: Encodable { var alpha, beta, gamma, phi: Double }
    struct Output: Encodable {
        var service: String?
        var series: String?
        var unit: String
        var history: Int
        var last: Double?
        var period: Int
        var model: Model
        var forecast: [Point]
        var openRegressionCores: Double?
        var pendingFixCores: Double?
        enum CodingKeys: String, CodingKey {
            case service, series, unit, history, last, period, model, forecast
            case openRegressionCores = "open_regression_cores"
            case pendingFixCores = "pending_fix_cores"
        }
    }

    func run() throws {
        guard (service == nil) != (series == nil) else {
            throw HeadroomError(.badInput, "give --service or --series (one of them)")
        }
        guard horizon >= 1, horizon <= 10_000 else { throw HeadroomError(.badInput, "--horizon must be 1…10000") }
        guard (period ?? 0) >= 0 else { throw HeadroomError(.badInput, "--period must be ≥ 0") }
        var values: [Double]
        var times: [Int64]?
        var stepSeconds: Int64?
        var defaultPeriod = 0
        var open: Double?
        var pending: Double?
        if let series {
            let csv = try SeriesCSV.read(file: series)
            values = csv.values
            times = try csv.timestamps.map { try $0.compactMap { try parseTime($0, option: "timestamp") } }
            if let times, times.count == values.count, times.count > 2 {
                let gaps = zip(times.dropFirst(), times).map { $0 - $1 }.sorted()
                let gap = gaps[gaps.count / 2]
                stepSeconds = gap
                defaultPeriod =
                    switch gap {
                    case 82_800...90_000: 7
                    case 3_000...4_200: 24
                    case 2_300_000...2_800_000: 12
                    default: 0
                    }
            }
        } else {
            guard step == "day" || step == "hour" else { throw HeadroomError(.badInput, "--step must be day or hour") }
            let seconds: Int64 = step == "day" ? 86_400 : 3_600
            let store = try storeOptions.open()
            try store.requireService(service!)
            let measured = try store.measuredCoresSeries(service: service!, step: seconds)
            guard !measured.isEmpty else {
                throw HeadroomError(
                    .notFound,
                    "\(service!): no profile says its CPU and wall time, so there are no measured cores to plan from (ingest pprof CPU profiles, or folded ones with --sample-rate and --duration)"
                )
            }
            values = measured.map(\.cores.cores)
            times = measured.map(\.start)
            stepSeconds = seconds
            defaultPeriod = step == "day" ? 7 : 24
            let fallback = CostModel()
            let regressions = try store.regressions(service: service!).filter {
                $0.kind == .regression && $0.triage == nil
            }
            open = regressions.map { RegressionReport($0, costs: store.costs(for: $0, fallback: fallback)).cores }
                .filter(\.isFinite).reduce(0, +)
            let metrics = MetricsService(store: store, costs: fallback)
            pending = try store.patches(status: .delivered).filter { $0.review == .pending }
                .compactMap { try metrics.saving($0, until: Timestamps.now()) }.filter { $0.service == service! }
                .map(\.cores).reduce(0, +)
        }
        guard
            let forecast = CapacityForecaster(period: period ?? defaultPeriod).forecast(values, horizon: horizon)
        else {
            throw HeadroomError(.badInput, "too little history to forecast (\(values.count) points; 4 at least)")
        }
        let lastTime: Int64? = stepSeconds == nil ? nil : times?.last
        let points = (0..<horizon).map { h -> Point in
            let time: Int64? = lastTime.map { $0 + Int64(h + 1) * (stepSeconds ?? 0) }
            return Point(
                step: h + 1, timestamp: time.map(Timestamps.format), mean: forecast.mean[h],
                lower80: forecast.lower80[h], upper80: forecast.upper80[h], lower95: forecast.lower95[h],
                upper95: forecast.upper95[h])
        }
        let output = Output(
            service: service, series: series, unit: service != nil ? "cores" : "value", history: values.count,
            last: values.last, period: forecast.period,
            model: Model(alpha: forecast.alpha, beta: forecast.beta, gamma: forecast.gamma, phi: forecast.phi),
            forecast: points, openRegressionCores: open, pendingFixCores: pending)
        if formatOptions.format == .json { return try printJSON(output) }
        let name = service ?? series!
        let end = points[points.count - 1]
        print(
            String(
                format: "%@: %d points of history, last %.3f %@; season %d, level α %.2f, trend β %.2f damped φ %.2f",
                name, values.count, values.last ?? .nan, output.unit, forecast.period, forecast.alpha, forecast.beta,
                forecast.phi))
        print(
            String(
                format: "in %d steps: %.3f (80%%: %.3f–%.3f, 95%%: %.3f–%.3f)", horizon, end.mean, end.lower80,
                end.upper80, end.lower95, end.upper95))
        if let open, let pending {
            print(
                String(
                    format:
                        "open regressions cost %.3f cores (gone if fixed); delivered fixes not yet applied save %.3f",
                    open, pending))
        }
    }
}
