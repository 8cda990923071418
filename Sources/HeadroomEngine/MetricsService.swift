import Foundation
import HeadroomCore
import HeadroomStore

/// Savings accounting over the store (`headroom metrics`): regressions detected and judged, fixes delivered and
/// reviewed, and what the applied ones recover, each figure with the rows it came from.
public struct MetricsService: Sendable {
    public let store: any ProgramStore
    /// The cost model behind cores where a service's profiles do not measure them, and watts per core.
    public let costs: CostModel
    /// Engineer-hours one applied fix saves: finding the regression, its cause and a fix, and validating it by
    /// hand. 4 hours is a conservative day's half for work Headroom does end to end; set your own.
    public let hoursPerFix: Double

    public init(store: any ProgramStore, costs: CostModel = CostModel(), hoursPerFix: Double = 4) {
        self.store = store
        self.costs = costs
        self.hoursPerFix = hoursPerFix
    }

    /// The figures for regressions (by onset) and patches (by creation) from `since` on (nil: all time); energy is
    /// counted up to `until`.
    public func report(since: Int64? = nil, until: Int64 = Timestamps.now()) throws -> MetricsReport {
        let inWindow = { (time: Int64?) -> Bool in
            guard let time else { return since == nil }
            return time >= (since ?? Int64.min)
        }
        let regressions = try store.regressions(service: nil).filter {
            $0.kind == .regression && inWindow($0.timestamp)
        }
        let patches = try store.patches(skill: nil, review: nil, status: nil).filter { inWindow($0.createdAt) }
        let delivered = patches.filter { $0.status == .delivered }
        let applied = delivered.filter { $0.review == .applied }
        let rejected = delivered.filter { $0.review == .rejected }
        let byID = Dictionary(regressions.compactMap { r in r.id.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })

        let acknowledged = regressions.filter { $0.triage?.verdict == .acknowledged }.count
        let invalid = regressions.filter { $0.triage?.verdict == .invalid }.count
        let snoozed = regressions.filter { $0.triage?.verdict == .snoozed }.count
        var firstFix: [Int64: Int64] = [:]
        for patch in delivered {
            guard let id = patch.regressionID, let created = patch.createdAt else { continue }
            firstFix[id] = min(firstFix[id] ?? created, created)
        }
        let waits = firstFix.compactMap { id, created in byID[id].map { Double(created - $0.timestamp) } }

        var fixes: [MetricsReport.Fix] = []
        for patch in applied {
            if let fix = try saving(patch, until: until) { fixes.append(fix) }
        }
        // Mitigated: production confirms the fix (its level dropped after the deploy that made it live).
        let confirmed = Set(fixes.filter { $0.confirmation?.state == .confirmed }.compactMap(\.regression))
        let mitigated = confirmed.intersection(byID.keys).count
        let fixed = Set(applied.compactMap(\.regressionID)).intersection(byID.keys).count
        let cores = fixes.reduce(0) { $0 + $1.cores }
        return MetricsReport(
            since: since.map(Timestamps.format), until: Timestamps.format(until),
            regressions: MetricsReport.Regressions(
                detected: regressions.count, acknowledged: acknowledged, invalid: invalid,
                untriaged: regressions.count - acknowledged - invalid - snoozed, snoozed: snoozed,
                falsePositiveRate: acknowledged + invalid > 0 ? Double(invalid) / Double(acknowledged + invalid) : nil,
                mitigated: mitigated, fixed: fixed, medianSecondsToFix: Self.median(waits),
                ids: regressions.compactMap(\.id)),
            fixes: MetricsReport.Fixes(
                delivered: delivered.count,
                refused: patches.filter { $0.status == .refused || $0.status == .failed }.count,
                applied: applied.count, rejected: rejected.count,
                acceptanceRate: applied.count + rejected.count > 0
                    ? Double(applied.count) / Double(applied.count + rejected.count) : nil,
                ids: delivered.compactMap(\.id)),
            savings: MetricsReport.Savings(
                cores: cores, watts: fixes.reduce(0) { $0 + $1.watts },
                megawattHours: fixes.reduce(0) { $0 + $1.megawattHours },
                engineerHours: Double(applied.count) * hoursPerFix, hoursPerFix: hoursPerFix, fixes: fixes))
    }

    /// One applied fix's saving, or nil when it has no significant measured speed-up or no function to price.
    func saving(_ patch: PatchRecord, until: Int64) throws -> MetricsReport.Fix? {
        guard let id = patch.id, let validation = patch.validation, validation.isSignificantGain,
            validation.speedup.isFinite
        else { return nil }
        let service: String
        let function: String
        let share: Double
        let model: CostModel
        if let regressionID = patch.regressionID, let regression = try? store.regression(id: regressionID) {
            service = regression.service
            function = regression.function.name
            share = regression.after
            model = store.costs(for: regression, fallback: costs)
        } else if let opportunityID = patch.opportunityID, let opportunity = try? store.opportunity(id: opportunityID) {
            service = opportunity.service
            function = opportunity.function
            share = opportunity.share
            model = store.costs(service: opportunity.service, fallback: costs)
        } else {
            return nil
        }
        let functionCores = model.cores(forShare: share)
        let estimate = functionCores * (1 - 1 / validation.speedup)
        guard estimate.isFinite, functionCores.isFinite else { return nil }
        // Production's measured drop replaces the A/B estimate once a deploy confirms the fix; energy counts from
        // that deploy then, from the apply until.
        let confirmation = try FixConfirmer(store: store, costs: model).confirm(patch, until: until)
        let confirmed = confirmation?.state == .confirmed ? confirmation?.drop : nil
        let cores = confirmed ?? estimate
        let watts = cores * model.wattsPerCore
        let liveFrom =
            confirmed != nil ? confirmation?.deployedAt.flatMap(Timestamps.parse) ?? patch.reviewedAt : patch.reviewedAt
        let hours = liveFrom.map { max(0, Double(until - $0)) / 3600 } ?? 0
        var fix = MetricsReport.Fix(
            patch: id, regression: patch.regressionID, opportunity: patch.opportunityID, service: service,
            function: function, speedup: validation.speedup, share: share, functionCores: functionCores,
            coresBasis: model.basis, cores: cores, watts: watts, megawattHours: watts * hours / 1e6,
            appliedAt: patch.reviewedAt.map(Timestamps.format), basis: confirmed != nil ? "production" : "ab-estimate")
        fix.estimatedCores = estimate
        fix.confirmation = confirmation
        return fix
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
