import Foundation
import HeadroomCore

/// The push that current Pyroscope agents send (`POST /push.v1.PusherService/Push`, Connect protocol, protobuf,
/// usually gzip-encoded): series of labels, each with raw profiles (pprof).
///
///     PushRequest { repeated RawProfileSeries series = 1; }
///     RawProfileSeries { repeated LabelPair labels = 1; repeated RawSample samples = 2; }
///     LabelPair { string name = 1; string value = 2; }
///     RawSample { bytes raw_profile = 1; string ID = 2; }
public enum PyroscopePush {
    public struct Series: Sendable {
        /// Every label the agent sent, `__name__` and `service_name` included.
        public var labels: [Label]
        public var samples: [Sample]

        /// The service the series belongs to: `service_name`, else the app name in `__name__`-less pushes.
        public var service: String? { labels.first { $0.key == "service_name" }?.value }
        /// The profile type (`process_cpu`, `memory`, …) from `__name__`.
        public var profileType: String? { labels.first { $0.key == "__name__" }?.value }
    }

    public struct Sample: Sendable {
        public var profile: Data
        public var id: String
    }

    /// Decodes a push body; `gzip` when the request says `Content-Encoding: gzip`. At most `maximumBytes` once
    /// inflated.
    public static func decode(_ body: Data, gzip: Bool, maximumBytes: Int = 256 << 20) throws -> [Series] {
        let raw = gzip ? try inflate(body, maximumBytes: maximumBytes) : body
        do {
            return try raw.withUnsafeBytes { bytes throws(WireError) -> [Series] in
                var cursor = WireCursor(bytes)
                var series: [Series] = []
                while !cursor.atEnd {
                    let (field, wire) = try cursor.tag()
                    guard field == 1, wire == 2 else {
                        try cursor.skip(wire)
                        continue
                    }
                    series.append(try Self.series(try cursor.slice()))
                }
                return series
            }
        } catch {
            throw HeadroomError(.badInput, "push body: not a PushRequest (\(error))")
        }
    }

    private static func series(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Series {
        var cursor = WireCursor(bytes)
        var result = Series(labels: [], samples: [])
        while !cursor.atEnd {
            let (field, wire) = try cursor.tag()
            switch (field, wire) {
            case (1, 2):
                var pair = WireCursor(try cursor.slice())
                var name = ""
                var value = ""
                while !pair.atEnd {
                    let (f, w) = try pair.tag()
                    if w == 2, f == 1 || f == 2 {
                        let text = String(decoding: try pair.slice(), as: UTF8.self)
                        if f == 1 { name = text } else { value = text }
                    } else {
                        try pair.skip(w)
                    }
                }
                result.labels.append(Label(key: name, value: value))
            case (2, 2):
                var sample = WireCursor(try cursor.slice())
                var profile = Data()
                var id = ""
                while !sample.atEnd {
                    let (f, w) = try sample.tag()
                    if w == 2, f == 1 {
                        profile = Data(try sample.slice())
                    } else if w == 2, f == 2 {
                        id = String(decoding: try sample.slice(), as: UTF8.self)
                    } else {
                        try sample.skip(w)
                    }
                }
                result.samples.append(Sample(profile: profile, id: id))
            default:
                try cursor.skip(wire)
            }
        }
        return result
    }

    private static func inflate(_ body: Data, maximumBytes: Int) throws -> Data {
        let inflater = try Inflater(source: "push body")
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        try body.withUnsafeBytes { input in
            try buffer.withUnsafeMutableBytes { output in
                try inflater.inflate(input, into: output) { piece in
                    guard out.count + piece.count <= maximumBytes else {
                        throw HeadroomError(.badInput, "push body: more than \(maximumBytes >> 20) MiB once inflated")
                    }
                    out.append(contentsOf: piece)
                }
            }
        }
        try inflater.finish()
        return out
    }
}
