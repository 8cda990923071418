import HeadroomCore
import HeadroomStore
import Logging

/// Where the server's parsed pushes are committed: the SQLite store's group-committing batcher (`IngestBatcher`),
/// or in team mode the shared PostgreSQL database (`SharedIngestSink`). A 200 is sent only after `commit` returns.
public protocol IngestSink: Sendable {
    /// Commits the profiles (durably, deduplicated) and returns each one's outcome.
    func commit(_ contributions: [ProfileContribution]) async throws -> [Result<IngestOutcome, HeadroomError>]
    /// Compacts what was accepted so far (at shutdown).
    func flush() async throws
    /// Profiles waiting to be committed (the `/metrics` queue depth).
    var queued: Int { get }
    /// Runs beside the listener until cancelled (compaction on a schedule); returns at once when there is none.
    func run() async
}

extension IngestBatcher: IngestSink {
    /// The batcher compacts on its own writer thread: this only waits to be cancelled.
    public func run() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(3600)) } catch { return }
        }
    }
}

/// Team mode's ingest: every push committed to the shared profile store's ingest log in its own transaction (the
/// database does the group commit), and the log compacted every `interval` - by every server, each bucket under an
/// advisory lock, so however many servers share the database every profile is counted once.
public struct SharedIngestSink: IngestSink {
    /// The shared profile store.
    public let profiles: any ProfileStore
    /// How often the log is compacted.
    public var interval: Duration
    /// Where compaction failures are logged.
    public var logger: Logger

    /// A sink into `profiles`, compacting every `interval`.
    public init(profiles: any ProfileStore, interval: Duration = .seconds(1), logger: Logger) {
        self.profiles = profiles
        self.interval = interval
        self.logger = logger
    }

    public func commit(_ contributions: [ProfileContribution]) async throws -> [Result<IngestOutcome, HeadroomError>] {
        try await profiles.ingest(batch: contributions, deferred: true)
    }

    public func flush() async throws { _ = try await profiles.compactIngestLog() }

    public var queued: Int { 0 }

    public func run() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                _ = try await profiles.compactIngestLog()
            } catch {
                logger.warning("ingest log not compacted", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            }
        }
    }
}
