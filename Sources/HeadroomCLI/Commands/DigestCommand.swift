import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "The weekly digest: regressions of the window by where the triage policy sent them.",
        discussion: """
            Each regression detected since --since (default 7 days ago) is routed by the [policy] of its service's \
            repository: auto_fix (a confident culprit, ≥ min_cores, a registered repository, auto_fix on), person \
            (≥ critical_cores: a person first; or ≥ notify_min_cores, or a share moved by ≥ notify_min_share), \
            digest (below both: nobody was notified, it is listed here) or quiet (acknowledged, invalid or snoozed). \
            Defaults: min_confidence 0.5, min_cores 1.0, critical_cores 10, notify_min_cores 0.25, \
            notify_min_share 0.01.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "From this time (ISO-8601 or Unix seconds); default: 7 days ago.") var since: String?
    @Option(help: "To this time; default: now.") var until: String?
    @Option(name: .customLong("fleet-cores"), help: "Cores behind a share of 1.0 where profiles do not measure it.")
    var fleetCores: Double = 1000

    func run() throws {
        guard fleetCores > 0, fleetCores.isFinite else {
            throw HeadroomError(.badInput, "--fleet-cores must be positive")
        }
        let end = try parseTime(until, option: "until") ?? Timestamps.now()
        let start = try parseTime(since, option: "since") ?? end - 7 * 86400
        let report = try TriageRouter(store: try storeOptions.open(), costs: CostModel(fleetCores: fleetCores))
            .digest(since: start, until: end)
        if formatOptions.format == .json { return try printJSON(report) }
        let counts = TriageRoute.allCases.map { "\(report.counts[$0.rawValue] ?? 0) \($0.rawValue)" }
        print("\(report.since) – \(report.until): " + counts.joined(separator: ", "))
        for item in report.regressions {
            let r = item.regression
            print(
                String(
                    format: "  [%@] #%lld %@ in %@: %.2f%% → %.2f%%, %.3f cores — %@", item.route.rawValue,
                    r.id ?? 0, r.function, r.service, r.before * 100, r.after * 100, r.cores, item.reason))
        }
    }
}
