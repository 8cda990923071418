import Foundation
import HeadroomCore

/// The profile formats Headroom reads.
public enum ProfileFormat: String, Sendable, CaseIterable {
    /// google/pprof protobuf, gzip-compressed or not.
    case pprof
    /// Folded stacks `a;b;c N`: py-spy `-f raw`, stackcollapse, async-profiler collapsed, Pyroscope.
    case folded
    /// `perf script` text.
    case perf
}

/// How to read a profile.
public struct ProfileReadOptions: Sendable {
    /// Force a format instead of detecting it.
    public var format: ProfileFormat?
    /// The sample type to read: pprof `cpu` or `cpu/nanoseconds`; `perf script` an event (`cycles`). Default: pprof's
    /// default type (else the CPU-like one), perf's first event.
    public var sampleType: String?
    /// Label keys with more distinct values than this are dropped (see `StackProfile.dropHighCardinalityLabels`).
    public var labelValueLimit = 64
    /// The most bytes a profile may decompress to (1 GiB: a 1.6M-sample pprof is ~134 MB); past it the read
    /// stops with one error instead of growing without bound (a small gzip can hold gigabytes).
    public var maximumBytes: Int64 = 1 << 30
    /// pprof: the most string-table entries and bytes (4M entries, 256 MiB; real profiles hold thousands to a few
    /// hundred thousand strings).
    public var maximumStrings = 4_000_000
    public var maximumStringBytes = 256 << 20
    /// Called with (bytes of the file read so far, file size) after each chunk.
    public var progress: (@Sendable (Int64, Int64) -> Void)?

    public init(format: ProfileFormat? = nil, sampleType: String? = nil) {
        self.format = format
        self.sampleType = sampleType
    }
}

/// A profile read from a file.
public struct ReadProfile: Sendable {
    public var profile: StackProfile
    public var format: ProfileFormat
    /// SHA-256 of the file's bytes as stored (compressed or not): the same file is the same profile.
    public var contentHash: String
    public var compressed: Bool
    /// Label keys dropped for having too many values.
    public var droppedLabels: [String]
}

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
        let queue = PieceQueue(capacity: 8)
        let progress = options.progress
        let producer = Thread {
            var decoder = Decoder(source: file)
            var read: Int64 = 0
            do {
                defer { try? handle.close() }
                while !queue.isCancelled {
                    let chunk = try handle.read(upToCount: chunkSize) ?? Data()
                    if chunk.isEmpty { break }
                    if read == 0 { queue.setCompressed(chunk.starts(with: [0x1f, 0x8b])) }
                    read += Int64(chunk.count)
                    try decoder.decode(chunk) { piece in
                        guard queue.push(piece) else { throw CancellationError() }
                    }
                    progress?(read, size)
                }
                try decoder.finish()
                queue.finish(hash: decoder.hash(), compressed: decoder.compressed, error: nil)
            } catch {
                queue.finish(hash: nil, compressed: false, error: error)
            }
        }
        producer.stackSize = 1 << 20
        producer.start()
        var session = ReadSession(source: file, options: options)
        do {
            while let piece = try queue.pop() {
                try piece.withUnsafeBytes { try session.parse($0, compressed: queue.compressed) }
            }
        } catch {
            queue.cancel()
            throw session.describe(error)
        }
        return try session.finish(hash: queue.hash ?? "", compressed: queue.compressed)
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
            case .folded: parser = FoldedParser()
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

/// A bounded hand-over of decompressed pieces from the decoding thread to the parsing one.
final class PieceQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var pieces: [Data] = []
    private let capacity: Int
    private var done = false
    private var cancelled = false
    private var failure: (any Error)?
    private(set) var hash: String?
    private var isCompressed = false

    var compressed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isCompressed
    }

    init(capacity: Int) { self.capacity = capacity }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Waits for room; false when the reader gave up.
    func push(_ piece: Data) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while pieces.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        pieces.append(piece)
        condition.broadcast()
        return true
    }

    /// Set by the decoding thread before its first piece, so the parser knows what it is reading.
    func setCompressed(_ value: Bool) {
        condition.lock()
        defer { condition.unlock() }
        isCompressed = value
    }

    func finish(hash: String?, compressed: Bool, error: (any Error)?) {
        condition.lock()
        defer { condition.unlock() }
        self.hash = hash
        isCompressed = compressed
        failure = error
        done = true
        condition.broadcast()
    }

    /// The next piece; nil at the end; throws what the decoding thread failed with.
    func pop() throws -> Data? {
        condition.lock()
        defer { condition.unlock() }
        while pieces.isEmpty && !done { condition.wait() }
        if !pieces.isEmpty {
            let piece = pieces.removeFirst()
            condition.broadcast()
            return piece
        }
        if let failure, !(failure is CancellationError) { throw failure }
        return nil
    }

    /// Stops the decoding thread (after a parse error) and waits until it has let go.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }
}

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
