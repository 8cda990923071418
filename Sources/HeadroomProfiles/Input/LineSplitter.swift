import Foundation

/// Splits a byte stream into lines (`\n`, with a trailing `\r` dropped) across chunk boundaries.
///
/// A line is handed over as a pointer into the chunk when it lies wholly inside one; only a line cut by a chunk
/// boundary is copied. Lines longer than `maximumLineLength` are refused, so a file with no newlines cannot make
/// the carry buffer grow without bound.
struct LineSplitter {
    static let maximumLineLength = 16 << 20
    private var carry: [UInt8] = []
    private(set) var lineNumber = 0

    mutating func consume(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws
    {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while let newline = Self.findNewline(chunk, from: start) {
            lineNumber += 1
            if carry.isEmpty {
                try body(Self.trimmed(UnsafeRawBufferPointer(start: base + start, count: newline - start)), lineNumber)
            } else {
                carry.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: newline - start))
                try checkLength()
                try carry.withUnsafeBytes { try body(Self.trimmed($0), lineNumber) }
                carry.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
        if start < chunk.count {
            carry.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: chunk.count - start))
            try checkLength()
        }
    }

    /// Hands over a last line that has no newline.
    mutating func finish(_ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        guard !carry.isEmpty else { return }
        lineNumber += 1
        try carry.withUnsafeBytes { try body(Self.trimmed($0), lineNumber) }
        carry.removeAll()
    }

    private func checkLength() throws {
        if carry.count > Self.maximumLineLength { throw LineTooLong(line: lineNumber + 1) }
    }

    struct LineTooLong: Error { var line: Int }

    private static func findNewline(_ chunk: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < chunk.count else { return nil }
        guard let found = memchr(chunk.baseAddress! + start, 0x0a, chunk.count - start) else { return nil }
        return chunk.baseAddress!.distance(to: UnsafeRawPointer(found))
    }

    private static func trimmed(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if let last = line.last, last == 0x0d { return UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        return line
    }
}
