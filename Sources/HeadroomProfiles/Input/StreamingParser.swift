/// A parser fed a profile's (decompressed) bytes chunk by chunk.
protocol StreamingParser {
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws
    /// Ends the input and resolves what was read into a profile.
    mutating func finish() throws -> StackProfile
}

/// A text format read line by line: conformers handle one line and resolve the profile at the end; the driver
/// below feeds them from a `LineSplitter`.
protocol LineParser: StreamingParser {
    var lines: LineSplitter { get set }
    mutating func line(_ line: UnsafeRawBufferPointer, _ number: Int) throws
    /// Resolves what the lines added up to.
    mutating func profileAfterLastLine() throws -> StackProfile
}

extension LineParser {
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var splitter = lines  // moved out, so that the line handler may mutate self
        lines = LineSplitter()
        defer { lines = splitter }
        try splitter.consume(bytes) { line, number in try self.line(line, number) }
    }

    mutating func finish() throws -> StackProfile {
        var splitter = lines
        lines = LineSplitter()
        try splitter.finish { line, number in try self.line(line, number) }
        return try profileAfterLastLine()
    }
}

/// A problem with the data, described without the file name; the reader adds it.
struct ParseFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Decodes UTF-8 strictly: profile text with invalid bytes is refused, not silently repaired.
func strictUTF8(_ bytes: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws -> String {
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw ParseFailure("\(what()) is not valid UTF-8")
    }
    return text
}
