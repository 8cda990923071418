import CZlib
import HeadroomCore

/// Streaming gzip/zlib decompression over zlib's `inflate`, one output chunk at a time.
///
/// Concatenated gzip members (what `cat a.gz b.gz` makes) are inflated one after another, as `gzip -dc` does.
/// A stream that ends before its trailer is an error, so a truncated file is never taken as a shorter profile.
final class Inflater {
    private var stream = z_stream()
    private var finishedMember = false
    private let source: String

    init(source: String) throws {
        self.source = source
        // 15 window bits + 32: detect gzip or zlib headers automatically.
        let status = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw HeadroomError(.process, "\(source): zlib init failed (\(status))") }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates `input` into `output`, calling `sink` with each filled piece of output.
    func inflate(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
        sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        var offset = 0
        while offset < input.count {
            if finishedMember {
                // Another gzip member follows; anything else after the end is trailing garbage.
                guard input[offset] == 0x1f else {
                    throw HeadroomError(.badInput, "\(source): unexpected bytes after the end of the gzip stream")
                }
                inflateReset(&stream)
                finishedMember = false
            }
            stream.next_in = UnsafeMutablePointer(mutating: (base + offset).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count - offset)
            repeat {
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(output.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = output.count - Int(stream.avail_out)
                if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
                switch status {
                case Z_OK, Z_BUF_ERROR: break
                case Z_STREAM_END: finishedMember = true
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw HeadroomError(.badInput, "\(source): corrupt gzip data (\(reason))")
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { break }
            } while stream.avail_out == 0 && !finishedMember
            offset = input.count - Int(stream.avail_in)
            if finishedMember { continue }
            if stream.avail_in == 0 { break }
        }
    }

    /// Checks that the last member ended with its trailer.
    func finish() throws {
        guard finishedMember else {
            throw HeadroomError(.badInput, "\(source): truncated gzip data (the stream ends before its trailer)")
        }
    }
}
