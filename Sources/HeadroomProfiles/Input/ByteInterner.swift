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

    /// FNV-1a over 8-byte words with a final mix: fast, and good enough for a table that compares keys anyway.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x1000_0000_01b3
            h ^= h >> 29
            index += 8
        }
        while index < bytes.count {
            h = (h ^ UInt64(bytes[index])) &* 0x1000_0000_01b3
            index += 1
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
