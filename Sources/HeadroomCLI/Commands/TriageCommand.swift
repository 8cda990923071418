import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

/// `headroom triage ID acknowledged|invalid|snoozed`: a person's verdict on a regression.
struct TriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Record a verdict on a regression: acknowledged (known), invalid (not one) or snoozed (not now).",
        discussion: """
            The verdict is kept by the regression's identity (service, function, metric, onset), so re-detection \
            keeps it; the server announces no triaged regression, and the share of invalid verdicts is the \
            detector's measured false-positive rate (shown by --summary, and on the server's /metrics). The API's \
            POST /api/v1/regressions/ID/ack|invalid and the MCP tool triage_regression do the same. A snooze \
            (--for 7d or --until TIME) keeps it quiet until then; after that it is open again and routed as new. \
            With --database (team mode): the regressions and verdicts of the shared PostgreSQL database.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Argument(help: "The regression id (from headroom detect).") var id: Int64?
    @Argument(help: "acknowledged (or ack) | invalid | snoozed (or snooze)") var verdict: String?
    @Option(help: "Why, in a sentence.") var note = ""
    @Option(help: "A snooze's wake time (ISO-8601 or Unix seconds).") var until: String?
    @Option(name: .customLong("for"), help: "A snooze's length: 12h, 7d, 2w.") var snoozeFor: String?
    @Flag(help: "Print the verdicts so far and the false-positive rate instead.") var summary = false

    /// Runs `body` with the triage service over the SQLite store or, with --database, the shared database.
    func withTriage<T: Sendable>(_ body: @escaping @Sendable (TriageService) throws -> T) async throws -> T {
        guard let url = databaseOptions.url else { return try body(TriageService(store: try storeOptions.open())) }
        return try await TeamDatabase.with(url: url) { database in
            try await database.synchronously { try body(TriageService(store: $0)) }
        }
    }

    func run() async throws {
        if summary {
            let counts = try await withTriage { try $0.summary() }
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
            throw HeadroomError(
                .badInput, "usage: headroom triage ID acknowledged|invalid|snoozed [--note TEXT] [--for 7d | --until T]"
            )
        }
        let aliases = ["ack": "acknowledged", "snooze": "snoozed"]
        let word = aliases[verdict.lowercased()] ?? verdict.lowercased()
        guard let decided = Triage.Verdict(rawValue: word) else {
            throw HeadroomError(
                .badInput, "verdict '\(verdict)': expected acknowledged (or ack), invalid or snoozed (or snooze)")
        }
        let now = Timestamps.now()
        var wake = try parseTime(until, option: "until")
        if let snoozeFor {
            guard wake == nil else { throw HeadroomError(.badInput, "give --until or --for, not both") }
            wake = now + (try Self.seconds(snoozeFor))
        }
        let (note, snooze) = (note, wake)
        let regression = try await withTriage {
            try $0.decide(regression: id, verdict: decided, note: note, snoozeUntil: snooze, at: now)
        }
        if formatOptions.format == .json { return try printJSON(RegressionReport(regression, costs: CostModel())) }
        let until = regression.triage?.snoozeUntil.map { " until \(Timestamps.format($0))" } ?? ""
        print("regression #\(id) (\(regression.function.name) in \(regression.service)): \(decided.rawValue)\(until)")
    }

    /// Seconds in a length like 90m, 12h, 7d or 2w.
    static func seconds(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["m": 60, "h": 3600, "d": 86400, "w": 7 * 86400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0,
            count < 100_000
        else {
            throw HeadroomError(.badInput, "--for '\(text)': expected a length like 90m, 12h, 7d or 2w")
        }
        return count * unit
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
