import Foundation

/// Interns byte strings: equal bytes get the same dense id, and looking up a known string allocates nothing.
///
/// The parsers key stacks and frames by their raw bytes, so memory grows with the number of *unique* stacks and
/// frames, not with the size of the file.
struct ByteInterner {
    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int32] = []
    private var hashes: [UInt64] = []
    /// Open addressing: slot holds id + 1, 0 is empty.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)

    var count: Int { offsets.count }

    /// The id of `bytes`, adding it when new; `isNew` tells which.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> (id: Int, isNew: Bool) {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let id = entry - 1
            if hashes[id] == hash && Int(lengths[id]) == bytes.count && equal(id, bytes) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = offsets.count
        offsets.append(arena.count)
        lengths.append(Int32(bytes.count))
        hashes.append(hash)
        arena.append(contentsOf: bytes)
        slots[slot] = Int32(id + 1)
        if offsets.count * 2 > slots.count { grow() }
        return (id, true)
    }

    /// The bytes of an interned id.
    func withBytes<R>(_ id: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try arena.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[offsets[id]..<offsets[id] + Int(lengths[id])]))
        }
    }

    /// Calls `body` with every interned id and its bytes, in id order.
    func forEach(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try arena.withUnsafeBytes { raw in
            for id in offsets.indices {
                try body(id, UnsafeRawBufferPointer(rebasing: raw[offsets[id]..<offsets[id] + Int(lengths[id])]))
            }
        }
    }

    private func equal(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return true }
        return arena.withUnsafeBytes { raw in
            memcmp(raw.baseAddress! + offsets[id], bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for id in 0..<offsets.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(id + 1)
        }
        slots = bigger
    }

    /// A multiply-xor hash over 8-byte words in four independent lanes (so the multiplies overlap instead of
    /// waiting on each other), folded together with a final mix. Fast on kilobyte-long stack lines, and good
    /// enough for a table that compares keys anyway.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var a: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        var c: UInt64 = 0x1000_0000_01b3
        var d: UInt64 = 0xff51_afd7_ed55_8ccd
        var index = 0
        let count = bytes.count
        guard let base = bytes.baseAddress else { return a }
        while index + 32 <= count {
            a = (a ^ base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* k
            b = (b ^ base.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)) &* k
            c = (c ^ base.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)) &* k
            d = (d ^ base.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)) &* k
            a ^= a >> 29
            b ^= b >> 29
            c ^= c >> 29
            d ^= d >> 29
            index += 32
        }
        var h = a ^ (b &* 31) ^ (c &* 961) ^ (d &* 29791)
        while index + 8 <= count {
            h = (h ^ base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* k
            h ^= h >> 29
            index += 8
        }
        while index < count {
            h = (h ^ UInt64(base.load(fromByteOffset: index, as: UInt8.self))) &* 0x1000_0000_01b3
            index += 1
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
