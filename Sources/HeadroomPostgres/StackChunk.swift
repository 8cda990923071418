import Foundation
import HeadroomStore

/// The stacks of one write into a service's bucket (a compaction pass, a file), as one blob: appended, never
/// rewritten, so a bucket's stacks cost one insert per write however many there are; readers sum a range's chunks.
/// Layout (varints): a version byte; the label sets (each a count of key/value strings); the stacks (each a count of
/// root-first function ids); the rows (stack index, label-set index, samples).
public enum StackChunk {
    static let version: UInt8 = 1

    /// The decoded chunk: stacks as function ids, label sets as key/value pairs.
    public struct Decoded: Sendable {
        public var labelSets: [[(key: String, value: String)]]
        public var stacks: [[Int64]]
        public var rows: [(stack: Int, labelSet: Int, samples: Int64)]
    }

    /// A contribution's stacks with its frames mapped to function ids (`ids[frame]`); nil when it has none.
    public static func encode(_ contribution: ProfileContribution, functionIDs ids: [Int64]) -> Data? {
        let rows = contribution.stacks.filter { $0.samples > 0 }
        guard !rows.isEmpty else { return nil }
        var out = VarintWriter(capacity: 16 + rows.count * 24)
        out.bytes.append(version)
        out.count(contribution.labelSets.count)
        for set in contribution.labelSets {
            out.count(set.count)
            for label in set {
                out.string(label.key)
                out.string(label.value)
            }
        }
        out.count(contribution.uniqueStacks.count)
        for stack in contribution.uniqueStacks {
            out.count(stack.count)
            for frame in stack { out.unsigned(UInt64(ids[Int(frame)])) }
        }
        out.count(rows.count)
        for row in rows {
            out.count(row.stack)
            out.count(row.labelSet)
            out.unsigned(UInt64(row.samples))
        }
        return out.data
    }

    /// A chunk's contents; a blob that does not decode (or refers past its tables) is an error.
    public static func decode(_ data: Data) throws -> Decoded {
        try data.withUnsafeBytes { raw in
            var input = VarintReader(raw)
            do {
                guard try input.byte() == version else { throw CorruptStackChunk() }
                var labelSets: [[(key: String, value: String)]] = []
                for _ in 0..<(try input.count()) {
                    var set: [(key: String, value: String)] = []
                    for _ in 0..<(try input.count()) { set.append((try input.string(), try input.string())) }
                    labelSets.append(set)
                }
                var stacks: [[Int64]] = []
                for _ in 0..<(try input.count()) {
                    var frames: [Int64] = []
                    for _ in 0..<(try input.count()) { frames.append(try input.magnitude()) }
                    stacks.append(frames)
                }
                var rows: [(stack: Int, labelSet: Int, samples: Int64)] = []
                for _ in 0..<(try input.count()) {
                    let (stack, labelSet) = (try input.magnitude(), try input.magnitude())
                    guard stack < stacks.count, labelSet < labelSets.count else { throw CorruptStackChunk() }
                    rows.append((Int(stack), Int(labelSet), try input.magnitude()))
                }
                guard input.atEnd else { throw CorruptStackChunk() }
                return Decoded(labelSets: labelSets, stacks: stacks, rows: rows)
            } catch is VarintError {
                throw CorruptStackChunk()
            }
        }
    }

    /// A stack chunk in the database that does not decode.
    public struct CorruptStackChunk: Error, CustomStringConvertible {
        public var description: String { "a stack chunk in the database does not decode (it is damaged)" }
    }
}
