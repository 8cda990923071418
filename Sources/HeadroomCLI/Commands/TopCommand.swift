import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "The costliest functions of a service.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var query: QueryOptions
    @Option(help: "Rank by self or total samples.") var by: String = "self"
    @Option(name: .short, help: "How many functions.") var n: Int = 20

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
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(function, forKey: .function)
            try container.encode(file, forKey: .file)  // null when unknown, never left out
            try container.encode(selfShare, forKey: .selfShare)
            try container.encode(total, forKey: .total)
            try container.encode(self_samples, forKey: .self_samples)
            try container.encode(total_samples, forKey: .total_samples)
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
        try store.requireService(query.service)
        let result = try ProfileQueries(store: store).top(
            service: query.service, range: query.range(), byTotal: by == "total", limit: n, label: query.labelFilter())
        let total = max(Double(result.totalSamples), 1)
        let rows = result.rows.map {
            Row(function: $0.function.name, file: $0.function.file, selfShare: Double($0.selfSamples) / total,
                total: Double($0.totalSamples) / total, self_samples: $0.selfSamples, total_samples: $0.totalSamples)
        }
        if formatOptions.format == .json { return try printJSON(Output(total_samples: result.totalSamples, functions: rows)) }
        print("\(query.service): \(result.totalSamples) samples")
        print("    self    total  function")
        for row in rows {
            let name = row.function + (row.file.map { " (\($0))" } ?? "")
            print(String(format: "%7.2f%% %7.2f%%  ", row.selfShare * 100, row.total * 100) + name)
        }
    }
}
