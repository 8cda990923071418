import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "The costliest functions of a service.",
        discussion: """
            With --database (team mode): from the shared PostgreSQL database, the same answer from the same
            profiles.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var query: QueryOptions
    @Option(help: "Rank by self or total samples.") var by: String = "self"
    @Option(name: .short, help: "How many functions.") var n: Int = 20

    func run() async throws {
        guard by == "self" || by == "total" else { throw HeadroomError(.badInput, "--by must be self or total") }
        guard n > 0 else { throw HeadroomError(.badInput, "-n must be positive") }
        let report: TopReport
        if let url = databaseOptions.url {
            let (service, range, byTotal, limit) = (query.service, try query.range(), by == "total", n)
            let label = try query.labelFilter()
            report = try await TeamDatabase.with(url: url) { database in
                try await database.top(
                    service: service, range: range, byTotal: byTotal, limit: limit, label: label, costs: CostModel())
            }
        } else {
            let store = try storeOptions.open()
            report = try ProfileQueries(store: store).topReport(
                service: query.service, range: query.range(), byTotal: by == "total", limit: n,
                label: query.labelFilter(), costs: CostModel())
        }
        if formatOptions.format == .json { return try printJSON(report) }
        let measured =
            report.coresBasis == .profile
            ? String(format: "; %.2f cores, measured by its profiles", report.fleetCores) : ""
        print("\(query.service): \(report.totalSamples) samples\(measured)")
        print("    self    total" + (report.coresBasis == .profile ? "    cores" : "") + "  function")
        for row in report.functions {
            let name = row.function + (row.file.map { " (\($0))" } ?? "")
            let cores = report.coresBasis == .profile ? String(format: " %8.3f", row.cores) : ""
            print(String(format: "%7.2f%% %7.2f%%", row.selfShare * 100, row.total * 100) + cores + "  " + name)
        }
    }
}
