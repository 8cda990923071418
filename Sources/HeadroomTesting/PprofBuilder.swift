import Foundation
import HeadroomCore
import HeadroomPprof
import SwiftProtobuf

/// Builds pprof profiles with the generated protobuf types — an encoder independent of Headroom's own streaming
/// decoder, so tests check the decoder against the real wire format, not against itself.
public struct PprofBuilder {
    /// The header fields (sample types, time, mapping); samples and tables are kept apart and joined on output,
    /// because appending through the generated message's copy-on-write storage copies the whole array each time.
    public var profile = Perftools_Profiles_Profile()
    public var samples: [Perftools_Profiles_Sample] = []
    public var locations: [Perftools_Profiles_Location] = []
    public var functionTable: [Perftools_Profiles_Function] = []
    public var stringTable: [String] = []
    private var strings: [String: Int64] = [:]
    private var functions: [FunctionRef: UInt64] = [:]

    public init(
        sampleTypes: [(type: String, unit: String)] = [("samples", "count"), ("cpu", "nanoseconds")],
        defaultSampleType: String? = nil, timeNanos: Int64 = 0
    ) {
        _ = string("")
        profile.sampleType = sampleTypes.map { pair in
            var valueType = Perftools_Profiles_ValueType()
            valueType.type = string(pair.type)
            valueType.unit = string(pair.unit)
            return valueType
        }
        if let defaultSampleType { profile.defaultSampleType = string(defaultSampleType) }
        profile.timeNanos = timeNanos
        var mapping = Perftools_Profiles_Mapping()
        mapping.id = 1
        mapping.filename = string("/usr/bin/service")
        mapping.memoryStart = 0x400000
        mapping.memoryLimit = 0x900000
        profile.mapping = [mapping]
    }

    /// Says what a sample is worth and how long the profile ran, as Go's CPU profiles do: `period_type` cpu in
    /// nanoseconds, `period` nanoseconds a sample, `duration_nanos` of wall time.
    public mutating func cpuPeriod(nanoseconds period: Int64, durationNanos: Int64) {
        var type = Perftools_Profiles_ValueType()
        type.type = string("cpu")
        type.unit = string("nanoseconds")
        profile.periodType = type
        profile.period = period
        profile.durationNanos = durationNanos
    }

    /// Sets only the wall time the profile covers.
    public mutating func duration(nanoseconds: Int64) { profile.durationNanos = nanoseconds }

    /// The string's index, adding it when new.
    public mutating func string(_ text: String) -> Int64 {
        if let index = strings[text] { return index }
        stringTable.append(text)
        strings[text] = Int64(stringTable.count - 1)
        return Int64(stringTable.count - 1)
    }

    /// The function's id, adding it when new.
    public mutating func function(_ ref: FunctionRef) -> UInt64 {
        if let id = functions[ref] { return id }
        var function = Perftools_Profiles_Function()
        function.id = UInt64(functionTable.count + 1)
        function.name = string(ref.name)
        function.systemName = string(ref.name)
        function.filename = string(ref.file ?? "")
        functionTable.append(function)
        functions[ref] = function.id
        return function.id
    }

    /// A location holding `inlined` functions, innermost first (the last is the caller they were inlined into),
    /// at source `lines` (parallel to `inlined`; 10 each when not given, 0 meaning unknown). With no functions it
    /// is an unsymbolised address.
    public mutating func location(_ inlined: [FunctionRef], address: UInt64? = nil, lines: [Int64]? = nil) -> UInt64 {
        var location = Perftools_Profiles_Location()
        location.id = UInt64(locations.count + 1)
        location.mappingID = 1
        location.address = address ?? (0x401000 + location.id * 16)
        location.line = inlined.enumerated().map { index, ref in
            var line = Perftools_Profiles_Line()
            line.functionID = function(ref)
            line.line = lines?[index] ?? 10
            return line
        }
        locations.append(location)
        return location.id
    }

    /// A sample: locations leaf first, one value per sample type, string labels.
    public mutating func sample(_ locations: [UInt64], values: [Int64], labels: [(String, String)] = []) {
        var sample = Perftools_Profiles_Sample()
        sample.locationID = locations
        sample.value = values
        sample.label = labels.map { pair in
            var label = Perftools_Profiles_Label()
            label.key = string(pair.0)
            label.str = string(pair.1)
            return label
        }
        samples.append(sample)
    }

    /// The serialized protobuf, as Go writes it: samples first, then mappings, locations, functions, strings.
    public func serialized() throws -> Data { try message().serializedData() }

    /// The whole message.
    public func message() -> Perftools_Profiles_Profile {
        var whole = profile
        whole.sample = samples
        whole.location = locations
        whole.function = functionTable
        whole.stringTable = stringTable
        return whole
    }

    /// The serialized profile, gzip-compressed with the system's gzip.
    public func gzipped() throws -> Data { try Self.gzip(serialized()) }

    public static func gzip(_ data: Data) throws -> Data {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("p")
        try data.write(to: URL(fileURLWithPath: path))
        let result = try Shell.run(["gzip", "-n", "-6", path])
        guard result.succeeded, let out = FileManager.default.contents(atPath: path + ".gz") else {
            throw HeadroomError(.process, "gzip failed: \(result.stderr)")
        }
        return out
    }
}
