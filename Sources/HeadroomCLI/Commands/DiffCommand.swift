import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Per-function change in CPU share between two time ranges, with a significance test.",
        discussion: """
            Ranges are FROM..TO (ISO-8601 or Unix seconds; either end may be empty). Rows are sorted by impact, the
            absolute change in share; p is the two-proportion test on the sample counts, and '*' marks changes
            significant after Bonferroni over all functions at --alpha.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "The service.") var service: String
    @Option(help: "The baseline range FROM..TO.") var before: String
    @Option(help: "The range to compare, FROM..TO.") var after: String
    @Option(help: "Only samples carrying this label, as key=value.") var label: String?
    @Option(help: "Compare self or total (inclusive) share.") var by: String = "self"
    @Option(name: .short, help: "How many functions.") var n: Int = 20
    @Option(help: "Family-wise significance level.") var alpha: Double = 0.001

    struct Row: Encodable {
        var function: String
        var file: String?
        var before: Double
        var after: Double
        var change: Double
        var relative: Double?
        var before_samples: Int64
        var after_samples: Int64
        var z: Double
        var p_value: Double
        var significant: Bool
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(function, forKey: .function)
            try c.encode(file, forKey: .file)
            try c.encode(before, forKey: .before)
            try c.encode(after, forKey: .after)
            try c.encode(change, forKey: .change)
            try c.encode(relative, forKey: .relative)
            try c.encode(before_samples, forKey: .before_samples)
            try c.encode(after_samples, forKey: .after_samples)
            try c.encode(z, forKey: .z)
            try c.encode(p_value, forKey: .p_value)
            try c.encode(significant, forKey: .significant)
        }
        enum CodingKeys: String, CodingKey {
            case function, file, before, after, change, relative, before_samples, after_samples, z, p_value, significant
        }
    }
    struct Side: Encodable {
        var range: String
        var total_samples: Int64
    }
    struct Output: Encodable {
        var service: String
        var metric: String
        var before: Side
        var after: Side
        var functions: [Row]
    }

    func run() throws {
        guard by == "self" || by == "total" else { throw HeadroomError(.badInput, "--by must be self or total") }
        guard n > 0 else { throw HeadroomError(.badInput, "-n must be positive") }
        guard alpha > 0 && alpha < 1 else { throw HeadroomError(.badInput, "--alpha must be between 0 and 1") }
        let beforeRange = try TimeRange.parse(before, option: "before")
        let afterRange = try TimeRange.parse(after, option: "after")
        let filter = try parseLabel(label)
        let store = try Store.open(path: storeOptions.store, create: false)
        try store.requireService(service)
        let diff = try ProfileQueries(store: store).diff(
            service: service, before: beforeRange, after: afterRange, byTotal: by == "total", label: filter, alpha: alpha, limit: n)
        let rows = diff.functions.prefix(n).map {
            Row(function: $0.function.name, file: $0.function.file, before: $0.beforeShare, after: $0.afterShare,
                change: $0.change, relative: $0.relative, before_samples: $0.beforeSamples,
                after_samples: $0.afterSamples, z: $0.zScore, p_value: $0.pValue, significant: $0.significant)
        }
        if formatOptions.format == .json {
            return try printJSON(Output(
                service: service, metric: by, before: Side(range: beforeRange.description, total_samples: diff.beforeTotal),
                after: Side(range: afterRange.description, total_samples: diff.afterTotal), functions: Array(rows)))
        }
        print("\(service), \(by) share: before \(beforeRange) (\(diff.beforeTotal) samples) → after \(afterRange) (\(diff.afterTotal) samples)")
        print("  before    after   change  relative        p     function")
        for row in rows {
            let relative = row.relative.map { String(format: "%+8.0f%%", $0 * 100) } ?? "      new"
            let name = row.function + (row.file.map { " (\($0))" } ?? "")
            let shares = String(format: "%7.2f%% %7.2f%% %+7.2fpt", row.before * 100, row.after * 100, row.change * 100)
            let p = String(format: "%8.1e", row.p_value)
            let mark = row.significant ? " * " : "   "
            print("\(shares) \(relative) \(p)\(mark)\(name)")
        }
    }
}
