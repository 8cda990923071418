import Foundation

/// One bucket's caller → callee samples as one blob: the edges sorted by (caller, callee), each as three varints -
/// the caller's id as the difference from the previous edge's caller, the callee's id, the samples - after a varint
/// count. A profile with tens of thousands of distinct edges is one row to write instead of one B-tree entry each;
/// every reader wants a bucket's edges whole (the cost-shift filter reads them all).
enum CallEdgeSet {
    typealias Edge = (caller: Int64, callee: Int64, samples: Int64)

    /// The blob of `edges`, which must be sorted by (caller, callee) without repeats, with non-negative values.
    static func encode(_ edges: [Edge]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + edges.count * 6)
        append(UInt64(edges.count), to: &bytes)
        var previous: Int64 = 0
        for edge in edges {
            append(UInt64(edge.caller - previous), to: &bytes)
            append(UInt64(edge.callee), to: &bytes)
            append(UInt64(edge.samples), to: &bytes)
            previous = edge.caller
        }
        return Data(bytes)
    }

    /// The edges of a blob, in its (caller, callee) order; a blob that does not decode is an error naming it.
    static func decode(_ data: Data) throws -> [Edge] {
        try data.withUnsafeBytes { raw in
            var position = 0
            func next() throws -> UInt64 {
                var result: UInt64 = 0
                var shift: UInt64 = 0
                while position < raw.count {
                    let byte = raw[position]
                    position += 1
                    result |= UInt64(byte & 0x7f) << shift
                    if byte < 0x80 { return result }
                    shift += 7
                    if shift > 63 { break }
                }
                throw CorruptBlob()
            }
            let count = try next()
            guard count <= UInt64(raw.count) else { throw CorruptBlob() }
            var edges: [Edge] = []
            edges.reserveCapacity(Int(count))
            var caller: Int64 = 0
            for _ in 0..<count {
                let delta = try next()
                let callee = try next()
                let samples = try next()
                guard delta <= UInt64(Int64.max - caller), callee <= UInt64(Int64.max), samples <= UInt64(Int64.max)
                else { throw CorruptBlob() }
                caller += Int64(delta)
                edges.append((caller, Int64(callee), Int64(samples)))
            }
            guard position == raw.count else { throw CorruptBlob() }
            return edges
        }
    }

    /// `edges` sorted by (caller, callee) with repeats summed.
    static func normalized(_ edges: [Edge]) -> [Edge] {
        let sorted = edges.sorted { ($0.caller, $0.callee) < ($1.caller, $1.callee) }
        var result: [Edge] = []
        result.reserveCapacity(sorted.count)
        for edge in sorted {
            if let last = result.last, last.caller == edge.caller, last.callee == edge.callee {
                result[result.count - 1].samples &+= edge.samples
            } else {
                result.append(edge)
            }
        }
        return result
    }

    /// Two normalized edge lists merged (samples of the same edge added), still normalized.
    static func merge(_ a: [Edge], _ b: [Edge]) -> [Edge] {
        var result: [Edge] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && (a[i].caller, a[i].callee) < (b[j].caller, b[j].callee)) {
                result.append(a[i])
                i += 1
            } else if i == a.count || (b[j].caller, b[j].callee) < (a[i].caller, a[i].callee) {
                result.append(b[j])
                j += 1
            } else {
                result.append((a[i].caller, a[i].callee, a[i].samples &+ b[j].samples))
                i += 1
                j += 1
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

    struct CorruptBlob: Error, CustomStringConvertible {
        var description: String { "a call-edge blob in the store does not decode (the store is damaged)" }
    }
}
