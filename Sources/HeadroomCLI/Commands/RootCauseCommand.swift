import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore

struct RootCauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rootcause", abstract: "Rank the changes behind a regression, with evidence.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @Argument(help: "The regression id (from headroom detect).") var id: Int64

    struct Candidate: Encodable {
        var kind: String
        var ref: String
        var author: String
        var email: String
        var message: String
        var score: Double
        var evidence: [String]
    }
    struct Output: Encodable {
        var regression: Int64
        var candidates: [Candidate]
    }

    func run() throws {
        let store = try Store.open(path: storeOptions.store, create: false)
        let (regression, ranked) = try RootCauseService(store: store).run(regression: id)
        let candidates = ranked.map {
            Candidate(kind: $0.kind.rawValue, ref: $0.ref, author: $0.author, email: $0.email, message: $0.message,
                      score: $0.score, evidence: $0.evidence)
        }
        if formatOptions.format == .json { return try printJSON(Output(regression: id, candidates: candidates)) }
        print("regression #\(id): \(regression.function.name) \(regression.metric.rawValue) share "
              + String(format: "%.2f%% → %.2f%%", regression.before * 100, regression.after * 100))
        if candidates.isEmpty { return print("no changes were deployed around the onset") }
        for (rank, c) in candidates.prefix(10).enumerated() {
            print(String(format: "%2d. %.3f  ", rank + 1, c.score) + "\(c.ref.prefix(10))  \(c.author)  \(c.message)")
            for line in c.evidence { print("      - \(line)") }
        }
    }
}
