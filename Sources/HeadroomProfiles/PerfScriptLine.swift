/// The shape of one `perf script` line, told apart by its content rather than its indent: perf indents frame lines
/// with a tab, but some tools and older perf versions write them in column 0 (`ffffffff8103d0ca native_write_msr_safe
/// ([kernel.kallsyms])`), and a command name may itself look like hex (`dd 29776 …`).
enum PerfScriptLine: Equatable {
    /// A sample header: `comm pid[/tid] [cpu] time: [period] event:`.
    case header(PerfSampleHeader)
    /// A stack frame: the text after the address (`symbol+0x12 (dso)`), as a byte range of the line.
    case frame(Range<Int>)
    /// Neither: a blank line or one that is not `perf script` output.
    case other

    /// Classifies a line (without its newline).
    static func classify(_ line: UnsafeRawBufferPointer) -> PerfScriptLine {
        guard let first = line.firstIndex(where: { !isSpace($0) }) else { return .other }
        let indented = first > 0
        let frame = frameText(line, from: first)
        if indented { return frame.map { .frame($0) } ?? .other }
        if let header = PerfSampleHeader(line) {
            // A column-0 line that parses as both (`dd 29776 …` starts with a hex word) is a header when it ends
            // like one; frames end with their `(dso)`.
            if frame == nil || header.endsWithEvent { return .header(header) }
        }
        if let frame, lastNonSpace(line) == 0x29 { return .frame(frame) }
        return .other
    }

    /// The text after a leading hex address, if the line (from `start`) is `ADDRESS TEXT`.
    private static func frameText(_ line: UnsafeRawBufferPointer, from start: Int) -> Range<Int>? {
        var end = start
        while end < line.count && !isSpace(line[end]) {
            guard isHex(line[end]) else { return nil }
            end += 1
        }
        guard end > start else { return nil }
        var text = end
        while text < line.count && isSpace(line[text]) { text += 1 }
        guard text < line.count else { return nil }
        return text..<line.count
    }

    private static func lastNonSpace(_ line: UnsafeRawBufferPointer) -> UInt8? {
        line.last(where: { !isSpace($0) && $0 != 0x0d })
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }
}

/// A `perf script` sample header, read the way FlameGraph's `stackcollapse-perf.pl` reads it: the command is the
/// text before the first all-digit `pid` or `pid/tid` word; when the header ends in `time: [period] event:`, the
/// event and its period are taken from there (otherwise the event is unknown and the period 1).
struct PerfSampleHeader: Equatable {
    var command: String
    var event: String?
    var period: Int64
    /// Whether the header writes the period (else `period` is 1 by default).
    var hasPeriod = false
    /// The process id (0: the idle task) and the sample's time in seconds, when the header says.
    var pid: Int = -1
    var time: Double?
    /// The header ends with `event:` after a `time:` word, so it cannot be a frame line.
    var endsWithEvent: Bool

    init?(_ line: UnsafeRawBufferPointer) {
        guard let text = String(validating: line, as: UTF8.self) else { return nil }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        guard words.count >= 2,
            let pid = words.indices.dropFirst().first(where: { Self.isProcessID(words[$0]) })
        else { return nil }
        command = words[..<pid].joined(separator: " ")
        self.pid = words[pid].split(separator: "/").first.flatMap { Int($0) } ?? -1
        event = nil
        period = 1
        endsWithEvent = false
        // `… 666709.771979:   10101010 cpu-clock:` — the last word is the event, a `time:` word precedes it, and
        // at most one all-digit word (the period) stands between them.
        let after = words[(pid + 1)...]
        guard let last = after.last, last.count > 1, last.hasSuffix(":") else { return }
        let beforeLast = after.dropLast()
        guard let time = beforeLast.lastIndex(where: { $0.hasSuffix(":") }) else { return }
        let between = beforeLast[(time + 1)...]
        guard between.count <= 1 else { return }
        if let word = between.first {
            guard word.allSatisfy(\.isASCIIDigit), let value = Int64(word) else { return }
            period = max(value, 1)
            hasPeriod = true
        }
        self.time = Double(beforeLast[time].dropLast()).flatMap { $0.isFinite ? $0 : nil }
        event = String(last.dropLast())
        endsWithEvent = true
    }

    private static func isProcessID(_ word: Substring) -> Bool {
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
