import Foundation
import HeadroomCore
import HeadroomProfiles

/// Pyroscope-compatible ingest, so existing agents push to Headroom unchanged:
/// - the HTTP API, `POST /ingest?name=APP.cpu{k=v,…}&from=&until=&format=folded|lines|pprof&…` (curl, older agents,
///   Pyroscope's own examples), the body folded text, stack lines, or pprof (raw or as the multipart form the Go,
///   Ruby and .NET agents send);
/// - the push of current agents, `POST /push.v1.PusherService/Push` (Connect, protobuf, gzip): series of labels
///   with raw pprof profiles.
///
/// The service is the app name (a profile-type suffix such as `.cpu` is dropped; a non-CPU type keeps it, so one
/// service holds one sample type); the other labels go on every stack. A push is a duplicate when the same bytes
/// arrive again for the same service, window and labels: re-sending is harmless.
///
/// Each request's profiles are parsed on its own, then committed together with whatever other requests are
/// committing (`IngestBatcher`): the answer comes after the commit.
public struct PyroscopeIngest: Sendable {
    /// The ingestor requests are parsed with.
    public var ingestor: ProfileIngestor
    /// The most bytes a profile may inflate to.
    public var maximumBytes: Int
    /// Commits the parsed requests: the SQLite store's batcher, or the shared database in team mode.
    public let batcher: any IngestSink
    /// Folded frame texts the server has read, shared by its requests (agents push the same ones every window).
    public let frameCache = FrameCache()

    /// An ingest endpoint refusing bodies that decompress past `maximumBytes`.
    public init(ingestor: ProfileIngestor, maximumBytes: Int = 256 << 20, sink: (any IngestSink)? = nil) {
        self.ingestor = ingestor
        self.maximumBytes = maximumBytes
        self.batcher = sink ?? IngestBatcher(store: ingestor.store, logger: ingestor.logger)
    }

    /// What one request added.
    public struct Outcome: Codable, Sendable, Equatable {
        /// The services the request's profiles belong to.
        public var services: [String]
        /// Profiles stored.
        public var profiles: Int
        /// Profiles that were stored before (same service, range and content).
        public var duplicates: Int
        /// Samples stored.
        public var samples: Int64
    }

    /// Profile types whose samples are CPU time: their app name is the service.
    static let cpuTypes: Set<String> = ["cpu", "process_cpu", "itimer", "samples"]
    /// Suffixes Pyroscope agents append to the app name.
    static let profileTypes: Set<String> = [
        "cpu", "itimer", "wall", "alloc_objects", "alloc_space", "inuse_objects", "inuse_space", "goroutines",
        "mutex_count", "mutex_duration", "block_count", "block_duration", "lock_count", "lock_duration", "exceptions",
        "alloc_in_new_tlab_objects", "alloc_in_new_tlab_bytes", "process_cpu", "memory",
    ]

