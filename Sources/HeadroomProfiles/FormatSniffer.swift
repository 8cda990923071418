import Foundation
import HeadroomCore

/// Tells the format from the first (decompressed) bytes. Text must look like one of the formats from its first
/// meaningful line: a folded stack (`a;b;c 12`), or a `perf script` sample header followed by a stack frame.
/// Anything else is refused with one line saying what was expected, so that a README is not read as a profile.
enum FormatSniffer {
    static let expected =
        "expected a pprof profile (protobuf, optionally gzip), folded stacks ('frame;frame COUNT' lines) or `perf script` output; --profile-format forces a reader"

    static func sniff(_ bytes: UnsafeRawBufferPointer, compressed: Bool) throws -> ProfileFormat {
        let head = UnsafeRawBufferPointer(rebasing: bytes.prefix(64 << 10))
        let binary = head.prefix(4096).contains { $0 < 0x09 || ($0 > 0x0d && $0 < 0x20 && $0 != 0x1b) }
        if binary {
            // A pprof Profile starts with one of its fields as a protobuf tag (field 1–16, a valid wire type).
            let first = head[0]
            let field = first >> 3
            let wireType = first & 7
            if field >= 1 && field <= 16 && (wireType == 0 || wireType == 2) { return .pprof }
            if LegacyPprof.isBinaryCPUProfile(head) {
                throw ParseFailure(
                    "legacy binary CPU profile: a legacy pprof format, not supported (convert it with `go tool pprof -proto`)"
                )
            }
            throw ParseFailure(
                compressed
                    ? "gzip data that is neither a pprof profile nor profile text"
                    : "binary data that is neither gzip, a pprof profile nor profile text")
        }
        if let legacy = LegacyPprof.name(of: head) {
            throw ParseFailure(
                "\(legacy): a legacy pprof format, not supported (convert it with `go tool pprof -proto`)")
        }
        var header: PerfSampleHeader?
        var index = 0
        var lines = 0
        while index < head.count && lines < 200 {
            let end = head[index...].firstIndex(of: 0x0a) ?? head.count
            let line = UnsafeRawBufferPointer(rebasing: head[index..<end])
            index = end + 1
            lines += 1
            guard line.contains(where: { !PerfScriptLine.isSpace($0) && $0 != 0x0d }) else { continue }
            if header == nil && line.first == 0x23 { continue }  // `perf script --header` comments
            if header != nil {
                if case .frame = PerfScriptLine.classify(line) { return .perf }
                throw ParseFailure(expected)
            }
            if isFolded(line) { return .folded }
            guard case .header(let parsed) = PerfScriptLine.classify(line) else { throw ParseFailure(expected) }
            header = parsed
        }
        throw ParseFailure(expected)
    }

    /// `frames COUNT`: text, then whitespace, then a decimal count at the end; or a line of `;`-separated frames,
    /// which the folded reader then checks line by line (so a bad count is named as such).
    private static func isFolded(_ line: UnsafeRawBufferPointer) -> Bool {
        if line.contains(0x3b) { return true }
        var end = line.count
        while end > 0 && (line[end - 1] == 0x20 || line[end - 1] == 0x0d) { end -= 1 }
        var digits = end
        while digits > 0 && line[digits - 1] >= 0x30 && line[digits - 1] <= 0x39 { digits -= 1 }
        return digits < end && digits > 0 && PerfScriptLine.isSpace(line[digits - 1])
    }
}

/// The text formats pprof wrote before `profile.proto` (heap, contention, thread and symbol dumps).
enum LegacyPprof {
    static func name(of head: UnsafeRawBufferPointer) -> String? {
        let start = String(decoding: head.prefix(64), as: UTF8.self)
        let prefixes = [
            ("heap profile:", "heap profile"), ("heap_v2/", "heap profile"), ("--- heapz", "heap profile"),
            ("--- contention", "contention profile"), ("--- mutex", "contention profile"),
            ("--- threadz", "thread profile"), ("--- symbol", "symbol dump"), ("--- growthz", "growth profile"),
            ("--- heap", "heap profile"),
        ]
        return prefixes.first { start.hasPrefix($0.0) }.map(\.1)
    }

    /// gperftools' binary CPU profile: a header of words 0, 3, 0, period, 0 (32- or 64-bit, either byte order).
    static func isBinaryCPUProfile(_ head: UnsafeRawBufferPointer) -> Bool {
        guard head.count >= 16 else { return false }
        let bytes = Array(head.prefix(16))
        let words32 = [bytes[0..<4], bytes[4..<8]].map { Array($0) }
        let words64 = [bytes[0..<8], bytes[8..<16]].map { Array($0) }
        func isThree(_ word: [UInt8]) -> Bool {
            word.filter { $0 != 0 } == [3] && (word.first == 3 || word.last == 3)
        }
        return (words32[0].allSatisfy { $0 == 0 } && isThree(words32[1]))
            || (words64[0].allSatisfy { $0 == 0 } && isThree(words64[1]))
    }
}
