import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomStore

/// Capacity plans (`headroom plan`): a service's measured cores per day or hour, or any series, forecast by
/// `CapacityForecaster`.
public struct PlanService: Sendable {
    /// The store it reads (SQLite or team mode's PostgreSQL); nil for a CSV series.
    public let store: (any ProgramStore)?

    /// A planner over `store`.
    public init(store: (any ProgramStore)?) { self.store = store }

    /// The service's measured cores per `step` (`day` or `hour`) forecast `horizon` steps ahead, with its open
    /// regressions' cores and its pending fixes' savings.
    public func plan(service: String, horizon: Int, step: String = "day", period: Int? = nil) throws
        -> CapacityPlanReport
    {
        guard let store else { throw HeadroomError(.badInput, "a service's plan needs a store") }
        guard step == "day" || step == "hour" else { throw HeadroomError(.badInput, "--step must be day or hour") }
        let seconds: Int64 = step == "day" ? 86_400 : 3_600
        try store.requireService(service)
        let measured = try store.measuredCoresSeries(service: service, step: seconds)
        guard !measured.isEmpty else {
            throw HeadroomError(
                .notFound,
                "\(service): no profile says its CPU and wall time, so there are no measured cores to plan from (ingest pprof CPU profiles, or folded ones with --sample-rate and --duration)"
            )
        }
        let fallback = CostModel()
        let open = try store.regressions(service: service).filter { $0.kind == .regression && $0.isOpen() }
            .map { $0.report(store: store, fallback: fallback).cores }.filter(\.isFinite).reduce(0, +)
        let metrics = MetricsService(store: store, costs: fallback)
        let pending = try store.patches(skill: nil, review: nil, status: .delivered).filter { $0.review == .pending }
            .compactMap { try metrics.saving($0, until: Timestamps.now()) }.filter { $0.service == service }
            .map(\.cores).reduce(0, +)
        var report = try plan(
            values: measured.map(\.cores.cores), times: measured.map(\.start), stepSeconds: seconds,
            period: period ?? (step == "day" ? 7 : 24), horizon: horizon)
        report.service = service
        report.unit = "cores"
        report.openRegressionCores = open
        report.pendingFixCores = pending
        return report
    }

    /// A CSV series (`SeriesCSV`) forecast `horizon` points ahead; the season from `period`, else from the
    /// timestamps' spacing (days: 7, hours: 24, months: 12).
    public func plan(series path: String, csv: SeriesCSV, horizon: Int, period: Int? = nil) throws
        -> CapacityPlanReport
    {
        let times = csv.timestamps.map { $0.compactMap(Timestamps.parse) }
        var step: Int64?
        var seasonal = 0
        if let times, times.count == csv.values.count, times.count > 2 {
            let gaps = zip(times.dropFirst(), times).map { $0 - $1 }.sorted()
            let gap = gaps[gaps.count / 2]
            step = gap
            seasonal =
                switch gap {
                case 82_800...90_000: 7
                case 3_000...4_200: 24
                case 2_300_000...2_800_000: 12
                default: 0
                }
        }
        var report = try plan(
            values: csv.values, times: step == nil ? nil : times, stepSeconds: step, period: period ?? seasonal,
            horizon: horizon)
        report.series = path
        return report
    }

    /// The forecast of `values` (oldest first), timed after the last of `times` by `stepSeconds`.
    func plan(values: [Double], times: [Int64]?, stepSeconds: Int64?, period: Int, horizon: Int) throws
        -> CapacityPlanReport
    {
        guard horizon >= 1, horizon <= 10_000 else { throw HeadroomError(.badInput, "--horizon must be 1…10000") }
        guard period >= 0 else { throw HeadroomError(.badInput, "--period must be ≥ 0") }
        guard let forecast = CapacityForecaster(period: period).forecast(values, horizon: horizon) else {
            throw HeadroomError(.badInput, "too little history to forecast (\(values.count) points; 4 at least)")
        }
        let last = stepSeconds == nil ? nil : times?.last
        let points = (0..<horizon).map { h in
            CapacityPlanReport.Point(
                step: h + 1, timestamp: last.map { Timestamps.format($0 + Int64(h + 1) * (stepSeconds ?? 0)) },
                mean: forecast.mean[h], lower80: forecast.lower80[h], upper80: forecast.upper80[h],
                lower95: forecast.lower95[h], upper95: forecast.upper95[h])
        }
        return CapacityPlanReport(
            service: nil, series: nil, unit: "value", history: values.count, last: values.last,
            period: forecast.period,
            model: .init(alpha: forecast.alpha, beta: forecast.beta, gamma: forecast.gamma, phi: forecast.phi),
            forecast: points, openRegressionCores: nil, pendingFixCores: nil)
    }
}
