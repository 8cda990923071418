import ArgumentParser
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles

/// The service, time range and label filter every profile query takes.
struct QueryOptions: ParsableArguments {
    @Option(help: "The service.") var service: String
    @Option(help: "Start of the time range (ISO-8601 or Unix seconds).") var from: String?
    @Option(help: "End of the time range.") var to: String?
    @Option(help: "Only samples carrying this label, as key=value (pprof sample labels; perf: comm).") var label:
        String?

    func range() throws -> TimeRange {
        let range = TimeRange(from: try parseTime(from, option: "from"), to: try parseTime(to, option: "to"))
        if let from = range.from, let to = range.to, from > to {
            throw HeadroomError(.badInput, "--from is after --to")
        }
        return range
    }

    func labelFilter() throws -> Label? { try parseLabel(label) }
}

/// Parses a `--label key=value` option.
func parseLabel(_ text: String?) throws -> Label? {
    guard let text else { return nil }
    guard let parsed = Label(parsing: text) else { throw HeadroomError(.badInput, "--label must be key=value") }
    return parsed
}
