import HeadroomCore

/// pprof (google/pprof `profile.proto`), decompressed, read as a stream of top-level fields.
///
/// A profile is one protobuf message whose samples usually come *before* the locations, functions and string table
/// they refer to (Go writes them in that order). So samples are aggregated by their raw key — the location ids and
/// label bytes — as they stream past, and resolved to functions at the end. Memory is bounded by the unique
/// (stack, labels) keys and the tables, not by the file size. Only one top-level field at a time is buffered.
///
/// Resolution rules: a sample's `location_id[0]` is the leaf; a location's `line[0]` is the innermost inlined
/// function and its last line the caller it was inlined into. A location with no lines (unsymbolised) becomes its
/// address, with the mapping's file as the file.
struct PprofParser: StreamingParser {
    /// Which sample type to aggregate: `type` or `type/unit`; nil picks the default.
    var requestedSampleType: String?

    static let maximumFieldSize = 256 << 20
    private var pending: [UInt8] = []
    private var start = 0
    private var consumed = 0

    private var sampleTypes: [(type: Int64, unit: Int64)] = []
    private var defaultSampleType: Int64 = 0
    private var timeNanos: Int64 = 0
    private var durationNanos: Int64 = 0
    private var periodType: (type: Int64, unit: Int64)?
    private var period: Int64 = 0
    private var strings: StringTable
    private(set) var locations: [UInt64: Location] = [:]
    /// Every location's lines, flat: the function id and source line (0: unknown) of each, innermost first;
    /// `Location.lines` indexes into them.
    private var lineFunctions: [UInt64] = []
    private(set) var lineNumbers: [Int32] = []
    private var functions: [UInt64: Function] = [:]
    /// How many functions the profile declares.
    var functionCount: Int { functions.count }
    private var mappings: [UInt64: Int64] = [:]
    /// How many functions carry id 0: .NET agents number from 0. One is unambiguous; several cannot be referred to.
    private var functionsWithIDZero = 0
    /// Sample types (by index) that had a negative value in some sample: checked only for the type that is read.
    private var negativeTypes = Set<Int>()

    private(set) var keys = ByteInterner()
    private(set) var values: [Int64] = []
    private(set) var valueCount = -1
    private var sampleCount = 0
    private var keyScratch: [UInt8] = []
    private var locationScratch: [UInt8] = []
    private var labelScratch: [UInt8] = []
    private var valueScratch: [Int64] = []

    struct Location {
        var mapping: UInt64
        var address: UInt64
        /// Its lines in `lineFunctions` and `lineNumbers`, innermost inlined first.
        var lines: Range<Int>
    }
    struct Function {
        var name: Int64
        var systemName: Int64
        var file: Int64
    }

    /// Bounds on the tables a hostile file could inflate.
    struct Limits {
        var strings = 4_000_000
        var stringBytes = 256 << 20
    }

