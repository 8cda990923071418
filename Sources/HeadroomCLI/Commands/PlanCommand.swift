import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomDetection
import HeadroomEngine

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Capacity plan: a service's cores forecast with prediction intervals.",
        discussion: """
            With --service, the service's cores measured by its profiles, per day (--step hour for hours), are \
            forecast --horizon steps ahead by a damped-trend Holt-Winters model with a weekly (daily) season, with \
            80% and 95% bootstrap intervals; the open regressions' cores (what fixing them would give back) and the \
            delivered, not yet applied fixes' savings are listed beside it. With --series FILE.csv (a 'value' \
            column, optionally 'timestamp'), any series: the season from --period, else from the timestamps' \
            spacing (days: 7, hours: 24, months: 12). With --database (team mode), a service's cores measured by the \
            profiles in the shared PostgreSQL database.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "The service to plan for.") var service: String?
    @Option(help: "A CSV series to forecast instead of a service.") var series: String?
    @Option(help: "Steps ahead (days, hours or the CSV's points).") var horizon: Int = 90
    @Option(help: "--service: day or hour.") var step: String = "day"
    @Option(help: "Season length in steps (0: none); default from the step or the timestamps.") var period: Int?

    func run() async throws {
        guard (service == nil) != (series == nil) else {
            throw HeadroomError(.badInput, "give --service or --series (one of them)")
        }
        let report: CapacityPlanReport
        if let series {
            report = try PlanService(store: nil).plan(
                series: series, csv: try SeriesCSV.read(file: series), horizon: horizon, period: period)
        } else {
            let (service, horizon, step, period) = (service!, horizon, step, period)
            report = try await databaseOptions.program(storeOptions) {
                try PlanService(store: $0).plan(service: service, horizon: horizon, step: step, period: period)
            }
        }
        if formatOptions.format == .json { return try printJSON(report) }
        let end = report.forecast[report.forecast.count - 1]
        print(
            String(
                format: "%@: %d points of history, last %.3f %@; season %d, level α %.2f, trend β %.2f damped φ %.2f",
                report.service ?? report.series ?? "", report.history, report.last ?? .nan, report.unit,
                report.period, report.model.alpha, report.model.beta, report.model.phi))
        print(
            String(
                format: "in %d steps: %.3f (80%%: %.3f–%.3f, 95%%: %.3f–%.3f)", horizon, end.mean, end.lower80,
                end.upper80, end.lower95, end.upper95))
        if let open = report.openRegressionCores, let pending = report.pendingFixCores {
            print(
                String(
                    format:
                        "open regressions cost %.3f cores (gone if fixed); delivered fixes not yet applied save %.3f",
                    open, pending))
        }
    }
}
