import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct FlameGraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flamegraph",
        abstract: "Write a self-contained SVG flame graph (or, with --diff, a differential one).",
        discussion: """
            Without --diff the graph covers --from..--to. With --diff, widths are the --after range and colour is each
            frame's change in share since --before: red grew, blue shrank. With --database (team mode): from the
            shared PostgreSQL database, the same graph from the same profiles.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var query: QueryOptions
    @Flag(help: "Differential: compare --after with --before.") var diff = false
    @Option(help: "With --diff: the baseline range FROM..TO.") var before: String?
    @Option(help: "With --diff: the range drawn, FROM..TO.") var after: String?
    @Option(help: "Where to write the SVG.") var out: String

    func run() async throws {
        let range: TimeRange
        var baseline: TimeRange?
        if diff {
            guard let before, let after else {
                throw HeadroomError(.badInput, "--diff needs --before and --after ranges")
            }
            range = try TimeRange.parse(after, option: "after")
            baseline = try TimeRange.parse(before, option: "before")
        } else {
            guard before == nil && after == nil else {
                throw HeadroomError(.badInput, "--before/--after only go with --diff; use --from/--to for one range")
            }
            range = try query.range()
        }
        let label = try query.labelFilter()
        let svg: String
        if let url = databaseOptions.url {
            let (service, drawnBaseline) = (query.service, baseline)
            svg = try await TeamDatabase.with(url: url) { database in
                try await database.flameGraph(service: service, range: range, baseline: drawnBaseline, label: label)
            }
        } else {
            svg = try ProfileQueries(store: try storeOptions.open()).flameGraph(
                service: query.service, range: range, baseline: baseline, label: label)
        }
        do {
            try svg.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw HeadroomError(.badInput, "--out: cannot write \(out): \(error.localizedDescription)")
        }
        print("wrote \(out)")
    }
}
