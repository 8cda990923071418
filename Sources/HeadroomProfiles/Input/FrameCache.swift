import Foundation
import HeadroomCore
import Synchronization

/// Folded frame texts already read, shared by the reads of a long-running process (the server): a fleet's agents
/// push the same frame texts every few seconds, and validating and normalising one (`FrameNormalizer`) costs far
/// more than finding it here. Keyed by a 64-bit hash of the raw bytes, with the bytes kept and compared, so a hash
/// collision is a miss, never a wrong frame. Holds at most `limit` texts; when full it starts again empty.
public final class FrameCache: Sendable {
    struct Entry: Sendable {
        var bytes: [UInt8]
        var function: FunctionRef
        var line: Int32
    }

    private let table = Mutex<[UInt64: Entry]>([:])
    /// The most texts kept.
    public let limit: Int

    /// A cache of at most `limit` frame texts.
    public init(limit: Int = 200_000) { self.limit = max(1, limit) }

    /// The normalised frame and source line of `bytes` if they were read before.
    func lookup(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> (function: FunctionRef, line: Int32)? {
        table.withLock { table in
            guard let entry = table[hash], entry.bytes.elementsEqual(bytes) else { return nil }
            return (entry.function, entry.line)
        }
    }

    /// Remembers what `bytes` read as.
    func store(_ bytes: UnsafeRawBufferPointer, hash: UInt64, function: FunctionRef, line: Int32) {
        let entry = Entry(bytes: Array(bytes), function: function, line: line)
        table.withLock { table in
            if table.count >= limit { table.removeAll(keepingCapacity: true) }
            table[hash] = entry
        }
    }

    /// How many texts it holds.
    public var count: Int { table.withLock { $0.count } }
}
