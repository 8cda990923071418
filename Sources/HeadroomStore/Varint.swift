import Foundation

/// Writes the store's blobs (call-edge sets, function-cost sets, ingest-log aggregates): unsigned LEB128 varints,
/// signed ones zigzag-coded, strings as a length and their UTF-8.
public struct VarintWriter: Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    public mutating func count(_ value: Int) { unsigned(UInt64(value)) }

    public mutating func string(_ value: String) {
        var text = value
        text.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// The bytes written, as `Data`.
    public var data: Data { Data(bytes) }
}

/// Reads what `VarintWriter` wrote; anything that runs past the end, or a varint longer than 64 bits, is a
/// `VarintError` (callers turn it into their own "damaged blob" error).
public struct VarintReader {
    let raw: UnsafeRawBufferPointer
    public private(set) var position = 0

    public init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    public var atEnd: Bool { position == raw.count }

    public mutating func byte() throws(VarintError) -> UInt8 {
        guard position < raw.count else { throw VarintError("truncated") }
        defer { position += 1 }
        return raw[position]
    }

    public mutating func unsigned() throws(VarintError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift <= 63 {
            let next = try byte()
            result |= UInt64(next & 0x7f) << shift
            if next < 0x80 { return result }
            shift += 7
        }
        throw VarintError("varint too long")
    }

    public mutating func signed() throws(VarintError) -> Int64 {
        let value = try unsigned()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// A count of items still to come: at most the bytes left, since every item takes at least one.
    public mutating func count() throws(VarintError) -> Int {
        let value = try unsigned()
        guard value <= UInt64(raw.count - position) else { throw VarintError("count past the end") }
        return Int(value)
    }

    /// A non-negative value that fits an `Int64`.
    public mutating func magnitude() throws(VarintError) -> Int64 {
        let value = try unsigned()
        guard value <= UInt64(Int64.max) else { throw VarintError("value out of range") }
        return Int64(value)
    }

    public mutating func string() throws(VarintError) -> String {
        let length = try count()
        defer { position += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[position..<position + length]), as: UTF8.self)
    }
}

/// Why a blob did not decode.
public struct VarintError: Error, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
