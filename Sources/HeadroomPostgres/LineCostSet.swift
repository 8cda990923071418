import Foundation
import HeadroomStore

/// One bucket's per-line costs as one blob, as `FunctionCostSet` is for functions: a varint count, then per site
/// in (function id, line) order, the id's difference from the previous site's, the line (its difference from the
/// previous line of the same function), its self and its total samples. Only profiles that name lines (py-spy,
/// pprof with line numbers) have any; the opportunity scanner reads one function's lines over a range.
public enum LineCostSet {
    /// One source line's costs.
    public typealias Cost = (function: Int64, line: Int64, selfSamples: Int64, totalSamples: Int64)

    /// The blob of `costs`, which must be normalized (sorted by function and line without repeats, non-negative).
    public static func encode(_ costs: [Cost]) -> Data {
        var out = VarintWriter(capacity: 4 + costs.count * 8)
        out.count(costs.count)
        var (function, line): (Int64, Int64) = (0, 0)
        for cost in costs {
            if cost.function != function { line = 0 }
            out.unsigned(UInt64(cost.function - function))
            out.unsigned(UInt64(cost.line - line))
            out.unsigned(UInt64(cost.selfSamples))
            out.unsigned(UInt64(cost.totalSamples))
            (function, line) = (cost.function, cost.line)
        }
        return out.data
    }

    /// The costs of a blob, in (function, line) order; a blob that does not decode is an error.
    public static func decode(_ data: Data) throws -> [Cost] {
        try data.withUnsafeBytes { raw in
            var input = VarintReader(raw)
            do {
                let count = try input.count()
                var costs: [Cost] = []
                costs.reserveCapacity(count)
                var (function, line): (Int64, Int64) = (0, 0)
                for _ in 0..<count {
                    let functionDelta = try input.magnitude()
                    let lineDelta = try input.magnitude()
                    let selfSamples = try input.magnitude()
                    let totalSamples = try input.magnitude()
                    guard functionDelta <= Int64.max - function else { throw CorruptLineSet() }
                    if functionDelta > 0 { line = 0 }
                    function += functionDelta
                    guard lineDelta <= Int64.max - line else { throw CorruptLineSet() }
                    line += lineDelta
                    costs.append((function, line, selfSamples, totalSamples))
                }
                guard input.atEnd else { throw CorruptLineSet() }
                return costs
            } catch is VarintError {
                throw CorruptLineSet()
            }
        }
    }

    /// `costs` sorted by function and line with repeats summed; negative lines and samples dropped.
    public static func normalized(_ costs: [Cost]) -> [Cost] {
        var result: [Cost] = []
        result.reserveCapacity(costs.count)
        let valid = costs.filter { $0.line >= 0 && $0.selfSamples >= 0 && $0.totalSamples >= 0 }
        for cost in valid.sorted(by: { ($0.function, $0.line) < ($1.function, $1.line) }) {
            if let last = result.last, last.function == cost.function, last.line == cost.line {
                result[result.count - 1].selfSamples &+= cost.selfSamples
                result[result.count - 1].totalSamples &+= cost.totalSamples
            } else {
                result.append(cost)
            }
        }
        return result
    }

    /// A line-cost blob in the database that does not decode.
    public struct CorruptLineSet: Error, CustomStringConvertible {
        public var description: String { "a line-cost blob in the database does not decode (it is damaged)" }
    }
}
