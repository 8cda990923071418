import Foundation
import HeadroomCore

/// A batch of whole series read from a long CSV, in flat arrays (one allocation per batch, not per series).
public struct SeriesBatch: Sendable {
    /// Position of the batch in the file, for putting results back in order.
    public var sequence = 0
    public var names: [String] = []
    /// Series s owns points `starts[s]..<starts[s+1]`.
    public var starts: [Int] = [0]
    /// Row of each point within its series (0-based, counting rows whose value is missing).
    public var rows: [Int32] = []
    /// Unix seconds of each point, when the file has a timestamp column.
    public var times: [Int64] = []
    public var values: [Double] = []
    /// Per series: the least noise of one point, from the spread of repeated readings of a build (0 without a
    /// build column).
    public var noiseFloors: [Double] = []

    public var count: Int { names.count }
    public var pointCount: Int { values.count }
}

/// Streams a long CSV `series,timestamp,value` (columns found by header name, any order, other columns ignored)
/// series by series, so memory is bounded by one batch however large the file.
///
/// Rules (each broken rule is one error naming the line):
/// - a series' rows are contiguous and in strictly increasing time (what `ORDER BY series, timestamp` gives); a
///   series that appears again after another one started is an error, since reordering would need the whole file;
/// - an empty value or `nan`/`null`/`na`/`none` is a missing point (the row still counts in `index`);
/// - with a `build` (or `commit`) column, consecutive rows of one build are repeated measurements: they become one
///   point (their median, at the build's first row and time; `BuildGrouper`), and may share a timestamp;
/// - values must be finite numbers; timestamps ISO-8601 or Unix seconds; the series cell must not be empty.
public struct FleetCSVReader {
    public let path: String
    public var batchPoints = 1 << 16

    public init(path: String) { self.path = path }

