import Foundation
import HeadroomCore
import HeadroomProfiles
import HeadroomStore

/// Reads profile files and adds them to the store.
public struct ProfileIngestor: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Formats this version reads; more come with the profiles work.
    public enum Format: String, Sendable, CaseIterable {
        /// Folded stacks (`a;b;c N`), py-spy `-f raw` included.
        case folded
    }

    /// Parses the whole file first, then writes it in one transaction: a bad file leaves the store unchanged.
    @discardableResult
    public func ingest(file: String, service: String, at time: Int64, format: Format? = nil) throws -> IngestOutcome {
        guard FileManager.default.fileExists(atPath: file) else {
            throw HeadroomError(.badInput, "\(file): no such file")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HeadroomError(.badInput, "\(file): cannot read")
        }
        let chosen = try format ?? detect(data, file: file)
        let profile = try FoldedParser.parse(data, source: file)
        let costs = profile.functionCosts()
        return try store.ingest(
            ProfileContribution(
                service: service, time: time, contentHash: SHA256.hex(data), format: chosen.rawValue, source: file,
                totalSamples: profile.totalSamples,
                functions: costs.mapValues { ($0.selfSamples, $0.totalSamples) },
                edges: profile.callEdges().map { ($0.key.caller, $0.key.callee, $0.value) }))
    }

    func detect(_ data: Data, file: String) throws -> Format {
        if data.starts(with: [0x1f, 0x8b]) {
            throw HeadroomError(.badInput, "\(file): gzip data (pprof?) is not supported yet; convert to folded stacks")
        }
        return .folded
    }
}
