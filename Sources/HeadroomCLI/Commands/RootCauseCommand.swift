import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomRootCause

struct RootCauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rootcause", abstract: "Rank the changes behind a regression, with evidence.",
        discussion: """
            Candidates are the commits made live by the service's deploys in the onset window (and the nearest deploy
            on each side), configuration commits in it, and deploys whose commits are not imported. With --bisect,
            the candidate range is bisected with the command (repeated, Mann-Whitney U at each step) in a detached
            worktree to confirm the culprit. With --database (team mode): the regression, changes and deploys of the
            shared PostgreSQL database, ranked the same way and stored there.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Argument(help: "The regression id (from headroom detect).") var id: Int64
    @Option(help: "Candidates to print in text form.") var limit = 5
    @Option(help: "A benchmark command to bisect the candidate range with (run through sh -c).") var bisect: String?
    @Option(help: "Runs of the benchmark per commit and step.") var repetitions = 10
    @Option(help: "Seconds before one benchmark run is stopped.") var timeout: Double = 300

    func run() async throws {
        let quiet = formatOptions.format == .json
        let bisector = bisect.map { Bisector(command: $0, repetitions: repetitions, timeout: timeout) }
        let progress: @Sendable (String) -> Void = { line in
            if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        let id = id
        let (regression, report) =
            if let url = databaseOptions.url {
                try await TeamDatabase.with(url: url) {
                    try await $0.rootCause(regression: id, bisect: bisector, progress: progress)
                }
            } else {
                try RootCauseService(store: try storeOptions.open()).investigate(
                    regression: id, bisect: bisector, progress: progress)
            }
        if formatOptions.format == .json { return try printJSON(report) }
        let candidates = report.candidates
        let onset = report.onset
        print(
            "regression #\(id) in \(regression.service): \(regression.function) \(regression.metric.rawValue) share "
                + String(format: "%.2f%% → %.2f%%", regression.before * 100, regression.after * 100))
        print(
            "onset between \(onset[0]) and \(onset[1]); \(candidates.count) candidate\(candidates.count == 1 ? "" : "s")"
        )
        for (rank, c) in candidates.prefix(limit).enumerated() {
            print("")
            print(
                String(format: "%2d. ", rank + 1) + "\(c.ref.prefix(10))  \(c.kind.rawValue)  "
                    + String(
                        format: "evidence score %.3f  confidence %.0f%% of the ranking", c.score, c.confidence * 100))
            print("    \(c.author.isEmpty ? "(unknown author)" : c.author) — \(c.message)")
            for line in c.evidence { print("    - \(line)") }
        }
        if candidates.count > limit { print("\n(\(candidates.count - limit) more; --limit N or --format json)") }
        if let outcome = report.bisect {
            print("")
            if let culprit = outcome.culprit {
                let agrees =
                    culprit == candidates.first?.ref
                    ? "agrees with the top candidate" : "differs from the top candidate"
                print("BISECT confirmed \(culprit.prefix(10)) (\(agrees)): \(outcome.reason)")
            } else {
                print("BISECT inconclusive: \(outcome.reason)")
            }
            print(
                "  "
                    + outcome.steps.map {
                        "\($0.commit.prefix(7)) \($0.verdict) \(String(format: "%.4g", $0.median))×\($0.runs)"
                    }
                    .joined(separator: ", "))
        }
    }
}
