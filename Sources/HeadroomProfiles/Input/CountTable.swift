/// Sums per 64-bit key, for the aggregation walks: open addressing with a multiplicative hash, where a `Dictionary`
/// would hash every one of a large profile's hundreds of thousands of updates with SipHash.
struct CountTable {
    private var keys: [UInt64]
    private var sums: [Int64]
    /// Which slots hold a key (a key may be any value, so emptiness is kept apart).
    private var used: [Bool]
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        sums = Array(repeating: 0, count: size)
        used = Array(repeating: false, count: size)
    }

    /// Adds `value` to `key`'s sum.
    mutating func add(_ key: UInt64, _ value: Int64) {
        let mask = keys.count - 1
        var slot = Self.slot(key, mask: mask)
        while used[slot] {
            if keys[slot] == key {
                sums[slot] &+= value
                return
            }
            slot = (slot + 1) & mask
        }
        used[slot] = true
        keys[slot] = key
        sums[slot] = value
        count += 1
        if count * 2 > keys.count { grow() }
    }

    /// Every key with its sum, in key order. Keys are unique, so order is all that matters: a least-significant-
    /// digit radix sort, byte by byte, skipping the bytes every key shares (call-edge keys are two small ids, so
    /// most of their eight bytes are zero) - several times faster than a comparison sort of the pairs.
    func sorted() -> [(key: UInt64, sum: Int64)] {
        var result: [(key: UInt64, sum: Int64)] = []
        result.reserveCapacity(count)
        for slot in keys.indices where used[slot] { result.append((keys[slot], sums[slot])) }
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
        let old = (keys, sums, used)
        let size = keys.count * 2
        keys = Array(repeating: 0, count: size)
        sums = Array(repeating: 0, count: size)
        used = Array(repeating: false, count: size)
        count = 0
        for slot in old.0.indices where old.2[slot] { add(old.0[slot], old.1[slot]) }
    }
}
