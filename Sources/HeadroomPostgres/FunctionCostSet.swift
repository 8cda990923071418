import Foundation

/// One bucket's per-function costs as one blob, the scale layout of docs/scaling.md: a varint count, then per
/// function, in id order, the id's difference from the previous one, its self and its total samples (varints). A
/// service's bucket is one row however many functions it has; every reader (a timeline, detection) wants it whole.
public enum FunctionCostSet {
    /// One function's costs.
    public typealias Cost = (function: Int64, selfSamples: Int64, totalSamples: Int64)

    /// The blob of `costs`, which must be sorted by function id without repeats, with non-negative values.
    public static func encode(_ costs: [Cost]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + costs.count * 6)
        append(UInt64(costs.count), to: &bytes)
        var previous: Int64 = 0
        for cost in costs {
            append(UInt64(cost.function - previous), to: &bytes)
            append(UInt64(cost.selfSamples), to: &bytes)
            append(UInt64(cost.totalSamples), to: &bytes)
            previous = cost.function
        }
        return Data(bytes)
    }

    /// The costs of a blob, in id order; a blob that does not decode is an error.
    public static func decode(_ data: Data) throws -> [Cost] {
        try data.withUnsafeBytes { raw in
            var position = 0
            func next() throws -> UInt64 {
                var result: UInt64 = 0
                var shift: UInt64 = 0
                while position < raw.count, shift <= 63 {
                    let byte = raw[position]
                    position += 1
                    result |= UInt64(byte & 0x7f) << shift
                    if byte < 0x80 { return result }
                    shift += 7
                }
                throw CorruptCostSet()
            }
            let count = try next()
            guard count <= UInt64(raw.count) else { throw CorruptCostSet() }
            var costs: [Cost] = []
            costs.reserveCapacity(Int(count))
            var function: Int64 = 0
            for _ in 0..<count {
                let delta = try next()
                let selfSamples = try next()
                let totalSamples = try next()
                guard delta <= UInt64(Int64.max - function), selfSamples <= UInt64(Int64.max),
                    totalSamples <= UInt64(Int64.max)
                else { throw CorruptCostSet() }
                function += Int64(delta)
                costs.append((function, Int64(selfSamples), Int64(totalSamples)))
            }
            guard position == raw.count else { throw CorruptCostSet() }
            return costs
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

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A cost blob in the database that does not decode.
    public struct CorruptCostSet: Error, CustomStringConvertible {
        public var description: String { "a function-cost blob in the database does not decode (it is damaged)" }
    }
}
