/// Reads protobuf wire format from memory: varints, fixed-width values and length-delimited slices.
///
/// Every read is bounds-checked and throws `WireError` on bad data, so hostile input ends in an error, never in a
/// crash or an out-of-bounds read.
struct WireCursor {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var atEnd: Bool { position >= bytes.count }

    mutating func varint() throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw .truncated }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw .malformed("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw .malformed("varint longer than 10 bytes") }
        }
    }

    /// A field's tag: number and wire type. Groups (3, 4) and the reserved types 6 and 7 are refused.
    mutating func tag() throws(WireError) -> (field: UInt64, wireType: UInt8) {
        let key = try varint()
        let wireType = UInt8(key & 7)
        let field = key >> 3
        guard field > 0 else { throw .malformed("field number 0") }
        guard wireType <= 5, wireType != 3, wireType != 4 else { throw .malformed("invalid wire type \(wireType)") }
        return (field, wireType)
    }

    /// A length-delimited payload.
    mutating func slice() throws(WireError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(bytes.count - position) else { throw .truncated }
        let start = position
        position += Int(length)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<position])
    }

    mutating func skip(_ wireType: UInt8) throws(WireError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try slice()
        case 5: try advance(4)
        default: throw .malformed("invalid wire type \(wireType)")
        }
    }

    private mutating func advance(_ count: Int) throws(WireError) {
        guard bytes.count - position >= count else { throw .truncated }
        position += count
    }

    /// Reads a repeated varint field in either encoding (packed slice or one value), calling `body` per value.
    mutating func repeatedVarint(_ wireType: UInt8, _ body: (UInt64) throws -> Void) throws {
        if wireType == 2 {
            var packed = WireCursor(try slice())
            while !packed.atEnd { try body(try packed.varint()) }
        } else if wireType == 0 {
            try body(try varint())
        } else {
            throw WireError.malformed("wire type \(wireType) for a repeated integer field")
        }
    }
}

enum WireError: Error {
    /// The data ends inside a value.
    case truncated
    case malformed(String)

    var message: String {
        switch self {
        case .truncated: "truncated protobuf data"
        case .malformed(let detail): "not a valid protobuf message (\(detail))"
        }
    }
}

/// Appends `value` as a varint.
@inline(__always)
func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
        buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
        rest >>= 7
    }
    buffer.append(UInt8(rest))
}
