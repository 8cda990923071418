import HeadroomCore
import HeadroomPostgres
import HeadroomStore

/// Team mode's PostgreSQL store as the synchronous store the change-history, root-cause, triage, event,
/// opportunity and patch services are written against (`RegressionStore`, `EventStore`, `OpportunityStore`,
/// `PatchStore`): each call waits for its query (`AsyncBridge.blocking`).
/// Use it only off the cooperative pool: `TeamDatabase.synchronously` runs those services on a thread of their own
/// (`AsyncBridge.onOwnThread`).
public struct TeamStore: RegressionStore, EventStore, OpportunityStore, PatchStore, DashboardStore {
    /// The shared database's profiles, regressions and change history.
    public let profiles: PostgresProfileStore
    /// The shared job queue, where the dashboard lists jobs (none without it).
    public var queue: PostgresJobQueue?

    /// An adapter over `profiles` (and `queue`).
    public init(profiles: PostgresProfileStore, queue: PostgresJobQueue? = nil) {
        self.profiles = profiles
        self.queue = queue
    }

    private func wait<T: Sendable>(_ work: @escaping @Sendable (PostgresProfileStore) async throws -> T) throws -> T {
        let profiles = profiles
        return try AsyncBridge.blocking { try await work(profiles) }
    }

    public func registerRepository(root: String, name: String, service: String?) throws -> RegisteredRepository {
        try wait { try await $0.registerRepository(root: root, name: name, service: service) }
    }

    public func registeredRepositories() throws -> [RegisteredRepository] {
        try wait { try await $0.registeredRepositories() }
    }

    public func unregisterRepository(name: String) throws -> Bool {
        try wait { try await $0.unregisterRepository(name: name) }
    }

    public func saveCommits(_ commits: [Commit], repository: String) throws -> Int {
        try wait { try await $0.saveCommits(commits, repository: repository) }
    }

    public func knownCommits(repository: String) throws -> Set<String> {
        try wait { try await $0.knownCommits(repository: repository) }
    }

    public func repositories() throws -> [String] { try wait { try await $0.repositories() } }

    public func commitGraph() throws -> [String: [String]] { try wait { try await $0.commitGraph() } }

    public func commits(shas: [String]) throws -> [Commit] { try wait { try await $0.commits(shas: shas) } }

    public func configCommits(from: Int64, to: Int64) throws -> [Commit] {
        try wait { try await $0.configCommits(from: from, to: to) }
    }

    public func repository(ofCommit sha: String) throws -> String? {
        try wait { try await $0.repository(ofCommit: sha) }
    }

    public func resolveCommit(_ reference: String) throws -> String {
        try wait { try await $0.resolveCommit(reference) }
    }

    public func addDeploys(_ deploys: [Deploy]) throws -> Int { try wait { try await $0.addDeploys(deploys) } }

    public func deploys(service: String) throws -> [Deploy] { try wait { try await $0.deploys(service: service) } }

    public func regression(id: Int64) throws -> Regression { try wait { try await $0.regression(id: id) } }

    public func regressions(service: String?) throws -> [Regression] {
        try wait { try await $0.regressions(service: service) }
    }

    public func buckets(service: String) throws -> [Int64] { try wait { try await $0.buckets(service: service) } }

    public func stacks(service: String, from: Int64?, to: Int64?, label: (key: String, value: String)?) throws
        -> (totalSamples: Int64, stacks: [StoredStack])
    {
        try wait { try await $0.stacks(service: service, from: from, to: to, label: label) }
    }

    public func saveCandidates(_ candidates: [RootCauseCandidate], regression: Int64) throws {
        try wait { try await $0.saveCandidates(candidates, regression: regression) }
    }

    public func candidates(regression: Int64) throws -> [RootCauseCandidate] {
        try wait { try await $0.candidates(regression: regression) }
    }

    public func triage(
        regression id: Int64, verdict: Triage.Verdict, note: String, at time: Int64, snoozeUntil: Int64?
    ) throws -> Regression {
        try wait {
            try await $0.triage(regression: id, verdict: verdict, note: note, at: time, snoozeUntil: snoozeUntil)
        }
    }

    public func serviceSummaries() throws -> [ServiceSummary] { try wait { try await $0.serviceSummaries() } }

    public func measuredCores(service: String, from: Int64?, to: Int64?) throws -> MeasuredCores? {
        try wait { try await $0.measuredCores(service: service, from: from, to: to) }
    }

    public func recordEvent(kind: String, subject: String, payload: String, at time: Int64) throws -> Int64? {
        try wait { try await $0.recordEvent(kind: kind, subject: subject, payload: payload, at: time) }
    }

    public func hasEvent(kind: String, subject: String) throws -> Bool {
        try wait { try await $0.hasEvent(kind: kind, subject: subject) }
    }

