import Foundation

/// One bucket's caller → callee samples as one blob: the edges sorted by (caller, callee), each as three varints -
/// the caller's id as the difference from the previous edge's caller, the callee's id, the samples - after a varint
/// count. A profile with tens of thousands of distinct edges is one row to write instead of one B-tree entry each;
/// every reader wants a bucket's edges whole (the cost-shift filter reads them all).
public enum CallEdgeSet {
    /// One caller → callee edge and its samples, callers and callees as function ids.
    public typealias Edge = (caller: Int64, callee: Int64, samples: Int64)

    /// The blob of `edges`, which must be sorted by (caller, callee) without repeats, with non-negative values.
    public static func encode(_ edges: [Edge]) -> Data {
        var out = VarintWriter(capacity: 8 + edges.count * 6)
        out.count(edges.count)
        var previous: Int64 = 0
        for edge in edges {
            out.unsigned(UInt64(edge.caller - previous))
            out.unsigned(UInt64(edge.callee))
            out.unsigned(UInt64(edge.samples))
            previous = edge.caller
        }
        return out.data
    }

    /// The edges of a blob, in its (caller, callee) order; a blob that does not decode is an error naming it.
    public static func decode(_ data: Data) throws -> [Edge] {
        try data.withUnsafeBytes { raw in
            var input = VarintReader(raw)
            do {
                let count = try input.count()
                var edges: [Edge] = []
                edges.reserveCapacity(count)
                var caller: Int64 = 0
                for _ in 0..<count {
                    let delta = try input.magnitude()
                    let callee = try input.magnitude()
                    let samples = try input.magnitude()
                    guard delta <= Int64.max - caller else { throw CorruptBlob() }
                    caller += delta
                    edges.append((caller, callee, samples))
                }
                guard input.atEnd else { throw CorruptBlob() }
                return edges
            } catch is VarintError {
                throw CorruptBlob()
            }
        }
    }

    /// `edges` sorted by (caller, callee) with repeats summed.
    public static func normalized(_ edges: [Edge]) -> [Edge] {
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
    public static func merge(_ a: [Edge], _ b: [Edge]) -> [Edge] {
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

    struct CorruptBlob: Error, CustomStringConvertible {
        var description: String { "a call-edge blob in the store does not decode (the store is damaged)" }
    }
}
