import Foundation
import HeadroomCore

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