    init(sampleType: String? = nil, limits: Limits = Limits()) {
        requestedSampleType = sampleType
        strings = StringTable(limits: limits)
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        pending.append(contentsOf: bytes)
        let buffer = pending
        let used = try buffer.withUnsafeBytes { raw in try self.fields(raw, from: start) }
        start = used
        if start == pending.count {
            pending.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 {
            pending.removeFirst(start)
            start = 0
        }
    }

    /// Handles every complete top-level field from `offset`; returns where the first incomplete one starts.
    private mutating func fields(_ raw: UnsafeRawBufferPointer, from offset: Int) throws -> Int {
        var cursor = WireCursor(raw, position: offset)
        while !cursor.atEnd {
            let fieldStart = cursor.position
            do {
                let (field, wireType) = try cursor.tag()
                if wireType == 2 {
                    let lengthStart = cursor.position
                    let length = try cursor.varint()
                    guard length <= UInt64(Self.maximumFieldSize) else {
                        throw ParseFailure(
                            "a field of \(length) bytes at byte \(consumed + fieldStart - offset) is larger than any real profile's"
                        )
                    }
                    cursor.position = lengthStart
                    let payload = try cursor.slice()
                    do {
                        try message(field, payload)
                    } catch let error as WireError {
                        // The field is complete, so a truncation inside it is corruption, not a short read.
                        let detail = if case .malformed(let text) = error { text } else { "runs past its end" }
                        throw ParseFailure(
                            "corrupt \(Self.fieldName(field)) at byte \(consumed + fieldStart - offset): \(detail)")
                    }
                } else {
                    guard wireType == 0 else { try cursor.skip(wireType); continue }
                    let value = try cursor.varint()
                    scalar(field, value)
                }
            } catch WireError.truncated {
                consumed += fieldStart - offset
                return fieldStart
            } catch let error as WireError {
                throw ParseFailure("\(error.message) at byte \(consumed + fieldStart - offset); not a pprof profile?")
            }
        }
        consumed += cursor.position - offset
        return cursor.position
    }

    private static func fieldName(_ field: UInt64) -> String {
        switch field {
        case 1: "sample type"
        case 2: "sample"
        case 3: "mapping"
        case 4: "location"
        case 5: "function"
        case 6: "string table entry"
        default: "field \(field)"
        }
    }

    private mutating func scalar(_ field: UInt64, _ value: UInt64) {
        switch field {
        case 9: timeNanos = Int64(bitPattern: value)
        case 10: durationNanos = Int64(bitPattern: value)
        case 12: period = Int64(bitPattern: value)
        case 14: defaultSampleType = Int64(bitPattern: value)
        default: break
        }
    }

    /// A `ValueType` message (sample type, period type): its type and unit string indices.
    private static func valueType(_ payload: UnsafeRawBufferPointer) throws -> (type: Int64, unit: Int64) {
        var type: Int64 = 0
        var unit: Int64 = 0
        try each(payload) { number, _, value in
            if number == 1 {
                type = Int64(bitPattern: value)
            } else if number == 2 {
                unit = Int64(bitPattern: value)
            }
        }
        return (type, unit)
    }

    private mutating func message(_ field: UInt64, _ payload: UnsafeRawBufferPointer) throws {
        switch field {
        case 1: sampleTypes.append(try Self.valueType(payload))
        case 11: periodType = try Self.valueType(payload)
        case 2: try sample(payload)
        case 3:
            var id: UInt64 = 0
            var file: Int64 = 0
            try Self.each(payload) { number, _, value in
                if number == 1 { id = value } else if number == 5 { file = Int64(bitPattern: value) }
            }
            mappings[id] = file
        case 4: try location(payload)
        case 5:
            var id: UInt64 = 0
            var function = Function(name: 0, systemName: 0, file: 0)
            try Self.each(payload) { number, _, value in
                switch number {
                case 1: id = value
                case 2: function.name = Int64(bitPattern: value)
                case 3: function.systemName = Int64(bitPattern: value)
                case 4: function.file = Int64(bitPattern: value)
                default: break
                }
            }
            if id == 0 { functionsWithIDZero += 1 }
            guard functions.updateValue(function, forKey: id) == nil || id == 0 else {
                throw ParseFailure("duplicate function id \(id)")
            }
        case 6: try strings.append(payload)
        default: break
        }
    }

    /// Visits the varint fields of a small message (other wire types are skipped).
    private static func each(_ payload: UnsafeRawBufferPointer, _ body: (UInt64, UInt8, UInt64) throws -> Void) throws {
        var cursor = WireCursor(payload)
        while !cursor.atEnd {
            let (number, wireType) = try cursor.tag()
            if wireType == 0 { try body(number, wireType, try cursor.varint()) } else { try cursor.skip(wireType) }
        }
    }

    private mutating func location(_ payload: UnsafeRawBufferPointer) throws {
        var cursor = WireCursor(payload)
        var id: UInt64 = 0
        var location = Location(mapping: 0, address: 0, lines: lineFunctions.count..<lineFunctions.count)
        while !cursor.atEnd {
            let (number, wireType) = try cursor.tag()
            switch (number, wireType) {
            case (1, 0): id = try cursor.varint()
            case (2, 0): location.mapping = try cursor.varint()
            case (3, 0): location.address = try cursor.varint()
            case (4, 2):
                var line = WireCursor(try cursor.slice())
                var function: UInt64 = 0
                var number: Int64 = 0
                while !line.atEnd {
                    let (lineField, lineType) = try line.tag()
                    if lineField == 1 && lineType == 0 {
                        function = try line.varint()
                    } else if lineField == 2 && lineType == 0 {
                        number = Int64(bitPattern: try line.varint())
                    } else {
                        try line.skip(lineType)
                    }
                }
                lineFunctions.append(function)
                lineNumbers.append(number > 0 && number <= Int64(Int32.max) ? Int32(number) : 0)
            default: try cursor.skip(wireType)
            }
        }
        location.lines = location.lines.lowerBound..<lineFunctions.count
        guard locations.updateValue(location, forKey: id) == nil else {
            throw ParseFailure("duplicate location id \(id)")
        }
    }

    /// The hot path: one sample, folded into the aggregate under its raw key.
    private mutating func sample(_ payload: UnsafeRawBufferPointer) throws {
        var cursor = WireCursor(payload)
        keyScratch.removeAll(keepingCapacity: true)
        locationScratch.removeAll(keepingCapacity: true)
        labelScratch.removeAll(keepingCapacity: true)
        valueScratch.removeAll(keepingCapacity: true)
        var depth = 0
        while !cursor.atEnd {
            let (number, wireType) = try cursor.tag()
            switch number {
            case 1:
                if wireType == 2 {
                    // Packed ids are already varints: copy their bytes as they are, after checking each one.
                    let packed = try cursor.slice()
                    var ids = WireCursor(packed)
                    while !ids.atEnd {
                        _ = try ids.varint()
                        depth += 1
                    }
                    locationScratch.append(contentsOf: packed)
                } else {
                    try cursor.repeatedVarint(wireType) { id in
                        appendVarint(id, to: &locationScratch)
                        depth += 1
                    }
                }
            case 2:
                if wireType == 2 {
                    var packed = WireCursor(try cursor.slice())
                    while !packed.atEnd { valueScratch.append(Int64(bitPattern: try packed.varint())) }
                } else {
                    try cursor.repeatedVarint(wireType) { valueScratch.append(Int64(bitPattern: $0)) }
                }
            case 3:
                guard wireType == 2 else { throw WireError.malformed("label with wire type \(wireType)") }
                let label = try cursor.slice()
                appendVarint(UInt64(label.count), to: &labelScratch)
                labelScratch.append(contentsOf: label)
            default: try cursor.skip(wireType)
            }
        }
        sampleCount += 1
        guard depth <= FoldedParser.maximumDepth else {
            throw ParseFailure("sample \(sampleCount): stack deeper than \(FoldedParser.maximumDepth) frames")
        }
        if valueCount < 0 { valueCount = valueScratch.count }
        guard valueScratch.count == valueCount else {
            throw ParseFailure("sample \(sampleCount) has \(valueScratch.count) values, earlier samples \(valueCount)")
        }
        for (index, value) in valueScratch.enumerated() where value < 0 { negativeTypes.insert(index) }
        // The key: the depth, the location ids (leaf first), then the length-prefixed raw labels.
        appendVarint(UInt64(depth), to: &keyScratch)
        keyScratch.append(contentsOf: locationScratch)
        keyScratch.append(contentsOf: labelScratch)
        let (id, isNew) = keyScratch.withUnsafeBytes { keys.intern($0) }
        if isNew { values.append(contentsOf: repeatElement(0, count: valueCount)) }
        let base = id * valueCount
        for index in 0..<valueCount {
            let (sum, overflow) = values[base + index].addingReportingOverflow(valueScratch[index])
            guard !overflow else { throw ParseFailure("sample values overflow a 64-bit integer") }
            values[base + index] = sum
        }
    }

    mutating func finish() throws -> StackProfile {
        guard pending.count == start else {
            throw ParseFailure("truncated protobuf data: the last field (at byte \(consumed)) is incomplete")
        }
        guard consumed > 0 else { throw ParseFailure("empty profile (no data)") }
        guard sampleCount > 0 else { throw ParseFailure("empty profile (no samples)") }
        guard sampleTypes.count == valueCount else {
            throw ParseFailure(
                "samples have \(valueCount) values but the profile declares \(sampleTypes.count) sample types")
        }
        let typeNames = try sampleTypes.map { "\(try strings.string($0.type))/\(try strings.string($0.unit))" }
        let chosen = try chooseSampleType(typeNames)
        guard !negativeTypes.contains(chosen) else {
            let usable = typeNames.indices.filter { !negativeTypes.contains($0) }.map { typeNames[$0] }
            let hint =
                usable.isEmpty
                ? "every sample type has negative values"
                : "--sample-type \(usable.joined(separator: " or ")) has none"
            throw ParseFailure(
                "'\(typeNames[chosen])' has negative values, as a diff profile does; not ingested (\(hint))")
        }
        var profile = StackProfile()
        profile.sampleType = typeNames[chosen]
        if timeNanos > 0 { profile.time = timeNanos / 1_000_000_000 }
        if durationNanos > 0 { profile.wallSeconds = Double(durationNanos) / 1e9 }
        try aggregate(valueIndex: chosen, into: &profile)
        guard profile.totalSamples > 0 else {
            throw ParseFailure("empty profile (every '\(typeNames[chosen])' value is zero)")
        }
        let period = try periodType.map { ("\(try strings.string($0.type))", "\(try strings.string($0.unit))") }
        profile.cpuSeconds = Self.cpuSeconds(
            sampleType: typeNames[chosen], total: profile.totalSamples, periodType: period, period: self.period)
        return profile
    }

    /// The CPU time a profile's values stand for: a `cpu` sample type in a time unit is CPU time itself; sample
    /// counts are CPU time when the profile's period is (`period_type` cpu in a time unit, each sample `period`
    /// long). Anything else (allocations, wall clock, cycles) is nil.
    static func cpuSeconds(sampleType: String, total: Int64, periodType: (String, String)?, period: Int64) -> Double? {
        let parts = sampleType.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        if parts[0] == "cpu", let scale = secondsPerUnit(parts[1]) { return Double(total) * scale }
        if parts[0] == "samples", parts[1] == "count", let (type, unit) = periodType, type == "cpu",
            let scale = secondsPerUnit(unit), period > 0
        {
            return Double(total) * Double(period) * scale
        }
        return nil
    }

    /// Seconds per one of a pprof time unit; nil for a unit that is not time.
    static func secondsPerUnit(_ unit: String) -> Double? {
        switch unit {
        case "nanoseconds": 1e-9
        case "microseconds": 1e-6
        case "milliseconds": 1e-3
        case "seconds": 1
        default: nil
        }
    }

    private func chooseSampleType(_ names: [String]) throws -> Int {
        if let requested = requestedSampleType {
            if let exact = names.firstIndex(of: requested) { return exact }
            if let byType = names.firstIndex(where: { $0.split(separator: "/").first.map(String.init) == requested }) {
                return byType
            }
            throw ParseFailure("no sample type '\(requested)' (the profile has \(names.joined(separator: ", ")))")
        }
        if defaultSampleType != 0 {
            let wanted = try strings.string(defaultSampleType)
            if let index = names.firstIndex(where: { $0.hasPrefix(wanted + "/") }) { return index }
        }
        let cpuLike = ["samples", "cpu", "wall", "cycles", "instructions", "cpu-clock", "task-clock"]
        if let index = names.firstIndex(where: { cpuLike.contains(String($0.split(separator: "/").first ?? "")) }) {
            return index
        }
        return names.count - 1  // pprof's own convention
    }

    /// A location's frames, root first (its last line is the outermost caller).
    func resolve(location id: UInt64, into profile: inout StackProfile, cache: inout [UInt64: Int32]) throws
        -> [Int32]
    {
        guard let location = locations[id] else { throw ParseFailure("a sample refers to missing location id \(id)") }
        guard !location.lines.isEmpty else { return [try addressFrame(location, into: &profile)] }
        return try lineFunctions[location.lines].reversed().map { functionID in
            if let known = cache[functionID], functionID != 0 { return known }
            if functionID == 0 && functionsWithIDZero > 1 {
                throw ParseFailure(
                    "location \(id) refers to function id 0, which \(functionsWithIDZero) functions share")
            }
            guard let function = functions[functionID] else {
                // Id 0 is protobuf's unset value: a line without a function is an unsymbolised address.
                guard functionID == 0 else {
                    throw ParseFailure("location \(id) refers to missing function id \(functionID)")
                }
                return try addressFrame(location, into: &profile)
            }
            var name = try strings.string(function.name)
            if name.isEmpty { name = try strings.string(function.systemName) }
            if name.isEmpty { name = "0x" + String(location.address, radix: 16) }
            let file = try strings.string(function.file)
            let frame = Int32(profile.frameID(FunctionRef(name: name, file: file.isEmpty ? nil : file)))
            // Id 0's name can fall back to this location's address, so it is never shared between locations.
            if functionID != 0 { cache[functionID] = frame }
            return frame
        }
    }

    /// A location's source lines, root first, parallel to `resolve`'s frames (0 where unknown).
    func lineNumbers(location id: UInt64) -> [Int32] {
        guard let location = locations[id] else { return [] }
        return lineNumbers[location.lines].reversed()
    }

    /// An unsymbolised location: its address, with the mapping's file as the file.
    private func addressFrame(_ location: Location, into profile: inout StackProfile) throws -> Int32 {
        let file = try location.mapping == 0 ? nil : mappings[location.mapping].map { try strings.string($0) }
        let name = "0x" + String(location.address, radix: 16)
        return Int32(profile.frameID(FunctionRef(name: name, file: file.flatMap { $0.isEmpty ? nil : $0 })))
    }

    func labels(_ bytes: UnsafeRawBufferPointer) throws -> LabelSet {
        var cursor = WireCursor(bytes)
        var result: [Label] = []
        while !cursor.atEnd {
            var key: Int64 = 0
            var text: Int64 = 0
            var number: Int64 = 0
            var unit: Int64 = 0
            try Self.each(try cursor.slice()) { field, _, value in
                switch field {
                case 1: key = Int64(bitPattern: value)
                case 2: text = Int64(bitPattern: value)
                case 3: number = Int64(bitPattern: value)
                case 4: unit = Int64(bitPattern: value)
                default: break
                }
            }
            let value =
                text != 0 ? try strings.string(text) : "\(number)" + (unit != 0 ? " \(try strings.string(unit))" : "")
            result.append(Label(key: try strings.string(key), value: value))
        }
        return LabelSet(result)
    }
}

/// pprof's string table, kept as bytes and decoded (strictly) on use.
struct StringTable {
    private var arena: [UInt8] = []
    private var ranges: [Range<Int>] = []
    var limits = PprofParser.Limits()

    init(limits: PprofParser.Limits = PprofParser.Limits()) { self.limits = limits }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard ranges.count < limits.strings else {
            throw ParseFailure("the string table has more than \(limits.strings) entries, the limit")
        }
        guard arena.count + bytes.count <= limits.stringBytes else {
            throw ParseFailure("the string table holds more than \(limits.stringBytes >> 20) MiB, the limit")
        }
        ranges.append(arena.count..<arena.count + bytes.count)
        arena.append(contentsOf: bytes)
    }

    func string(_ index: Int64) throws -> String {
        if index == 0 && ranges.isEmpty { return "" }
        guard index >= 0, index < ranges.count else {
            throw ParseFailure("string index \(index) out of range (the string table has \(ranges.count) entries)")
        }
        return try arena.withUnsafeBytes { raw in
            try strictUTF8(
                UnsafeRawBufferPointer(rebasing: raw[ranges[Int(index)]]), what: "string table entry \(index)")
        }
    }
}
