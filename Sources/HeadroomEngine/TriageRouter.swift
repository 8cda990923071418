import Foundation
import HeadroomCore
import HeadroomStore

/// The triage policy: routes each regression to an automatic fix attempt, to a person now, or to the weekly digest,
/// by the culprit's confidence and the regression's cost in cores (`[policy]` of the service's repository, with
/// documented defaults), and keeps regressions people silenced quiet. The server's notifications and fix queue, and
/// `headroom digest`, all route through here.
public struct TriageRouter: Sendable {
    /// A regression this costly goes to a person first unless `[policy] critical_cores` says otherwise.
    public static let defaultCriticalCores = 10.0
    /// Below this cost a regression waits for the digest unless `[policy] notify_min_cores` says otherwise.
    public static let defaultNotifyMinCores = 0.25
    /// ... unless it moved this much of its service's samples (`[policy] notify_min_share`): one percentage point is
    /// a lot of a small service even when it is few cores.
    public static let defaultNotifyMinShare = 0.01

    /// The store it reads: SQLite, or team mode's database (`TeamStore`).
    public let store: any RegressionStore
    /// When a regression may be fixed without a person (`headroom serve --auto-fix`).
    public var fixPolicy: FixPolicy
    /// Cores where the profiles do not measure them (the fleet size), and watts per core.
    public let costs: CostModel

    /// A value from its fields.
    public init(store: any RegressionStore, fixPolicy: FixPolicy = FixPolicy(), costs: CostModel = CostModel()) {
        self.store = store
        self.fixPolicy = fixPolicy
        self.costs = costs
    }

    /// The route of `regression` at `time`, with the reason; `culprit` is its top-ranked cause once ranked (before
    /// that, no automatic attempt is possible).
    public func route(_ regression: Regression, culprit: RootCauseCandidate?, at time: Int64 = Timestamps.now())
        throws -> (route: TriageRoute, reason: String)
    {
        if let triage = regression.triage, triage.silences(at: time) {
            let note = triage.note.isEmpty ? "" : ": \(triage.note)"
            switch triage.verdict {
            case .snoozed:
                return (.quiet, "snoozed until \(triage.snoozeUntil.map(Timestamps.format) ?? "further notice")\(note)")
            case .acknowledged, .invalid: return (.quiet, "\(triage.verdict.rawValue)\(note)")
            }
        }
        let repository = try store.registeredRepositories().first { $0.service == regression.service }
        let settings = try repository.map { try ProjectSettings.load(repository: $0.root).policy } ?? .init()
        let cores = RegressionReport(regression, costs: store.costs(for: regression, fallback: costs)).cores
        let critical = settings.criticalCores ?? Self.defaultCriticalCores
        let notify = settings.notifyMinCores ?? Self.defaultNotifyMinCores
        let decision = fixPolicy.decide(
            service: regression.service, culprit: culprit, cores: cores, repository: repository, settings: settings)
        if cores.isFinite, cores >= critical {
            return (
                .person,
                String(
                    format: "critical: %.2f cores ≥ policy.critical_cores %.2f, a person first (the fix policy: %@)",
                    cores, critical, decision.reason)
            )
        }
        if case .attempt(let why) = decision { return (.autoFix, why) }
        let share = abs(regression.after - regression.before)
        let notifyShare = settings.notifyMinShare ?? Self.defaultNotifyMinShare
        if !cores.isFinite || cores >= notify {
            return (
                .person,
                cores.isFinite
                    ? String(
                        format: "%.2f cores ≥ policy.notify_min_cores %.2f; not automatic: %@", cores, notify,
                        decision.reason)
                    : "its cost is unknown; not automatic: \(decision.reason)"
            )
        }
        if share >= notifyShare {
            return (
                .person,
                String(
                    format: "%.2f points of the service's samples ≥ policy.notify_min_share %.2f; not automatic: %@",
                    share * 100, notifyShare * 100, decision.reason)
            )
        }
        return (
            .digest,
            String(
                format: "%.3f cores < policy.notify_min_cores %.2f and %.2f points < policy.notify_min_share %.2f: "
                    + "the weekly digest", cores, notify, share * 100, notifyShare * 100)
        )
    }

    /// `headroom digest`: every regression with its onset in `[since, until]`, routed.
    public func digest(since: Int64, until: Int64 = Timestamps.now()) throws -> DigestReport {
        var routed: [(RoutedRegression, Double)] = []
        for regression in try store.regressions(service: nil) where regression.kind == .regression {
            guard regression.timestamp >= since, regression.timestamp <= until else { continue }
            let culprit = try regression.id.flatMap { try store.candidates(regression: $0).first }
            let (route, reason) = try self.route(regression, culprit: culprit, at: until)
            let report = regression.report(store: store, fallback: costs)
            routed.append((RoutedRegression(regression: report, route: route, reason: reason), report.cores))
        }
        let order: [TriageRoute] = [.digest, .person, .autoFix, .quiet]
        routed.sort {
            let a = order.firstIndex(of: $0.0.route)!
            let b = order.firstIndex(of: $1.0.route)!
            return a != b ? a < b : ($0.1.isFinite ? $0.1 : 0) > ($1.1.isFinite ? $1.1 : 0)
        }
        var counts = Dictionary(uniqueKeysWithValues: TriageRoute.allCases.map { ($0.rawValue, 0) })
        for (item, _) in routed { counts[item.route.rawValue, default: 0] += 1 }
        return DigestReport(
            since: Timestamps.format(since), until: Timestamps.format(until), counts: counts,
            regressions: routed.map(\.0))
    }
}
