import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomDetection

struct ChangepointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changepoints",
        abstract:
            "Change points in the level of one series (CSV with a 'value' column, optionally 'timestamp' and 'build').",
        discussion: """
            One default configuration for any series: robust noise (MAD), spikes clipped, at least --min-segment
            points per segment, Bonferroni-corrected p < --alpha, and each change tested against a local trend
            (a smooth trend is not a staircase of changes; --trend-alpha). Empty or nan cells are missing points; index is the
            data row (0-based) where the new segment starts. With a 'build' (or 'commit') column, consecutive rows of
            one build are repeated measurements and count as one point (their median, at the build's first row).
            """)

    @OptionGroup var formatOptions: FormatOptions
    @Argument(help: "The CSV file.") var file: String
    @Option(help: "Family-wise significance level per split.") var alpha: Double = 0.001
    @Option(name: .customLong("min-segment"), help: "Fewest points in a segment.") var minSegment: Int = 5
    @Option(
        name: .customLong("trend-alpha"),
        help: "Level at which a change must beat a local trend fitted around it (0 turns the guard off).")
    var trendAlpha: Double = 0.01

    struct Row: Encodable {
        var index: Int
        var timestamp: String?
        var before: Double
        var after: Double
        var relative_change: Double?
        var p_value: Double
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(timestamp, forKey: .timestamp)
            try c.encode(before, forKey: .before)
            try c.encode(after, forKey: .after)
            try c.encode(relative_change, forKey: .relative_change)
            try c.encode(p_value, forKey: .p_value)
        }
        enum CodingKeys: String, CodingKey { case index, timestamp, before, after, relative_change, p_value }
    }
    struct Output: Encodable { var changepoints: [Row] }

    func run() throws {
        guard alpha > 0 && alpha < 1 else { throw HeadroomError(.badInput, "--alpha must be between 0 and 1") }
        guard minSegment >= 2 else { throw HeadroomError(.badInput, "--min-segment must be at least 2") }
        guard trendAlpha >= 0, trendAlpha < 1 else {
            throw HeadroomError(.badInput, "--trend-alpha must be between 0 (off) and 1")
        }
        let series = try SeriesCSV.read(file: file)
        let changes = SeriesSegmenter(
            alpha: alpha, minimumSegment: minSegment, noiseFloor: series.noiseFloor,
            trendAlpha: trendAlpha > 0 ? trendAlpha : nil
        ).changes(series.values)
        let rows = changes.map { change in
            Row(
                index: series.rows[change.index], timestamp: series.timestamps?[change.index], before: change.before,
                after: change.after, relative_change: change.relativeChange, p_value: change.pValue)
        }
        if formatOptions.format == .json { return try printJSON(Output(changepoints: rows)) }
        print("\(file): \(series.values.count) points, \(rows.count) change point\(rows.count == 1 ? "" : "s")")
        for row in rows {
            let relative = row.relative_change.map { String(format: "%+.1f%%", $0 * 100) } ?? "n/a"
            let at = row.timestamp.map { " (\($0))" } ?? ""
            print(
                "  row \(row.index)\(at): \(String(format: "%.6g", row.before)) → \(String(format: "%.6g", row.after)) (\(relative)), p = \(String(format: "%.1e", row.p_value))"
            )
        }
    }
}
