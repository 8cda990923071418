import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore

struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect", abstract: "Detect regressions in function-level CPU share over the store.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "Only this service.") var service: String?

    struct Row: Encodable {
        var id: Int64
        var series: String
        var service: String
        var function: String
        var file: String?
        var metric: String
        var index: Int
        var timestamp: String
        var before: Double
        var after: Double
        var relative_change: Double
        var kind: String
        var confidence: Double
        var p_value: Double
        var members: [String]
    }

    func run() throws {
        let store = try Store.open(path: storeOptions.store, create: false)
        let found = try DetectionService(store: store).run(service: service)
        let rows = found.map { r in
            Row(id: r.id ?? 0, series: "\(r.service):\(r.function.name):\(r.metric.rawValue)", service: r.service,
                function: r.function.name, file: r.function.file, metric: r.metric.rawValue, index: r.index,
                timestamp: Timestamps.format(r.timestamp), before: r.before, after: r.after,
                relative_change: r.relativeChange, kind: r.kind.rawValue, confidence: r.confidence,
                p_value: r.pValue, members: r.members.map { "\($0.function.name):\($0.metric.rawValue)" })
        }
        if formatOptions.format == .json { return try printJSON(["regressions": rows]) }
        if rows.isEmpty { return print("no regressions") }
        for row in rows {
            let name = row.function + (row.file.map { " (\($0))" } ?? "")
            print("#\(row.id) \(row.kind) \(name) \(row.metric) share "
                  + String(format: "%.2f%% → %.2f%% (%+.1f%%)", row.before * 100, row.after * 100,
                           row.relative_change * 100)
                  + " at \(row.timestamp), p=" + String(format: "%.2g", row.p_value))
            if !row.members.isEmpty { print("    same event: \(row.members.prefix(6).joined(separator: ", "))") }
        }
    }
}
