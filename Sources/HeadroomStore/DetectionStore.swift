import HeadroomCore

/// What detection reads and writes, whichever engine holds it: a service's bucket totals, function costs and call
/// edges in, its regressions out. A `detect-service` job runs the same detection over the SQLite store or over
/// PostgreSQL in team mode (`headroom worker --database`).
public protocol DetectionStore: Sendable {
    /// The services with profiles, by name.
    func detectionServices() async throws -> [String]

    /// A service's bucket totals and per-function costs between two times (inclusive); an unknown service is a
    /// not-found error.
    func timeline(service: String, from: Int64?, to: Int64?) async throws -> ServiceTimeline

    /// A service's caller → callee samples per bucket (empty where the engine has none).
    func callEdgeBuckets(service: String) async throws -> [(
        caller: FunctionRef, callee: FunctionRef, bucket: Int64, samples: Int64
    )]

    /// Replaces a service's stored regressions with `regressions`: one already stored (same function, metric and
    /// onset bucket) keeps its id, the others get new ones, and those no longer found are removed. Returns them with
    /// their ids. Running it twice with the same regressions stores nothing twice.
    func replaceRegressions(service: String, with regressions: [Regression]) async throws -> [Regression]

    /// Compacts everything logged for `service` so far, waiting for compactions other processes have underway for
    /// it: what detection reads then holds every profile accepted before the call.
    func compactIngestLog(service: String) async throws

    /// Each service's newest profile's ingest time (Unix seconds): what rounds of detection are queued by.
    func lastIngest() async throws -> [String: Int64]

    /// Stored regressions of one service (or all), largest change first.
    func regressions(service: String?) async throws -> [Regression]
}

extension Store: DetectionStore {
    public func detectionServices() throws -> [String] { try services() }
    /// One writer at a time holds the SQLite store: compacting everything leaves nothing of the service underway.
    public func compactIngestLog(service: String) throws { _ = try compactIngestLog() }
}
