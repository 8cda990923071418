import Foundation
import HeadroomCore

/// JSON-RPC 2.0 messages framed as the Language Server Protocol's base protocol: a `Content-Length` header, a blank
/// line, then that many bytes of UTF-8 JSON.
public enum LSPFraming {
    /// Frames one message.
    public static func frame(_ message: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(message)
        return Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    /// Takes every complete message off the front of `buffer`; what remains is an incomplete one. A malformed
    /// header throws (the stream cannot be resynchronised).
    public static func take(from buffer: inout Data, limit: Int = 64 << 20) throws -> [Data] {
        var messages: [Data] = []
        let separator = Data("\r\n\r\n".utf8)
        while let end = buffer.range(of: separator) {
            let header = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
            var length: Int?
            for line in header.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" {
                    length = Int(parts[1].trimmingCharacters(in: .whitespaces))
                }
            }
            guard let length, length >= 0, length <= limit else {
                throw HeadroomError(.badInput, "LSP: a message header without a valid Content-Length")
            }
            guard buffer.distance(from: end.upperBound, to: buffer.endIndex) >= length else { break }
            let bodyEnd = buffer.index(end.upperBound, offsetBy: length)
            messages.append(Data(buffer[end.upperBound..<bodyEnd]))
            buffer = Data(buffer[bodyEnd...])
        }
        return messages
    }
}

/// Writes framed messages to a file handle, one at a time (the reader loop and background work both send).
public final class LSPWriter: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    public init(handle: FileHandle) { self.handle = handle }

    public func send(_ message: JSONValue) {
        guard let data = try? LSPFraming.frame(message) else { return }
        lock.lock()
        defer { lock.unlock() }
        try? handle.write(contentsOf: data)
    }
}
