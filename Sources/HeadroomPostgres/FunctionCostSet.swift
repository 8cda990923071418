import Foundation
import HeadroomStore

/// One bucket's per-function costs as one blob, the scale layout of docs/scaling.md: a varint count, then per
/// function, in id order, the id's difference from the previous one, its self and its total samples (varints). A
/// service's bucket is one row however many functions it has; every reader (a timeline, detection) wants it whole.
public enum FunctionCostSet {
    /// One function's costs.
    public typealias Cost = (function: Int64, selfSamples: Int64, totalSamples: Int64)

    /// The blob of `costs`, which must be sorted by function id without repeats, with non-negative values.
    public static func encode(_ costs: [Cost]) -> Data {
        var out = VarintWriter(capacity: 4 + costs.count * 6)
        out.count(costs.count)
        var previous: Int64 = 0
        for cost in costs {
            out.unsigned(UInt64(cost.function - previous))
            out.unsigned(UInt64(cost.selfSamples))
            out.unsigned(UInt64(cost.totalSamples))
            previous = cost.function
        }
        return out.data
    }

    /// The costs of a blob, in id order; a blob that does not decode is an error.
    public static func decode(_ data: Data) throws -> [Cost] {
        try data.withUnsafeBytes { raw in
            var input = VarintReader(raw)
            do {
                let count = try input.count()
                var costs: [Cost] = []
                costs.reserveCapacity(count)
                var function: Int64 = 0
                for _ in 0..<count {
                    let delta = try input.magnitude()
                    let selfSamples = try input.magnitude()
                    let totalSamples = try input.magnitude()
                    guard delta <= Int64.max - function else { throw CorruptCostSet() }
                    function += delta
                    costs.append((function, selfSamples, totalSamples))
                }
                guard input.atEnd else { throw CorruptCostSet() }
                return costs
            } catch is VarintError {
                throw CorruptCostSet()
            }
        }
    }

    /// `costs` sorted by function with repeats summed.
    public static func normalized(_ costs: [Cost]) -> [Cost] {
        var result: [Cost] = []
        result.reserveCapacity(costs.count)
        for cost in costs.sorted(by: { $0.function < $1.function }) {
            if let last = result.last, last.function == cost.function {
                result[result.count - 1].selfSamples &+= cost.selfSamples
                result[result.count - 1].totalSamples &+= cost.totalSamples
            } else {
                result.append(cost)
            }
        }
        return result
    }

    /// A cost blob in the database that does not decode.
    public struct CorruptCostSet: Error, CustomStringConvertible {
        public var description: String { "a function-cost blob in the database does not decode (it is damaged)" }
    }
}