    public func registerWebhookTargets(_ targets: [String], since: Int64) throws {
        try wait { try await $0.registerWebhookTargets(targets, since: since) }
    }

    public func dueDeliveries(targets: [String], now: Int64, limit: Int) throws -> [EventDelivery] {
        try wait { try await $0.dueDeliveries(targets: targets, now: now, limit: limit) }
    }

    public func recordAttempt(_ delivery: EventDelivery, at time: Int64, error: String?, retryAt: Int64?) throws {
        try wait { try await $0.recordAttempt(delivery, at: time, error: error, retryAt: retryAt) }
    }

    public func deliveryCounts() throws -> [String: Int] { try wait { try await $0.deliveryCounts() } }

    public func triageCounts() throws -> [Triage.Verdict: Int] { try wait { try await $0.triageCounts() } }

    public func lineCosts(service: String, function: FunctionRef, from: Int64?, to: Int64?) throws
        -> [Int: (selfSamples: Int64, totalSamples: Int64)]
    {
        try wait { try await $0.lineCosts(service: service, function: function, from: from, to: to) }
    }

    public func replaceOpportunities(service: String, repository: String, with found: [Opportunity]) throws
        -> [Opportunity]
    {
        try wait { try await $0.replaceOpportunities(service: service, repository: repository, with: found) }
    }

    public func addSweepOpportunities(_ found: [Opportunity]) throws -> [Opportunity] {
        try wait { try await $0.addSweepOpportunities(found) }
    }

    public func opportunities(service: String?) throws -> [Opportunity] {
        try wait { try await $0.opportunities(service: service) }
    }

    public func opportunity(id: Int64) throws -> Opportunity { try wait { try await $0.opportunity(id: id) } }

    public func savePatch(_ patch: PatchRecord) throws -> PatchRecord { try wait { try await $0.savePatch(patch) } }

    public func reviewPatch(id: Int64, review: PatchRecord.Review, note: String?, appliedCommit: String?) throws {
        try wait { try await $0.reviewPatch(id: id, review: review, note: note, appliedCommit: appliedCommit) }
    }

    public func patches(skill: String?, review: PatchRecord.Review?, status: PatchRecord.Status?) throws
        -> [PatchRecord]
    {
        try wait { try await $0.patches(skill: skill, review: review, status: status) }
    }

    public func patch(id: Int64) throws -> PatchRecord { try wait { try await $0.patch(id: id) } }

    public func setPatchOwner(_ ids: [Int64], owner: String?) throws {
        try wait { try await $0.setPatchOwner(ids, owner: owner) }
    }

    public func ownedPatches() throws -> [(id: Int64, owner: String, status: PatchRecord.Status)] {
        try wait { try await $0.ownedPatches() }.map { ($0.id, $0.owner, $0.status) }
    }

    public func releasePatches(owner: String) throws { try wait { try await $0.releasePatches(owner: owner) } }

    @discardableResult
    public func cancelPatches(owner: String, reason: String) throws -> [Int64] {
        try wait { try await $0.cancelPatches(owner: owner, reason: reason) }
    }

    public func recordCalibration(_ point: CalibrationPoint) throws {
        try wait { try await $0.recordCalibration(point) }
    }

    public func calibration(pattern: String?) throws -> [CalibrationPoint] {
        try wait { try await $0.calibration(pattern: pattern) }
    }

    public func savePublication(_ publication: Publication) throws {
        try wait { try await $0.savePublication(publication) }
    }

    public func publication(patch id: Int64) throws -> Publication? {
        try wait { try await $0.publication(patch: id) }
    }

    public func publications() throws -> [Publication] { try wait { try await $0.publications() } }

    public func profileVersion(service: String) throws -> String {
        try wait { try await $0.profileVersion(service: service) }
    }

    public func requireService(_ name: String) throws {
        try wait { try await ProfileQueries.requireService(name, in: $0) }
    }

    public func functionSeries(service: String, function: FunctionRef) throws
        -> [(bucket: Int64, total: Int64, selfSamples: Int64, totalSamples: Int64)]
    {
        try wait { try await $0.functionSeries(service: service, function: function) }
    }

    public func recentJobs(limit: Int) throws -> [Job] {
        guard let queue else { return [] }
        return try AsyncBridge.blocking { try await queue.jobs(state: nil, limit: limit) }
    }

    /// Drawn after compacting the service's ingest log, so it counts every profile accepted so far.
    public func flameGraph(service: String, range: TimeRange, baseline: TimeRange?) throws -> String {
        try wait {
            try await $0.compactIngestLog(service: service)
            return try await ProfileQueries.flameGraph(in: $0, service: service, range: range, baseline: baseline)
        }
    }
}
