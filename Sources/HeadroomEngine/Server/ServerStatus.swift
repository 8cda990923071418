import HeadroomCore
import HeadroomStore

/// What the server's status page (`/metrics`) and `GET /api/v1/jobs` read at each request: from the SQLite store, or
/// in team mode from the shared database and its job queue.
public struct ServerStatus: Sendable {
    /// Where regressions, verdicts, deliveries and services are read.
    public let store: any RegressionStore & EventStore
    /// Where the jobs are.
    public let queue: any JobQueue

    /// Figures over the SQLite store (its own job queue).
    public init(store: Store) {
        self.store = store
        self.queue = store
    }

    /// Figures over `store` and `queue` (team mode: the shared database and its queue).
    public init(store: any RegressionStore & EventStore, queue: any JobQueue) {
        self.store = store
        self.queue = queue
    }

    /// The figures `/metrics` exports.
    public struct Snapshot: Sendable {
        /// Stored regressions without a verdict, and with one.
        public var openRegressions: Int
        /// Regressions per verdict.
        public var triaged: [Triage.Verdict: Int]
        /// invalid / (acknowledged + invalid); nil before any verdict.
        public var falsePositiveRate: Double?
        /// Webhook deliveries per state: pending, delivered, failed.
        public var deliveries: [String: Int]
        /// Services with profiles.
        public var services: Int
        /// Jobs per state (fixes; detection too with external workers, and in team mode).
        public var jobs: [Job.State: Int]
    }

    /// The jobs, newest first (`GET /api/v1/jobs`).
    public func jobs(state: Job.State?) async throws -> [Job] { try await queue.jobs(state: state, limit: 200) }

    /// The figures now. The store's side is read off the cooperative pool (team mode's store waits for each query).
    public func snapshot() async throws -> Snapshot {
        let store = self.store
        var snapshot = try await AsyncBridge.offPool {
            let regressions = try store.regressions(service: nil).filter { $0.kind == .regression }
            let triage = try TriageService(store: store).summary()
            return Snapshot(
                openRegressions: regressions.filter { $0.isOpen() }.count,
                triaged: [.acknowledged: triage.acknowledged, .invalid: triage.invalid],
                falsePositiveRate: triage.falsePositiveRate, deliveries: try store.deliveryCounts(),
                services: try store.serviceSummaries().count, jobs: [:])
        }
        snapshot.jobs = try await queue.jobCounts()
        return snapshot
    }
}
