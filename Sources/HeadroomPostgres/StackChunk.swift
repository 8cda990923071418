import Foundation
import HeadroomStore

/// The stacks of one write into a service's bucket (a compaction pass, a file), as one blob: appended, so a bucket's
/// stacks cost one insert per write however many there are, and merged into one once a bucket holds
/// `PostgresProfileStore.stackChunksPerBucket` of them; readers sum a range's chunks.
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
    public static func chunk(_ contribution: ProfileContribution, functionIDs ids: [Int64]) -> Decoded? {
        let rows = contribution.stacks.filter { $0.samples > 0 }
        guard !rows.isEmpty else { return nil }
        return Decoded(
            labelSets: contribution.labelSets,
            stacks: contribution.uniqueStacks.map { stack in stack.map { ids[Int($0)] } }, rows: rows)
    }

    /// Several chunks as one: the same stacks and label sets once each, their samples summed.
    public static func merge(_ chunks: [Decoded]) -> Decoded {
        var merged = Decoded(labelSets: [], stacks: [], rows: [])
        var labelIndex: [[String]: Int] = [:]
        var stackIndex: [[Int64]: Int] = [:]
        var rowIndex: [SIMD2<Int>: Int] = [:]
        for chunk in chunks {
            let labels = chunk.labelSets.map { set in
                let key = set.flatMap { [$0.key, $0.value] }
                if let known = labelIndex[key] { return known }
                labelIndex[key] = merged.labelSets.count
                merged.labelSets.append(set)
                return merged.labelSets.count - 1
            }
            for row in chunk.rows {
                let frames = chunk.stacks[row.stack]
                let stack: Int
                if let known = stackIndex[frames] {
                    stack = known
                } else {
                    stack = merged.stacks.count
                    stackIndex[frames] = stack
                    merged.stacks.append(frames)
                }
                let key = SIMD2(stack, labels[row.labelSet])
                if let known = rowIndex[key] {
                    merged.rows[known].samples += row.samples
                } else {
                    rowIndex[key] = merged.rows.count
                    merged.rows.append((stack, labels[row.labelSet], row.samples))
                }
            }
        }
        return merged
    }

    /// The blob of a chunk.
    public static func encode(_ chunk: Decoded) -> Data {
        var out = VarintWriter(capacity: 16 + chunk.rows.count * 24)
        out.bytes.append(version)
        out.count(chunk.labelSets.count)
        for set in chunk.labelSets {
            out.count(set.count)
            for label in set {
                out.string(label.key)
                out.string(label.value)
            }
        }
        out.count(chunk.stacks.count)
        for stack in chunk.stacks {
            out.count(stack.count)
            for frame in stack { out.unsigned(UInt64(frame)) }
        }
        out.count(chunk.rows.count)
        for row in chunk.rows {
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
