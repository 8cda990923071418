import Foundation
import HeadroomCore

/// Reads profile files in one streaming pass: the raw bytes are hashed, inflated when gzip, and fed to the
/// format's parser chunk by chunk, so memory stays bounded by the profile's unique stacks.
///
/// Every problem becomes one `HeadroomError` line that names the file.
public enum ProfileReader {
    static let chunkSize = 1 << 20

    public static func read(file: String, options: ProfileReadOptions = ProfileReadOptions()) throws -> ReadProfile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw HeadroomError(.badInput, "\(file): no such file")
        }
        guard !isDirectory.boolValue else { throw HeadroomError(.badInput, "\(file): is a directory, not a profile") }
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw HeadroomError(.badInput, "\(file): cannot read")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0
        // Two stages on two threads: reading, hashing and inflating on one, parsing on this one, handing over
        // decompressed pieces through a small bounded queue (so memory stays bounded too).
        let queue = BoundedQueue<Piece>(capacity: 8)
        let released = DispatchSemaphore(value: 0)
        let progress = options.progress
        let producer = Thread {
            defer { released.signal() }
            var decoder = Decoder(source: file)
            var read: Int64 = 0
            do {
                defer { try? handle.close() }
                while true {
                    let chunk = try handle.read(upToCount: chunkSize) ?? Data()
                    if chunk.isEmpty { break }
                    // Before the first piece, so the parser knows what it is reading.
                    if read == 0, !queue.push(.compressed(chunk.starts(with: [0x1f, 0x8b]))) { return }
                    read += Int64(chunk.count)
                    try decoder.decode(chunk) { piece in
                        guard queue.push(.data(piece)) else { throw CancellationError() }
                    }
                    progress?(read, size)
                }
                try decoder.finish()
                queue.push(.end(hash: decoder.hash(), compressed: decoder.compressed))
            } catch is CancellationError {
            } catch {
                queue.push(.failed(error))
            }
            queue.close()
        }
        producer.stackSize = 1 << 20
        producer.start()
        var session = ReadSession(source: file, options: options)
        var compressed = false
        var finished: (hash: String, compressed: Bool)?
        do {
            while let piece = queue.pop() {
                switch piece {
                case .compressed(let value): compressed = value
                case .data(let data): try data.withUnsafeBytes { try session.parse($0, compressed: compressed) }
                case .failed(let error): throw error
                case .end(let hash, let wasCompressed):
                    finished = (hash ?? "", wasCompressed)
                }
            }
        } catch {
            // Stop the decoding thread and wait until it has let go of the file.
            queue.cancel()
            released.wait()
            throw session.describe(error)
        }
        released.wait()
        return try session.finish(hash: finished?.hash ?? "", compressed: finished?.compressed ?? compressed)
    }

    /// What the decoding thread hands the parser, in order.
    private enum Piece: @unchecked Sendable {
        case compressed(Bool)
        case data(Data)
        case end(hash: String?, compressed: Bool)
        case failed(any Error)
    }

    /// Reads a profile held in memory; `source` names it in errors.
    public static func read(data: Data, source: String, options: ProfileReadOptions = ProfileReadOptions()) throws
        -> ReadProfile
    {
        var decoder = Decoder(source: source)
        var session = ReadSession(source: source, options: options)
        let compressed = data.starts(with: [0x1f, 0x8b])
        var offset = 0
        do {
            while offset < data.count {
                let end = min(offset + chunkSize, data.count)
                try data[offset..<end].withUnsafeBytes { raw in
                    try decoder.decode(raw) { piece in try session.parse(piece, compressed: compressed) }
                }
                offset = end
            }
            try decoder.finish()
        } catch {
            throw session.describe(error)
        }
        return try session.finish(hash: decoder.hash(), compressed: decoder.compressed)
    }
}

/// The first stage of a read: hashes the raw bytes and inflates gzip, handing decompressed pieces on.
struct Decoder {
    let source: String
    private var hasher = SHA256()
    private var inflater: Inflater?
    private var decided = false
    private var output = [UInt8](repeating: 0, count: 256 << 10)

    init(source: String) { self.source = source }

    var compressed: Bool { inflater != nil }

