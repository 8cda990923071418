import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

/// `headroom triage ID acknowledged|invalid`: a person's verdict on a regression.
struct TriageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage", abstract: "Record a verdict on a regression: acknowledged (known) or invalid (not one).",
        discussion: """
            The verdict is kept by the regression's identity (service, function, metric, onset), so re-detection \
            keeps it; the server announces no triaged regression, and the share of invalid verdicts is the \
            detector's measured false-positive rate (shown by --summary, and on the server's /metrics). The API's \
            POST /api/v1/regressions/ID/ack|invalid and the MCP tool triage_regression do the same.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @Argument(help: "The regression id (from headroom detect).") var id: Int64?
    @Argument(help: "acknowledged (or ack) | invalid") var verdict: String?
    @Option(help: "Why, in a sentence.") var note = ""
    @Flag(help: "Print the verdicts so far and the false-positive rate instead.") var summary = false

    func run() throws {
        let triage = TriageService(store: try storeOptions.open())
        if summary {
            let counts = try triage.summary()
            if formatOptions.format == .json {
                return try printJSON(
                    TriageSummary(
                        acknowledged: counts.acknowledged, invalid: counts.invalid,
                        falsePositiveRate: counts.falsePositiveRate))
            }
            let rate = counts.falsePositiveRate.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a (no verdicts)"
            print("acknowledged \(counts.acknowledged), invalid \(counts.invalid); false-positive rate \(rate)")
            return
        }
        guard let id, let verdict else {
            throw HeadroomError(.badInput, "usage: headroom triage ID acknowledged|invalid [--note TEXT]")
        }
        let word = verdict.lowercased() == "ack" ? "acknowledged" : verdict.lowercased()
        guard let decided = Triage.Verdict(rawValue: word) else {
            throw HeadroomError(.badInput, "verdict '\(verdict)': expected acknowledged (or ack) or invalid")
        }
        let regression = try triage.decide(regression: id, verdict: decided, note: note)
        if formatOptions.format == .json { return try printJSON(RegressionReport(regression, costs: CostModel())) }
        print("regression #\(id) (\(regression.function.name) in \(regression.service)): \(decided.rawValue)")
    }

    struct TriageSummary: Encodable {
        var acknowledged: Int
        var invalid: Int
        var falsePositiveRate: Double?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(acknowledged, forKey: .acknowledged)
            try c.encode(invalid, forKey: .invalid)
            try c.encode(falsePositiveRate, forKey: .falsePositiveRate)
        }

        enum CodingKeys: String, CodingKey {
            case acknowledged, invalid
            case falsePositiveRate = "false_positive_rate"
        }
    }
}
