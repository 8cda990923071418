import Foundation
import HeadroomCore
import HeadroomStore

/// Puts regression events in the store's notification outbox (patch events are recorded by the store as patches
/// are saved). Each event is recorded once per regression identity (service, function, metric, onset bucket), so
/// re-detecting a regression never notifies twice; a regression people have already triaged is not announced.
public struct EventRecorder: Sendable {
    /// The store events are recorded in: SQLite, or team mode's database (`TeamStore`).
    public let store: any RegressionStore & EventStore
    /// The cost model behind the cores in the events' text.
    public var costs: CostModel

    /// A recorder into `store`.
    public init(store: any RegressionStore & EventStore, costs: CostModel = CostModel()) {
        self.store = store
        self.costs = costs
    }

    /// The identity of a regression, stable across detection runs.
    static func subject(_ r: Regression) -> String {
        "\(r.service)|\(r.function.name)|\(r.function.file ?? "")|\(r.metric.rawValue)|\(r.timestamp)"
    }

    /// One line for people: what changed, by how much, since when.
    static func describe(_ r: Regression, _ report: RegressionReport) -> String {
        let cores = report.cores.isFinite ? String(format: ", ≈ %.1f cores", report.cores) : ""
        return String(
            format: "%@ %@ in %@: %@ %.2f%% → %.2f%% (%@%@) since %@", r.kind.rawValue, r.function.name, r.service,
            r.metric.rawValue, r.before * 100, r.after * 100, r.relativeChangeText(), cores, report.timestamp)
    }

    /// `regression.detected`, unless it was recorded before, the regression is triaged, or the triage policy sends
    /// it to the weekly digest (`[policy] notify_min_cores`); returns whether it was recorded now.
    @discardableResult
    public func detected(_ r: Regression, at time: Int64 = Timestamps.now()) throws -> Bool {
        guard r.kind == .regression, r.isOpen(at: time) else { return false }
        let (route, _) = try TriageRouter(store: store, costs: costs).route(r, culprit: nil, at: time)
        guard route == .person || route == .autoFix else { return false }
        let report = RegressionReport(r, costs: store.costs(for: r, fallback: costs))
        let payload = EventPayload(
            event: "regression.detected", createdAt: time, text: "Headroom: " + Self.describe(r, report),
            regression: report)
        return try store.recordEvent(
            kind: payload.event, subject: Self.subject(r), payload: try payload.json(), at: time) != nil
    }

    /// `regression.root_caused` with the top-ranked culprit, once per regression.
    @discardableResult
    public func rootCaused(_ r: Regression, top: RootCauseCandidate, at time: Int64 = Timestamps.now()) throws -> Bool {
        guard r.kind == .regression, r.isOpen(at: time) else { return false }
        let report = RegressionReport(r, costs: store.costs(for: r, fallback: costs))
        let text = String(
            format: "Headroom: likely cause of the %@ %@: %@ %@ by %@ (confidence %.2f)", "regression in",
            r.function.name, top.kind.rawValue, String(top.ref.prefix(12)), top.author, top.confidence)
        let payload = EventPayload(
            event: "regression.root_caused", createdAt: time, text: text, regression: report, candidate: top)
        return try store.recordEvent(
            kind: payload.event, subject: Self.subject(r), payload: try payload.json(), at: time) != nil
    }
}
