import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "The program's figures: regressions and false alarms, fixes and their acceptance, what they saved.",
        discussion: """
            Regressions detected since --since (their onset) and judged by people (acknowledged / invalid: the \
            false-positive rate); fixes delivered, applied and rejected (the acceptance rate) and the median time \
            from a regression's onset to its fix; for each applied fix, the cores it recovers: the function's cores \
            (its share × its service's cores, measured by the service's profiles where they say, else \
            --fleet-cores) × (1 − 1/speed-up) of its A/B benchmark, the watts they draw, the MWh saved since it was \
            applied, and --hours-per-fix engineer-hours. Once a deploy of the service contains the fix (by the \
            imported history), the function's cores in the buckets after it are tested against those before it \
            (one-sided Mann–Whitney); confirmed, the measured drop replaces the A/B estimate and the regression \
            counts as mitigated. Every figure lists the ids it was counted from. With --database (team mode), the \
            figures of the shared PostgreSQL database.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "Count from this time (ISO-8601 or Unix seconds); default: all time.") var since: String?
    @Option(help: "Count energy up to this time; default: now.") var until: String?
    @Option(name: .customLong("fleet-cores"), help: "Cores behind a share of 1.0 where profiles do not measure it.")
    var fleetCores: Double = 1000
    @Option(name: .customLong("watts-per-core"), help: "Watts per busy core.") var wattsPerCore: Double = 10
    @Option(name: .customLong("hours-per-fix"), help: "Engineer-hours one applied fix saves.")
    var hoursPerFix: Double = 4

    func run() async throws {
        guard fleetCores > 0, wattsPerCore >= 0, hoursPerFix >= 0,
            [fleetCores, wattsPerCore, hoursPerFix].allSatisfy(\.isFinite)
        else {
            throw HeadroomError(.badInput, "--fleet-cores must be positive, --watts-per-core and --hours-per-fix ≥ 0")
        }
        let costs = CostModel(fleetCores: fleetCores, wattsPerCore: wattsPerCore)
        let (since, until) = (try parseTime(since, option: "since"), try parseTime(until, option: "until"))
        let hoursPerFix = hoursPerFix
        let report =
            if let url = databaseOptions.url {
                try await TeamDatabase.with(url: url) { team in
                    try await team.synchronously {
                        try MetricsService(store: $0, costs: costs, hoursPerFix: hoursPerFix)
                            .report(since: since, until: until ?? Timestamps.now())
                    }
                }
            } else {
                try MetricsService(store: try storeOptions.open(), costs: costs, hoursPerFix: hoursPerFix)
                    .report(since: since, until: until ?? Timestamps.now())
            }
        if formatOptions.format == .json { return try printJSON(report) }
        let r = report.regressions
        let f = report.fixes
        let s = report.savings
        func percent(_ value: Double?) -> String { value.map { String(format: "%.0f%%", $0 * 100) } ?? "n/a" }
        print("since \(report.since ?? "the start") until \(report.until)")
        print(
            "regressions: \(r.detected) detected, \(r.acknowledged) acknowledged, \(r.invalid) invalid "
                + "(false-positive rate \(percent(r.falsePositiveRate))), \(r.untriaged) untriaged, "
                + "\(r.fixed) fixed, \(r.mitigated) confirmed in production"
                + (r.medianSecondsToFix.map { String(format: "; median %.1f h from onset to fix", $0 / 3600) } ?? ""))
        print(
            "fixes: \(f.delivered) delivered, \(f.refused) refused or failed, \(f.applied) applied, "
                + "\(f.rejected) rejected (acceptance \(percent(f.acceptanceRate)))")
        print(
            String(
                format: "savings: %.3f cores, %.1f W, %.4f MWh to date, %.0f engineer-hours (%.1f h per fix)",
                s.cores, s.watts, s.megawattHours, s.engineerHours, s.hoursPerFix))
        for fix in s.fixes {
            print(
                String(
                    format: "  patch #%lld %@ in %@: %.2f× on %.3f cores (%@) → %.3f cores, %.1f W",
                    fix.patch, fix.function, fix.service, fix.speedup, fix.functionCores, fix.coresBasis.rawValue,
                    fix.cores, fix.watts))
            if let c = fix.confirmation { print("    production: " + Self.describe(c, fix: fix)) }
        }
    }

    /// One line on where production stands on a fix.
    static func describe(_ c: FixConfirmation, fix: MetricsReport.Fix) -> String {
        let deploy = "\(c.deployCommit.map { String($0.prefix(10)) } ?? "?") at \(c.deployedAt ?? "?")"
        switch c.state {
        case .awaitingDeploy: return "no deploy contains the fix yet; the saving above is the A/B estimate"
        case .awaitingProfiles:
            let after = c.buckets.filter { $0.window == "after" }.count
            let before = c.buckets.count - after
            return "live since deploy \(deploy) (\(c.matchedBy?.rawValue ?? "?")); \(before) buckets before and "
                + "\(after) after, \(c.minimumBuckets) needed on each side"
        case .confirmed, .notConfirmed:
            return String(
                format: "deploy %@: %.4f → %.4f cores (p = %.3g): %@", deploy, c.coresBefore ?? .nan,
                c.coresAfter ?? .nan, c.pValue ?? .nan,
                c.state == .confirmed
                    ? "confirmed, the saving above is the measured drop"
                    : "no significant drop; the saving above is still the A/B estimate")
        }
    }
}
