import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomStore

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "The costliest functions of a service.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "The service.") var service: String
    @Option(help: "Rank by self or total samples.") var by: String = "self"
    @Option(name: .short, help: "How many functions.") var n: Int = 20
    @Option(help: "Start of the time range (ISO-8601 or Unix seconds).") var from: String?
    @Option(help: "End of the time range.") var to: String?

    struct Row: Encodable {
        var function: String
        var file: String?
        var selfShare: Double
        var total: Double
        var self_samples: Int64
        var total_samples: Int64
        enum CodingKeys: String, CodingKey {
            case function, file, total, self_samples, total_samples
            case selfShare = "self"
        }
    }
    struct Output: Encodable {
        var total_samples: Int64
        var functions: [Row]
    }

    func run() throws {
        guard by == "self" || by == "total" else { throw HeadroomError(.badInput, "--by must be self or total") }
        guard n > 0 else { throw HeadroomError(.badInput, "-n must be positive") }
        let store = try Store.open(path: storeOptions.store, create: false)
        try store.requireService(service)
        let result = try store.top(service: service, from: parseTime(from, option: "from"),
                                   to: parseTime(to, option: "to"), byTotal: by == "total", limit: n)
        let total = max(Double(result.totalSamples), 1)
        let rows = result.rows.map {
            Row(function: $0.function.name, file: $0.function.file, selfShare: Double($0.selfSamples) / total,
                total: Double($0.totalSamples) / total, self_samples: $0.selfSamples, total_samples: $0.totalSamples)
        }
        if formatOptions.format == .json { return try printJSON(Output(total_samples: result.totalSamples, functions: rows)) }
        print("\(service): \(result.totalSamples) samples")
        print("    self    total  function")
        for row in rows {
            let name = row.function + (row.file.map { " (\($0))" } ?? "")
            print(String(format: "%7.2f%% %7.2f%%  ", row.selfShare * 100, row.total * 100) + name)
        }
    }
}
