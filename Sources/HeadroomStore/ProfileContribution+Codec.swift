import Foundation
import HeadroomCore

/// The bytes of a contribution's aggregates, as the ingest log keeps them until they are compacted into the
/// per-bucket rows: total samples, frames (name, file), function costs, call edges, line costs, label sets, distinct
/// stacks and stack samples. Integers are varints (signed ones zigzag-coded), strings length-prefixed UTF-8. The
/// profile's own row (service, time, hash, source, CPU and wall seconds) is written when it is accepted, so none of
/// that is here.
extension ProfileContribution {
    /// Format version, the first byte: a blob of another version is refused, never misread.
    static let codecVersion: UInt8 = 1

    /// The aggregates as one blob.
    public func encodedAggregates() -> Data {
        var out = VarintWriter()
        out.bytes.append(Self.codecVersion)
        out.signed(totalSamples)
        out.count(frames.count)
        for frame in frames {
            out.string(frame.name)
            if let file = frame.file {
                out.unsigned(1)
                out.string(file)
            } else {
                out.unsigned(0)
            }
        }
        out.count(functions.count)
        for cost in functions {
            out.signed(Int64(cost.frame))
            out.signed(cost.selfSamples)
            out.signed(cost.totalSamples)
        }
        out.count(edges.count)
        for edge in edges {
            out.signed(Int64(edge.caller))
            out.signed(Int64(edge.callee))
            out.signed(edge.samples)
        }
        out.count(lines.count)
        for line in lines {
            out.signed(Int64(line.frame))
            out.signed(Int64(line.line))
            out.signed(line.selfSamples)
            out.signed(line.totalSamples)
        }
        out.count(labelSets.count)
        for set in labelSets {
            out.count(set.count)
            for label in set {
                out.string(label.key)
                out.string(label.value)
            }
        }
        out.count(uniqueStacks.count)
        for stack in uniqueStacks {
            out.count(stack.count)
            for frame in stack { out.signed(Int64(frame)) }
        }
        out.count(stacks.count)
        for stack in stacks {
            out.signed(Int64(stack.stack))
            out.signed(Int64(stack.labelSet))
            out.signed(stack.samples)
        }
        return Data(out.bytes)
    }

    /// A contribution of `service` with the aggregates of `blob`; every index is checked against its table, so a
    /// damaged blob is an error, never an out-of-range write.
    public static func decodingAggregates(_ blob: Data, service: String, time: Int64, sampleType: String) throws
        -> ProfileContribution
    {
        do {
            return try decoding(blob, service: service, time: time, sampleType: sampleType)
        } catch let error as VarintError {
            throw CorruptIngestLog(error.reason)
        }
    }

    private static func decoding(_ blob: Data, service: String, time: Int64, sampleType: String) throws
        -> ProfileContribution
    {
        try blob.withUnsafeBytes { raw in
            var input = VarintReader(raw)
            guard try input.byte() == codecVersion else { throw CorruptIngestLog("unknown version") }
            let total = try input.signed()
            let frames: [FunctionRef] = try (0..<input.count()).map { _ in
                let name = try input.string()
                return FunctionRef(name: name, file: try input.unsigned() == 1 ? try input.string() : nil)
            }
            func frame(_ value: Int64) throws -> Int32 {
                guard value >= 0, value < frames.count else { throw CorruptIngestLog("frame index out of range") }
                return Int32(value)
            }
            let functions = try (0..<input.count()).map { _ in
                (frame: try frame(input.signed()), selfSamples: try input.signed(), totalSamples: try input.signed())
            }
            let edges = try (0..<input.count()).map { _ in
                (caller: try frame(input.signed()), callee: try frame(input.signed()), samples: try input.signed())
            }
            let lines = try (0..<input.count()).map { _ in
                (
                    frame: try frame(input.signed()), line: Int32(clamping: try input.signed()),
                    selfSamples: try input.signed(), totalSamples: try input.signed()
                )
            }
            let labelSets: [[(key: String, value: String)]] = try (0..<input.count()).map { _ in
                try (0..<input.count()).map { _ in (key: try input.string(), value: try input.string()) }
            }
            let uniqueStacks: [[Int32]] = try (0..<input.count()).map { _ in
                try (0..<input.count()).map { _ in try frame(input.signed()) }
            }
            let stacks = try (0..<input.count()).map { _ in
                let stack = try input.signed()
                let labelSet = try input.signed()
                guard stack >= 0, stack < uniqueStacks.count, labelSet >= 0, labelSet < labelSets.count else {
                    throw CorruptIngestLog("stack index out of range")
                }
                return (stack: Int(stack), labelSet: Int(labelSet), samples: try input.signed())
            }
            guard input.atEnd, !labelSets.isEmpty else { throw CorruptIngestLog("trailing or missing bytes") }
            var contribution = ProfileContribution(
                service: service, time: time, contentHash: "", format: "", source: "ingest log", totalSamples: total,
                frames: frames, functions: functions, edges: edges)
            contribution.sampleType = sampleType
            contribution.lines = lines
            contribution.labelSets = labelSets
            contribution.uniqueStacks = uniqueStacks
            contribution.stacks = stacks
            return contribution
        }
    }
}

/// An ingest-log row that does not decode.
struct CorruptIngestLog: Error, CustomStringConvertible {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { "an ingest-log row in the store does not decode (\(reason)); the store is damaged" }
}
