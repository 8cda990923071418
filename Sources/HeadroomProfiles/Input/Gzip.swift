import CZlib
import Foundation
import HeadroomCore

/// gzip compression over zlib's `deflate` (what GitHub's code-scanning upload takes, base64-encoded).
public enum Gzip {
    public static func compress(_ data: Data) throws -> Data {
        var stream = z_stream()
        // 15 window bits + 16: a gzip header and trailer rather than zlib's.
        let status = deflateInit2_(
            &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw HeadroomError(.process, "gzip: zlib init failed (\(status))") }
        defer { deflateEnd(&stream) }
        var output = Data(count: Int(deflateBound(&stream, uLong(data.count))) + 32)
        let written = try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> Int in
            try output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int in
                stream.next_in = UnsafeMutablePointer(
                    mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                let result = deflate(&stream, Z_FINISH)
                guard result == Z_STREAM_END else {
                    throw HeadroomError(.process, "gzip: deflate failed (\(result))")
                }
                return out.count - Int(stream.avail_out)
            }
        }
        return output.prefix(written)
    }
}
