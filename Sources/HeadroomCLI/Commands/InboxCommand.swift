import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "What waits for one person: regressions to review, fixes to review, opportunities in their code.",
        discussion: """
            Code belongs to its CODEOWNERS owners (.github/CODEOWNERS, CODEOWNERS, docs/ or .gitlab/), else to the \
            recent authors of the function's lines (git blame: the top author and anyone with a quarter of them). A \
            regression is also its culprit author's, a fix the culprit author's and its pull request reviewer's. \
            --for takes an email, an @handle (as CODEOWNERS writes it) or an author's name. Each list is ranked by \
            cores: what the regression costs, what the fix recovers, what the opportunity could save. With \
            --database (team mode), the shared PostgreSQL database's records, with the code of the repositories \
            registered there that are present on this machine.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(name: .customLong("for"), help: "The person: an email, an @handle or a name.") var person: String
    @Option(name: .customLong("fleet-cores"), help: "Cores behind a share of 1.0 where profiles do not measure it.")
    var fleetCores: Double = 1000

    func run() async throws {
        guard fleetCores > 0, fleetCores.isFinite else {
            throw HeadroomError(.badInput, "--fleet-cores must be positive")
        }
        let (person, costs) = (person, CostModel(fleetCores: fleetCores))
        let report = try await databaseOptions.program(storeOptions) {
            try InboxService(store: $0, costs: costs).inbox(for: person)
        }
        if formatOptions.format == .json { return try printJSON(report) }
        let sections: [(String, [InboxReport.Item])] = [
            ("regressions to review", report.regressions), ("fixes awaiting your review", report.patches),
            ("opportunities in your code", report.opportunities),
        ]
        print("inbox of \(report.person)")
        for (title, items) in sections {
            print("\(title): \(items.isEmpty ? "none" : "\(items.count)")")
            for item in items {
                print(
                    String(
                        format: "  #%lld %@ in %@ (%.3f cores) — %@", item.id, item.function, item.service, item.cores,
                        item.summary))
                print("      yours: \(item.because)")
            }
        }
    }
}
