import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct FlameGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flamegraph",
        abstract: "Write a self-contained SVG flame graph (or, with --diff, a differential one).",
        discussion: """
            Without --diff the graph covers --from..--to. With --diff, widths are the --after range and colour is each
            frame's change in share since --before: red grew, blue shrank.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var query: QueryOptions
    @Flag(help: "Differential: compare --after with --before.") var diff = false
    @Option(help: "With --diff: the baseline range FROM..TO.") var before: String?
    @Option(help: "With --diff: the range drawn, FROM..TO.") var after: String?
    @Option(help: "Where to write the SVG.") var out: String

    func run() throws {
        let store = try storeOptions.open()
        let queries = ProfileQueries(store: store)
        let svg: String
        if diff {
            guard let before, let after else {
                throw HeadroomError(.badInput, "--diff needs --before and --after ranges")
            }
            svg = try queries.flameGraph(
                service: query.service, range: TimeRange.parse(after, option: "after"),
                baseline: TimeRange.parse(before, option: "before"), label: query.labelFilter())
        } else {
            guard before == nil && after == nil else {
                throw HeadroomError(.badInput, "--before/--after only go with --diff; use --from/--to for one range")
            }
            svg = try queries.flameGraph(service: query.service, range: query.range(), label: query.labelFilter())
        }
        do {
            try svg.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw HeadroomError(.badInput, "--out: cannot write \(out): \(error.localizedDescription)")
        }
        print("wrote \(out)")
    }
}