    /// `APP.cpu{env=prod,region=eu}` → the service, the profile type (if the name ends in one) and the labels.
    public static func parseName(_ name: String) throws -> (service: String, type: String?, labels: [Label]) {
        var base = name.trimmingCharacters(in: .whitespaces)
        var labels: [Label] = []
        if let open = base.firstIndex(of: "{") {
            guard base.hasSuffix("}") else { throw HeadroomError(.badInput, "name '\(name)': unclosed '{'") }
            let inner = base[base.index(after: open)..<base.index(before: base.endIndex)]
            for pair in inner.split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let equals = pair.firstIndex(of: "=") else {
                    throw HeadroomError(.badInput, "name '\(name)': label '\(pair)' is not key=value")
                }
                let key = pair[..<equals].trimmingCharacters(in: .whitespaces)
                let value = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else { throw HeadroomError(.badInput, "name '\(name)': a label has no key") }
                if key == "__name__" || key == "service_name" { continue }
                labels.append(Label(key: key, value: value))
            }
            base = String(base[..<open])
        }
        var type: String?
        if let dot = base.lastIndex(of: "."), Self.profileTypes.contains(String(base[base.index(after: dot)...])) {
            type = String(base[base.index(after: dot)...])
            if Self.cpuTypes.contains(type!) { base = String(base[..<dot]) }
        }
        guard !base.isEmpty, base.count <= 200 else {
            throw HeadroomError(.badInput, "name '\(name)': expected APP or APP.TYPE{key=value,…}")
        }
        return (base, type, labels)
    }

    /// `POST /ingest` with its query parameters.
    public func ingest(query: [String: String], body: Data, contentType: String?) async throws -> Outcome {
        guard let name = query["name"], !name.isEmpty else {
            throw HeadroomError(.badInput, "missing query parameter 'name' (e.g. name=myapp.cpu{env=prod})")
        }
        let (service, type, labels) = try Self.parseName(name)
        let from = try Self.time(query["from"], "from")
        let until = try Self.time(query["until"], "until")
        if let from, let until, until < from {
            throw HeadroomError(.badInput, "until (\(until)) is before from (\(from))")
        }
        let format = (query["format"] ?? "folded").lowercased()
        var options = ProfileReadOptions()
        options.maximumBytes = Int64(maximumBytes)
        options.frameCache = frameCache
        // What the push says about its samples: CPU samples at `sampleRate` Hz (Pyroscope's default is 100) over
        // `from`–`until`. A profile that says more itself (a pprof's period and duration) keeps its own.
        if let from, let until, until > from { options.duration = Double(until - from) }
        if Self.cpuTypes.contains(type ?? "cpu") {
            guard let rate = Double(query["sampleRate"] ?? "100"), rate > 0, rate.isFinite else {
                throw HeadroomError(.badInput, "sampleRate '\(query["sampleRate"] ?? "")' is not a positive number")
            }
            options.sampleRate = rate
        }
        let data: Data
        switch format {
        case "folded":
            options.format = .folded
            data = body
        case "lines":
            options.format = .folded
            data = try Self.foldLines(body)
        case "pprof":
            options.format = .pprof
            data = try Self.multipartProfile(body, contentType: contentType) ?? body
        default:
            throw HeadroomError(.badInput, "format '\(format)' is not supported (folded, lines or pprof)")
        }
        guard !data.isEmpty else { throw HeadroomError(.badInput, "empty body: no profile") }
        let window = "\(from.map(String.init) ?? "")-\(until.map(String.init) ?? "")"
        let (ingestor, payload, readOptions) = (self.ingestor, data, options)
        let prepared = try await AsyncBridge.offPool {
            try ingestor.prepare(
                data: payload, source: "push \(name) \(window)", service: service, at: from, labels: labels,
                identity: window, options: readOptions)
        }
        return try await commit([prepared])
    }

    /// `POST /push.v1.PusherService/Push` (Connect, `application/proto`). Its profiles are committed in one
    /// transaction; one that is refused (another sample type than its service holds) makes the answer an error
    /// while the others stay stored, as they would have been pushed one by one.
    public func push(body: Data, gzip: Bool) async throws -> Outcome {
        let (ingestor, maximumBytes) = (self.ingestor, self.maximumBytes)
        let prepared = try await AsyncBridge.offPool { () -> [ProfileIngestor.Prepared] in
            let series = try PyroscopePush.decode(body, gzip: gzip, maximumBytes: maximumBytes)
            var options = ProfileReadOptions()
            options.format = .pprof
            options.maximumBytes = Int64(maximumBytes)
            var prepared: [ProfileIngestor.Prepared] = []
            for one in series {
                guard let app = one.service ?? one.labels.first(where: { $0.key == "__name__" })?.value, !app.isEmpty
                else {
                    throw HeadroomError(.badInput, "a pushed series has no service_name label")
                }
                let type = one.profileType ?? "process_cpu"
                let service = Self.cpuTypes.contains(type) ? app : "\(app).\(type)"
                let labels = one.labels.filter { !$0.key.hasPrefix("__") && $0.key != "service_name" }
                for sample in one.samples where !sample.profile.isEmpty {
                    prepared.append(
                        try ingestor.prepare(
                            data: sample.profile, source: "push \(service) \(sample.id)", service: service,
                            labels: labels, identity: sample.id, options: options))
                }
            }
            return prepared
        }
        return try await commit(prepared)
    }

    /// Commits prepared profiles (group commit) and sums what they added; the first refusal is thrown.
    func commit(_ prepared: [ProfileIngestor.Prepared]) async throws -> Outcome {
        var outcome = Outcome(services: [], profiles: 0, duplicates: 0, samples: 0)
        let results = try await batcher.commit(prepared.map(\.contribution))
        for (one, result) in zip(prepared, results) {
            let report = ingestor.finish(one, outcome: try result.get())
            let service = one.contribution.service
            if !outcome.services.contains(service) { outcome.services.append(service) }
            if report.outcome == .duplicate {
                outcome.duplicates += 1
            } else {
                outcome.profiles += 1
                outcome.samples += report.totalSamples
            }
        }
        return outcome
    }

    /// Unix seconds (milliseconds and nanoseconds are recognised by their size).
    public static func time(_ text: String?, _ name: String) throws -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw HeadroomError(.badInput, "\(name) '\(text)' is not Unix time")
        }
        if value > 100_000_000_000_000 { return value / 1_000_000_000 }
        if value > 100_000_000_000 { return value / 1000 }
        return value
    }

    /// `lines`: one stack per line (frames joined by `;`), each line one sample.
    static func foldLines(_ body: Data) throws -> Data {
        var counts: [Substring: Int] = [:]
        var order: [Substring] = []
        let text = String(decoding: body, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            let stack = line.trimmingCharacters(in: .whitespaces)
            guard !stack.isEmpty else { continue }
            let key = Substring(stack)
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        return Data(order.map { "\($0) \(counts[$0]!)\n" }.joined().utf8)
    }

    /// The `profile` part of a `multipart/form-data` body, or nil when the body is not multipart.
    static func multipartProfile(_ body: Data, contentType: String?) throws -> Data? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        guard let range = contentType.range(of: "boundary=") else {
            throw HeadroomError(.badInput, "multipart body without a boundary")
        }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Data(("--" + boundary).utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var cursor = body.startIndex
        while let start = body.range(of: delimiter, in: cursor..<body.endIndex) {
            let partStart = start.upperBound
            guard let headers = body.range(of: headerEnd, in: partStart..<body.endIndex) else { break }
            let head = String(decoding: body[partStart..<headers.lowerBound], as: UTF8.self)
            let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headers.upperBound..<body.endIndex)
            let end = next?.lowerBound ?? body.endIndex
            if head.range(of: #"name="?profile"?(;|\s|$)"#, options: .regularExpression) != nil {
                return body.subdata(in: headers.upperBound..<end)
            }
            cursor = next?.lowerBound ?? body.endIndex
            if next == nil { break }
        }
        throw HeadroomError(.badInput, "multipart body has no 'profile' part")
    }
}
