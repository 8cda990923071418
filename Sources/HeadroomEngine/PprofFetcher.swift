import Foundation
import HeadroomCore
import HeadroomProfiles

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fetches a CPU profile from a running Go service's pprof endpoint
/// (`http://HOST:6060/debug/pprof/profile?seconds=10`): the service profiles itself for that long and answers with
/// a gzipped pprof file.
public enum PprofFetcher {
    /// The most bytes accepted from the endpoint.
    public static let maximumBytes = 256 << 20

    /// The profile's bytes, or a one-line error (bad URL, connection refused, non-200 answer, not a profile).
    public static func fetch(_ address: String, timeout: Double) throws -> Data {
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            url.host != nil
        else {
            throw HeadroomError(
                .badInput,
                "--pprof-url must be an http(s) URL, e.g. http://127.0.0.1:6060/debug/pprof/profile?seconds=10")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "GET"
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        session.dataTask(with: request) { data, response, error in
            box.set(data, response as? HTTPURLResponse, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, response, error) = box.get()
        if let error {
            throw HeadroomError(.process, "could not fetch \(address): \(error.localizedDescription)")
        }
        guard let response, let data else { throw HeadroomError(.process, "no answer from \(address)") }
        guard response.statusCode == 200 else {
            let text = String(decoding: data.prefix(200), as: UTF8.self).split(separator: "\n").first ?? ""
            throw HeadroomError(.process, "\(address) answered \(response.statusCode): \(text)")
        }
        guard data.count <= maximumBytes else {
            throw HeadroomError(.badInput, "the profile from \(address) is over \(maximumBytes >> 20) MB")
        }
        return data
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (Data?, HTTPURLResponse?, (any Error)?) = (nil, nil, nil)
        func set(_ data: Data?, _ response: HTTPURLResponse?, _ error: (any Error)?) {
            lock.lock()
            value = (data, response, error)
            lock.unlock()
        }
        func get() -> (Data?, HTTPURLResponse?, (any Error)?) {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
    }
}

extension ProfileRecorder {
    /// Fetches a profile from a pprof endpoint and ingests it for `service` at the time the fetch started.
    public func record(pprofURL: String, service: String, timeout: Double = 600, keepProfile: String? = nil) throws
        -> Outcome
    {
        let started = Timestamps.now()
        let data = try PprofFetcher.fetch(pprofURL, timeout: timeout)
        let scratch = try PrivateTemporary.directory(prefix: "headroom-record")
        defer { PrivateTemporary.remove(scratch) }
        let path = scratch.appendingPathComponent("profile.pprof").path
        try PrivateTemporary.write(data, to: path)
        if let keepProfile {
            try? FileManager.default.removeItem(atPath: keepProfile)
            try FileManager.default.copyItem(atPath: path, toPath: keepProfile)
        }
        let report = try ProfileIngestor(store: store).ingest(
            file: path, service: service, at: started, options: ProfileReadOptions(format: .pprof))
        return Outcome(profiler: .goTest, report: report, commandStatus: 0)
    }
}
