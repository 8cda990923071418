/// Sums per 64-bit key, for the aggregation walks: open addressing with a multiplicative hash, where a `Dictionary`
/// would hash every one of a large profile's hundreds of thousands of updates with SipHash.
struct CountTable {
    /// One slot: a key and its sum side by side, so a probe touches one cache line. `empty` marks a free slot; the
    /// key that equals it is counted apart.
    private struct Slot {
        var key: UInt64
        var sum: Int64
    }
    private static let empty = UInt64.max
    private var slots: [Slot]
    private var emptyKeySum: Int64?
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(key: Self.empty, sum: 0), count: size)
    }

    /// Adds `value` to `key`'s sum.
    mutating func add(_ key: UInt64, _ value: Int64) {
        guard key != Self.empty else {
            if emptyKeySum == nil { count += 1 }
            emptyKeySum = (emptyKeySum ?? 0) &+ value
            return
        }
        let inserted = slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var slot = Self.slot(key, mask: mask)
            while true {
                let held = slots[slot].key
                if held == key {
                    slots[slot].sum &+= value
                    return false
                }
                if held == Self.empty {
                    slots[slot] = Slot(key: key, sum: value)
                    return true
                }
                slot = (slot + 1) & mask
            }
        }
        guard inserted else { return }
        count += 1
        if count * 2 > slots.count { grow() }
    }

    /// Every key with its sum, in key order. Keys are unique, so order is all that matters: a least-significant-
    /// digit radix sort, byte by byte, skipping the bytes every key shares (call-edge keys are two small ids, so
    /// most of their eight bytes are zero) - several times faster than a comparison sort of the pairs.
    func sorted() -> [(key: UInt64, sum: Int64)] {
        var result: [(key: UInt64, sum: Int64)] = []
        result.reserveCapacity(count)
        for slot in slots where slot.key != Self.empty { result.append((slot.key, slot.sum)) }
        if let sum = emptyKeySum { result.append((Self.empty, sum)) }
        guard result.count > 1 else { return result }
        var varying: UInt64 = 0
        let first = result[0].key
        for entry in result { varying |= entry.key ^ first }
        var scratch = result
        var counts = [Int](repeating: 0, count: 257)
        for byte in 0..<8 where (varying >> UInt64(byte * 8)) & 0xff != 0 {
            let shift = UInt64(byte * 8)
            for index in counts.indices { counts[index] = 0 }
            for entry in result { counts[Int((entry.key >> shift) & 0xff) + 1] += 1 }
            for index in 1..<counts.count { counts[index] += counts[index - 1] }
            for entry in result {
                let digit = Int((entry.key >> shift) & 0xff)
                scratch[counts[digit]] = entry
                counts[digit] += 1
            }
            swap(&result, &scratch)
        }
        return result
    }

    private static func slot(_ key: UInt64, mask: Int) -> Int {
        // Fibonacci hashing: the high bits of the product mix every bit of the key.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: Self.empty, sum: 0), count: old.count * 2)
        count = emptyKeySum == nil ? 0 : 1
        for slot in old where slot.key != Self.empty { add(slot.key, slot.sum) }
    }
}
