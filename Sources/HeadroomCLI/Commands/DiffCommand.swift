import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Per-function change in CPU share between two time ranges, with a significance test.",
        discussion: """
            Ranges are FROM..TO (ISO-8601 or Unix seconds; either end may be empty). Rows are sorted by impact, the
            absolute change in share; p is the two-proportion test on the sample counts, and '*' marks changes
            significant after Bonferroni over all functions at --alpha. With --database (team mode): from the
            shared PostgreSQL database, the same answer from the same profiles.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "The service.") var service: String
    @Option(help: "The baseline range FROM..TO.") var before: String
    @Option(help: "The range to compare, FROM..TO.") var after: String
    @Option(help: "Only samples carrying this label, as key=value.") var label: String?
    @Option(help: "Compare self or total (inclusive) share.") var by: String = "self"
    @Option(name: .short, help: "How many functions.") var n: Int = 20
    @Option(help: "Family-wise significance level.") var alpha: Double = 0.001

    func run() async throws {
        guard by == "self" || by == "total" else { throw HeadroomError(.badInput, "--by must be self or total") }
        guard n > 0 else { throw HeadroomError(.badInput, "-n must be positive") }
        guard alpha > 0 && alpha < 1 else { throw HeadroomError(.badInput, "--alpha must be between 0 and 1") }
        let beforeRange = try TimeRange.parse(before, option: "before")
        let afterRange = try TimeRange.parse(after, option: "after")
        let filter = try parseLabel(label)
        let report: DiffReport
        if let url = databaseOptions.url {
            let (service, byTotal, alpha, limit) = (service, by == "total", alpha, n)
            report = try await TeamDatabase.with(url: url) { database in
                try await database.diff(
                    service: service, before: beforeRange, after: afterRange, byTotal: byTotal, label: filter,
                    alpha: alpha, limit: limit)
            }
        } else {
            let store = try storeOptions.open()
            report = try ProfileQueries(store: store).diffReport(
                service: service, before: beforeRange, after: afterRange, byTotal: by == "total", label: filter,
                alpha: alpha, limit: n)
        }
        if formatOptions.format == .json { return try printJSON(report) }
        let rows = report.functions
        print(
            "\(service), \(by) share: before \(beforeRange) (\(report.beforeTotal) samples) → after \(afterRange) (\(report.afterTotal) samples)"
        )
        print("  before    after   change  relative        p     function")
        for row in rows {
            let relative = row.relative.map { String(format: "%+8.0f%%", $0 * 100) } ?? "      new"
            let name = row.function + (row.file.map { " (\($0))" } ?? "")
            let shares = String(format: "%7.2f%% %7.2f%% %+7.2fpt", row.before * 100, row.after * 100, row.change * 100)
            let p = String(format: "%8.1e", row.pValue)
            let mark = row.significant ? " * " : "   "
            print("\(shares) \(relative) \(p)\(mark)\(name)")
        }
    }
}