    mutating func decode(_ raw: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !raw.isEmpty else { return }
        try begin(raw)
        guard let inflater else { return try sink(raw) }
        try inflate(raw, with: inflater, sink)
    }

    /// Hashes the raw bytes and, on the first chunk, decides whether they are gzip.
    private mutating func begin(_ raw: UnsafeRawBufferPointer) throws {
        hasher.update(raw)
        if !decided {
            decided = true
            if raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b { inflater = try Inflater(source: source) }
        }
    }

    private mutating func inflate(
        _ raw: UnsafeRawBufferPointer, with inflater: Inflater,
        _ sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var buffer = output
        output = []
        defer { output = buffer }
        try buffer.withUnsafeMutableBytes { out in try inflater.inflate(raw, into: out, sink: sink) }
    }

    /// Like `decode(_:_:)` for a whole chunk; uncompressed chunks are handed on as they are, without a copy.
    mutating func decode(_ chunk: Data, _ sink: (Data) throws -> Void) throws {
        guard !chunk.isEmpty else { return }
        try chunk.withUnsafeBytes { try begin($0) }
        guard let inflater else { return try sink(chunk) }
        try chunk.withUnsafeBytes { raw in try inflate(raw, with: inflater) { piece in try sink(Data(piece)) } }
    }

    func finish() throws { try inflater?.finish() }

    mutating func hash() -> String { hasher.finalizeHex() }
}

/// The second stage: sniffs the format from the first decompressed bytes and feeds the parser.
struct ReadSession {
    let source: String
    let options: ProfileReadOptions
    private var parser: (any StreamingParser)?
    private var format: ProfileFormat?
    private var sawBytes = false
    private var compressedInput = false
    private var parsedBytes: Int64 = 0

    init(source: String, options: ProfileReadOptions) {
        self.source = source
        self.options = options
    }

    mutating func parse(_ bytes: UnsafeRawBufferPointer, compressed: Bool = false) throws {
        guard !bytes.isEmpty else { return }
        sawBytes = true
        parsedBytes += Int64(bytes.count)
        guard parsedBytes <= options.maximumBytes else {
            throw ParseFailure(
                "\(compressed ? "decompresses to" : "is") more than \(options.maximumBytes >> 20) MiB, the limit (--max-profile-mb raises it)"
            )
        }
        if parser == nil {
            let chosen = try options.format ?? FormatSniffer.sniff(bytes, compressed: compressed)
            format = chosen
            switch chosen {
            case .pprof:
                parser = PprofParser(
                    sampleType: options.sampleType,
                    limits: .init(
                        strings: options.maximumStrings, stringBytes: options.maximumStringBytes))
            case .folded: parser = FoldedParser(cache: options.frameCache)
            case .perf: parser = PerfScriptParser(event: options.sampleType)
            }
        }
        try parser!.consume(bytes)
    }

    mutating func finish(hash: String, compressed: Bool) throws -> ReadProfile {
        do {
            guard sawBytes, var parser, let format else { throw ParseFailure("empty file (no profile data)") }
            var profile = try parser.finish()
            let dropped = profile.dropHighCardinalityLabels(limit: options.labelValueLimit)
            return ReadProfile(
                profile: profile, format: format, contentHash: hash, compressed: compressed,
                droppedLabels: dropped)
        } catch {
            throw describe(error)
        }
    }

    /// One line naming the file and the problem.
    func describe(_ error: any Error) -> HeadroomError {
        if let error = error as? HeadroomError { return error }
        let prefix = format.map { "\(source) (\($0.rawValue))" } ?? source
        switch error {
        case let failure as ParseFailure: return HeadroomError(.badInput, "\(prefix): \(failure.message)")
        case let wire as WireError: return HeadroomError(.badInput, "\(prefix): \(wire.message)")
        case let long as LineSplitter.LineTooLong:
            return HeadroomError(.badInput, "\(prefix): line \(long.line) is longer than 16 MiB")
        case ProfileDataError.valueOverflow:
            return HeadroomError(.badInput, "\(prefix): sample counts overflow a 64-bit integer")
        default: return HeadroomError(.badInput, "\(prefix): \(HeadroomError.oneLine(error))")
        }
    }
}