    /// Calls `body` with consecutive batches; stops early when `body` returns false.
    public func read(_ body: @escaping (SeriesBatch) throws -> Bool) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw HeadroomError(.badInput, "\(path): no such file or not readable") }
        defer { close(fd) }
        var parser = Parser(path: path, batchPoints: batchPoints, deliver: body)
        let chunk = 4 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var carry: [UInt8] = []
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, chunk) }
            if got < 0 { throw HeadroomError(.badInput, "\(path): read failed (errno \(errno))") }
            if got == 0 { break }
            try buffer.withUnsafeBufferPointer { whole in
                let bytes = UnsafeBufferPointer(rebasing: whole[0..<got])
                var start = 0
                if !carry.isEmpty {
                    guard let newline = bytes.firstIndex(of: 0x0A) else {
                        carry.append(contentsOf: bytes)
                        guard carry.count < 1 << 20 else {
                            throw HeadroomError(.badInput, "\(path):\(parser.line + 1): line longer than 1 MiB")
                        }
                        start = got
                        return
                    }
                    carry.append(contentsOf: bytes[0..<newline])
                    try carry.withUnsafeBufferPointer { try parser.line($0) }
                    carry.removeAll(keepingCapacity: true)
                    start = newline + 1
                }
                while start < got {
                    guard let newline = UnsafeBufferPointer(rebasing: bytes[start...]).firstIndex(of: 0x0A) else {
                        carry.append(contentsOf: bytes[start..<got])
                        return
                    }
                    try parser.line(UnsafeBufferPointer(rebasing: bytes[start..<start + newline]))
                    start += newline + 1
                }
            }
            if parser.stopped { return }
        }
        if !carry.isEmpty { try carry.withUnsafeBufferPointer { try parser.line($0) } }
        try parser.finish()
    }

    struct Parser {
        let path: String
        let batchPoints: Int
        let deliver: (SeriesBatch) throws -> Bool
        var line = 0
        var stopped = false
        var seriesColumn = -1
        var timeColumn = -1
        var valueColumn = -1
        var buildColumn = -1
        var builds = BuildGrouper()
        var columns = 0
        var canonical = false
        var batch = SeriesBatch()
        var sequence = 0
        var current: [UInt8] = []
        var hasCurrent = false
        var row: Int32 = 0
        var lastTime = Int64.min
        var seen = Set<UInt64>()

        init(path: String, batchPoints: Int, deliver: @escaping (SeriesBatch) throws -> Bool) {
            self.path = path
            self.batchPoints = batchPoints
            self.deliver = deliver
        }

        func fail(_ message: String) -> HeadroomError { HeadroomError(.badInput, "\(path):\(line): \(message)") }

        mutating func line(_ raw: UnsafeBufferPointer<UInt8>) throws {
            line += 1
            var text = raw
            if let last = text.last, last == 0x0D { text = UnsafeBufferPointer(rebasing: text.dropLast()) }
            if seriesColumn < 0 { return try header(text) }
            if text.isEmpty { return }
            if canonical, hasCurrent, try sameSeriesFastPath(text) { return }
            // Find the three cells we need.
            var cells: (series: Range<Int>, time: Range<Int>, value: Range<Int>, build: Range<Int>) = (
                0..<0, 0..<0, 0..<0, 0..<0
            )
            var column = 0
            var start = 0
            var found = 0
            let needed = 2 + (timeColumn >= 0 ? 1 : 0) + (buildColumn >= 0 ? 1 : 0)
            var i = 0
            let n = text.count
            while true {
                if i == n || text[i] == 0x2C {
                    let cell = Self.trimmed(text, start..<i)
                    if column == seriesColumn {
                        cells.series = cell; found += 1
                    } else if column == timeColumn {
                        cells.time = cell; found += 1
                    } else if column == valueColumn {
                        cells.value = cell; found += 1
                    } else if column == buildColumn {
                        cells.build = cell; found += 1
                    }
                    column += 1
                    start = i + 1
                    if found == needed || i == n { break }
                }
                i += 1
            }
            guard found == needed else { throw fail("expected \(columns) cells, found \(column)") }
            let name = UnsafeBufferPointer(rebasing: text[cells.series])
            guard !name.isEmpty else { throw fail("empty series name") }
            if !hasCurrent || name.count != current.count
                || current.withUnsafeBufferPointer({ memcmp($0.baseAddress!, name.baseAddress!, name.count) }) != 0
            {
                try startSeries(name)
            }
            if buildColumn >= 0 { return try repeated(text, cells.time, cells.value, cells.build, name) }
            if timeColumn >= 0 {
                let cell = UnsafeBufferPointer(rebasing: text[cells.time])
                guard let time = FastParse.timestamp(cell) else {
                    throw fail("'\(Self.string(cell).prefix(40))' is not an ISO-8601 time or Unix seconds")
                }
                guard time > lastTime else {
                    throw fail(
                        "timestamp \(Self.string(cell)) of series \(Self.string(name)) is \(time == lastTime ? "repeated" : "earlier than the one before") (rows of a series must be in time order)"
                    )
                }
                lastTime = time
                defer { row += 1 }
                guard let value = try value(UnsafeBufferPointer(rebasing: text[cells.value])) else { return }
                batch.times.append(time)
                batch.values.append(value)
                batch.rows.append(row)
            } else {
                defer { row += 1 }
                guard let value = try value(UnsafeBufferPointer(rebasing: text[cells.value])) else { return }
                batch.values.append(value)
                batch.rows.append(row)
            }
        }

        /// A row of a file with a build column: its reading joins its build's; a finished build becomes a point.
        mutating func repeated(
            _ text: UnsafeBufferPointer<UInt8>, _ timeCell: Range<Int>, _ valueCell: Range<Int>,
            _ buildCell: Range<Int>, _ name: UnsafeBufferPointer<UInt8>
        ) throws {
            let build = UnsafeBufferPointer(rebasing: text[buildCell])
            var time: Int64?
            if timeColumn >= 0 {
                let cell = UnsafeBufferPointer(rebasing: text[timeCell])
                guard let parsed = FastParse.timestamp(cell) else {
                    throw fail("'\(Self.string(cell).prefix(40))' is not an ISO-8601 time or Unix seconds")
                }
                // Repeats of one build may share a time; builds must move forward.
                let sameBuild = builds.isCurrent(build)
                guard parsed > lastTime || (sameBuild && parsed == lastTime) else {
                    throw fail(
                        "timestamp \(Self.string(cell)) of series \(Self.string(name)) is \(parsed == lastTime ? "repeated by another build" : "earlier than the one before") (rows of a series must be in time order)"
                    )
                }
                lastTime = parsed
                time = parsed
            }
            defer { row += 1 }
            let value = try value(UnsafeBufferPointer(rebasing: text[valueCell]))
            if let point = builds.add(build: build, row: Int(row), time: time, value: value) { append(point) }
        }

        mutating func append(_ point: BuildGrouper.Point) {
            if let time = point.time { batch.times.append(time) }
            batch.values.append(point.value)
            batch.rows.append(Int32(point.row))
        }

        /// `series,timestamp,value` in that order: most lines continue the current series, so check the name with
        /// one memcmp and read the two numbers directly. Returns false (and leaves the line to the general path)
        /// for anything unusual.
        mutating func sameSeriesFastPath(_ text: UnsafeBufferPointer<UInt8>) throws -> Bool {
            let nameLength = current.count
            guard text.count > nameLength + 3, text[nameLength] == 0x2C,
                current.withUnsafeBufferPointer({ memcmp($0.baseAddress!, text.baseAddress!, nameLength) }) == 0
            else { return false }
            var comma = nameLength + 1
            while comma < text.count && text[comma] != 0x2C { comma += 1 }
            guard comma < text.count - 1 else { return false }
            let timeCell = UnsafeBufferPointer(rebasing: text[(nameLength + 1)..<comma])
            let valueCell = UnsafeBufferPointer(rebasing: text[(comma + 1)...])
            guard let time = FastParse.timestamp(timeCell), time > lastTime, let value = FastParse.double(valueCell)
            else {
                return false
            }
            lastTime = time
            row += 1
            batch.times.append(time)
            batch.values.append(value)
            batch.rows.append(row - 1)
            return true
        }

        func value(_ cell: UnsafeBufferPointer<UInt8>) throws -> Double? {
            if cell.isEmpty { return nil }
            if let value = FastParse.double(cell) { return value }
            let text = Self.string(cell)
            if ["nan", "null", "na", "none"].contains(text.lowercased()) { return nil }
            guard let value = Double(text), value.isFinite else {
                throw fail("value '\(text.prefix(40))' is not a finite number")
            }
            return value
        }

        mutating func startSeries(_ name: UnsafeBufferPointer<UInt8>) throws {
            if hasCurrent { try endSeries() }
            let hash = FastParse.hash(name)
            guard seen.insert(hash).inserted else {
                throw fail(
                    "series \(Self.string(name)) appears again after other series (sort the file by series, then timestamp)"
                )
            }
            current = Array(name)
            hasCurrent = true
            row = 0
            lastTime = .min
            batch.names.append(Self.string(name))
        }

        mutating func endSeries() throws {
            if buildColumn >= 0 {
                if let point = builds.close() { append(point) }
                batch.noiseFloors.append(builds.noiseFloor())
                builds.reset()
            } else {
                batch.noiseFloors.append(0)
            }
            batch.starts.append(batch.values.count)
            if batch.values.count >= batchPoints { try flush() }
        }

        mutating func flush() throws {
            guard !batch.names.isEmpty else { return }
            batch.sequence = sequence
            sequence += 1
            if try !deliver(batch) { stopped = true }
            batch = SeriesBatch()
            batch.values.reserveCapacity(batchPoints + 512)
            batch.rows.reserveCapacity(batchPoints + 512)
            if timeColumn >= 0 { batch.times.reserveCapacity(batchPoints + 512) }
        }

        mutating func finish() throws {
            if seriesColumn < 0 {
                throw HeadroomError(.badInput, "\(path): empty file (expected a header series,timestamp,value)")
            }
            guard hasCurrent else { throw HeadroomError(.badInput, "\(path): no data rows after the header") }
            try endSeries()
            try flush()
        }

        mutating func header(_ text: UnsafeBufferPointer<UInt8>) throws {
            let names = Self.string(text).split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    .lowercased()
            }
            columns = names.count
            guard let s = names.firstIndex(of: "series"), let v = names.firstIndex(of: "value") else {
                throw fail("the header needs 'series' and 'value' columns (it has: \(names.joined(separator: ", ")))")
            }
            seriesColumn = s
            valueColumn = v
            timeColumn = names.firstIndex(of: "timestamp") ?? -1
            buildColumn = names.firstIndex(of: "build") ?? names.firstIndex(of: "commit") ?? -1
            canonical = s == 0 && timeColumn == 1 && v == 2 && names.count == 3
        }

        static func trimmed(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
            var lower = range.lowerBound
            var upper = range.upperBound
            while lower < upper && (text[lower] == 0x20 || text[lower] == 0x09) { lower += 1 }
            while upper > lower && (text[upper - 1] == 0x20 || text[upper - 1] == 0x09) { upper -= 1 }
            if upper - lower >= 2 && text[lower] == 0x22 && text[upper - 1] == 0x22 { return lower + 1..<upper - 1 }
            return lower..<upper
        }

        static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
    }
}

extension FleetCSVReader {
    /// A cell as a number the way the reader sees it: the exact fast path, else Swift's own parser.
    public static func parseNumber(_ cell: UnsafeBufferPointer<UInt8>) -> Double? {
        FastParse.double(cell) ?? Double(String(decoding: cell, as: UTF8.self))
    }

    /// A cell as Unix seconds the way the reader sees it.
    public static func parseTime(_ cell: UnsafeBufferPointer<UInt8>) -> Int64? { FastParse.timestamp(cell) }
}
