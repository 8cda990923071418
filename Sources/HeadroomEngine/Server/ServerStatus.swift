import HeadroomCore
import HeadroomStore

/// What the server's status page (`/metrics`) reads from the store at each scrape.
public struct ServerStatus: Sendable {
    /// The store the figures are read from.
    public let store: Store

    /// Figures over `store`.
    public init(store: Store) { self.store = store }

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
        /// Fix jobs per state.
        public var jobs: [Job.State: Int]
    }

    /// The fix jobs, newest first (`GET /api/v1/jobs`).
    public func jobs(state: Job.State?) throws -> [Job] { try store.jobs(state: state) }

    /// The figures now.
    public func snapshot() throws -> Snapshot {
        let regressions = try store.regressions().filter { $0.kind == .regression }
        let triage = try TriageService(store: store).summary()
        return Snapshot(
            openRegressions: regressions.filter { $0.isOpen() }.count,
            triaged: [.acknowledged: triage.acknowledged, .invalid: triage.invalid],
            falsePositiveRate: triage.falsePositiveRate, deliveries: try store.deliveryCounts(),
            services: try store.serviceSummaries().count, jobs: try store.jobCounts())
    }
}
