import HeadroomCore

/// The profile side of the store, whichever engine holds it: the embedded SQLite store, or PostgreSQL in team mode
/// (several servers ingesting into one database). Ingest is judged per profile (a duplicate or a foreign sample
/// type is its own result), written in one transaction per batch, and - deferred, as the server does - logged
/// first and compacted into the per-bucket rows later, each profile counted exactly once; its stacks are read back
/// per range. The same tests run against both engines.
public protocol ProfileStore: StackStore {
    /// Adds profiles in one transaction; `deferred` logs their aggregates for `compactIngestLog()`.
    func ingest(batch: [ProfileContribution], deferred: Bool) async throws -> [Result<IngestOutcome, HeadroomError>]

    /// Moves what was logged so far into the per-bucket rows; returns the log rows compacted.
    func compactIngestLog() async throws -> Int

    /// A service's bucket totals and per-function costs between two times (inclusive); an unknown service is a
    /// not-found error.
    func timeline(service: String, from: Int64?, to: Int64?) async throws -> ServiceTimeline

    /// How many profiles the store holds for a service.
    func profileCount(service: String) async throws -> Int
}

extension Store: ProfileStore {}
