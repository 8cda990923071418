import Foundation
import HeadroomCore

/// One numeric series read from CSV: a header naming a `value` column and optionally `timestamp`.
///
/// Documented behaviour for awkward input:
/// - an empty `value` cell, or `nan`/`NaN`/`null`/`NA`, is a missing point: skipped, but rows keep their index;
/// - timestamps (ISO-8601 or Unix seconds) must be strictly increasing: a duplicate or an earlier one is an error
///   naming the line, since silently reordering would move change points;
/// - non-numeric text, `inf`, a missing `value` column, or a row with too few cells is an error naming the line;
/// - a file with no data rows is an error; a series too short for two segments simply has no change points;
/// - with a `build` (or `commit`) column, consecutive rows of one build are repeated measurements and become one
///   point: their median, at the build's first row (`BuildGrouper`); repeats of a build may share a timestamp.
public struct SeriesCSV: Sendable {
    /// Row index of each present point (0 = first data row).
    public var rows: [Int]
    public var values: [Double]
    /// The timestamp text of each present point, when the file has a timestamp column.
    public var timestamps: [String]?
    /// With a build column: the least noise of one point, from the spread of the builds' repeats; else 0.
    public var noiseFloor: Double = 0

    public static func read(file: String) throws -> SeriesCSV {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HeadroomError(.badInput, "\(file): no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HeadroomError(.badInput, "\(file): not UTF-8 text")
        }
        return try parse(text, source: file)
    }

    public static func parse(_ text: String, source: String) throws -> SeriesCSV {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw HeadroomError(.badInput, "\(source): empty file") }
        let header = cells(headerLine).map { $0.lowercased() }
        guard let valueColumn = header.firstIndex(of: "value") else {
            throw HeadroomError(
                .badInput, "\(source):1: the header has no 'value' column (it has: \(header.joined(separator: ", ")))")
        }
        let timeColumn = header.firstIndex(of: "timestamp")
        let buildColumn = header.firstIndex(of: "build") ?? header.firstIndex(of: "commit")
        var series = SeriesCSV(rows: [], values: [], timestamps: timeColumn == nil ? nil : [])
        var builds = BuildGrouper()
        var timeTexts: [Int: String] = [:]
        func append(_ point: BuildGrouper.Point) {
            series.rows.append(point.row)
            series.values.append(point.value)
            if timeColumn != nil { series.timestamps?.append(timeTexts[point.row] ?? "") }
        }
        var lastTime: Int64?
        var lastTimeText = ""
        let dataLines = lines.dropFirst()
        guard !dataLines.isEmpty else { throw HeadroomError(.badInput, "\(source): no data rows after the header") }
        for (offset, line) in dataLines.enumerated() {
            let number = offset + 2
            let row = cells(line)
            guard row.count > max(valueColumn, timeColumn ?? 0, buildColumn ?? 0) else {
                throw HeadroomError(
                    .badInput, "\(source):\(number): expected \(header.count) cells, found \(row.count)")
            }
            if let timeColumn {
                let text = row[timeColumn]
                guard let time = Timestamps.parse(text) else {
                    throw HeadroomError(
                        .badInput, "\(source):\(number): '\(text.prefix(40))' is not an ISO-8601 time or Unix seconds")
                }
                let sameBuild =
                    buildColumn.map { column in
                        Array(row[column].utf8).withUnsafeBufferPointer { builds.isCurrent($0) }
                    } ?? false
                if let lastTime, time < lastTime || (time == lastTime && !sameBuild) {
                    let what = time == lastTime ? "repeats" : "is earlier than"
                    throw HeadroomError(
                        .badInput,
                        "\(source):\(number): timestamp \(text) \(what) \(lastTimeText) (rows must be in time order)")
                }
                lastTime = time
                lastTimeText = text
            }
            let cell = row[valueColumn]
            var value: Double?
            if !(cell.isEmpty || ["nan", "null", "na", "none"].contains(cell.lowercased())) {
                guard let number = Double(cell), number.isFinite else {
                    throw HeadroomError(
                        .badInput, "\(source):\(number): value '\(cell.prefix(40))' is not a finite number")
                }
                value = number
            }
            if let buildColumn {
                if let timeColumn { timeTexts[offset] = row[timeColumn] }
                let point = Array(row[buildColumn].utf8).withUnsafeBufferPointer {
                    builds.add(build: $0, row: offset, time: nil, value: value)
                }
                if let point { append(point) }
                continue
            }
            guard let value else { continue }
            series.rows.append(offset)
            series.values.append(value)
            if let timeColumn { series.timestamps?.append(row[timeColumn]) }
        }
        if buildColumn != nil {
            if let point = builds.close() { append(point) }
            series.noiseFloor = builds.noiseFloor()
        }
        return series
    }

    /// Comma-separated cells, trimmed, with surrounding double quotes removed.
    static func cells(_ line: String) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
            var text = cell.trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = String(text.dropFirst().dropLast())
            }
            return text
        }
    }
}
