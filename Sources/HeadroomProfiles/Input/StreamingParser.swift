/// A parser fed a profile's (decompressed) bytes chunk by chunk.
protocol StreamingParser {
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws
    /// Ends the input and resolves what was read into a profile.
    mutating func finish() throws -> StackProfile
}

/// A problem with the data, described without the file name; the reader adds it.
struct ParseFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Decodes UTF-8 strictly: profile text with invalid bytes is refused, not silently repaired.
func strictUTF8(_ bytes: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws -> String {
    guard let text = String(validating: bytes, as: UTF8.self) else { throw ParseFailure("\(what()) is not valid UTF-8") }
    return text
}
