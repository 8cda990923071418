import HeadroomCore

/// The repositories an operator registered, whichever engine holds them (the SQLite store, or team mode's
/// PostgreSQL database through its synchronous adapter).
public protocol RepositoryStore: Sendable {
    /// Registers the repository whose top-level folder is `root` under `name`; a registered root comes back
    /// unchanged, a name taken by another root is refused.
    @discardableResult
    func registerRepository(root: String, name: String, service: String?) throws -> RegisteredRepository
    /// Every registration, by name.
    func registeredRepositories() throws -> [RegisteredRepository]
    /// Removes a registration; false when there was none.
    @discardableResult
    func unregisterRepository(name: String) throws -> Bool
}

extension RepositoryStore {
    /// A name for a root that is not registered yet: `preferred` when free, else `preferred-2`, ….
    public func freeRepositoryName(_ preferred: String) throws -> String {
        let cleaned = String(preferred.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" })
        let base = cleaned.isEmpty ? "repository" : cleaned
        let taken = Set(try registeredRepositories().map(\.name))
        var name = base
        var n = 1
        while taken.contains(name) {
            n += 1
            name = "\(base)-\(n)"
        }
        return name
    }
}

/// Change history — imported commits and deploys — whichever engine holds it: what `changes import`,
/// `deploys import` and root-cause ranking read and write.
public protocol ChangeStore: RepositoryStore {
    /// Records commits of a repository in one transaction, replacing known ones; returns how many were new.
    @discardableResult
    func saveCommits(_ commits: [Commit], repository: String) throws -> Int
    /// The shas already imported from a repository.
    func knownCommits(repository: String) throws -> Set<String>
    /// The repository folders whose history was imported, in name order.
    func repositories() throws -> [String]
    /// Every stored commit's parents, by sha.
    func commitGraph() throws -> [String: [String]]
    /// The stored commits with these shas, oldest first (time, then sha).
    func commits(shas: [String]) throws -> [Commit]
    /// Configuration-repository commits made in `[from, to]`, oldest first.
    func configCommits(from: Int64, to: Int64) throws -> [Commit]
    /// The repository folder a commit was imported from.
    func repository(ofCommit sha: String) throws -> String?
    /// The full sha of a stored commit from a full sha or a unique prefix (at least 7 hex digits).
    func resolveCommit(_ reference: String) throws -> String
    /// Records deploys in one transaction, all or none; each commit must be imported. Returns how many were new.
    @discardableResult
    func addDeploys(_ deploys: [Deploy]) throws -> Int
    /// A service's deploys, oldest first.
    func deploys(service: String) throws -> [Deploy]
}

/// What ranking a regression's culprits reads and writes: its change history, the regression and its service's
/// other onsets, the stacks around the onset, and the stored ranking.
public protocol RootCauseStore: ChangeStore {
    /// One regression by id; an unknown id is a not-found error.
    func regression(id: Int64) throws -> Regression
    /// A service's regressions (every service's with nil).
    func regressions(service: String?) throws -> [Regression]
    /// A service's bucket start times, ascending (none for an unknown service).
    func buckets(service: String) throws -> [Int64]
    /// A service's stacks over a time range (inclusive), summed over buckets, with the range's total samples.
    func stacks(service: String, from: Int64?, to: Int64?, label: (key: String, value: String)?) throws
        -> (totalSamples: Int64, stacks: [StoredStack])
    /// Replaces a regression's ranked candidates.
    func saveCandidates(_ candidates: [RootCauseCandidate], regression: Int64) throws
    /// A regression's stored candidates, best first.
    func candidates(regression: Int64) throws -> [RootCauseCandidate]
}

extension Store: RootCauseStore {}

extension Commit {
    /// The commit as every engine gives it back: changed functions unique per (file, name) and configuration keys
    /// per (file, key), the last of each kept, both in byte order of those fields (the SQLite store's keys and
    /// its `ORDER BY`); hunks as they were.
    public var asStored: Commit {
        var stored = self
        stored.functions = Self.lastOfEach(functions) { [$0.file, $0.name] }
        stored.configKeys = Self.lastOfEach(configKeys) { [$0.file, $0.key] }
        return stored
    }

    private static func lastOfEach<T>(_ items: [T], key: (T) -> [String]) -> [T] {
        var last: [[String]: Int] = [:]
        for (index, item) in items.enumerated() { last[key(item)] = index }
        return last.sorted { a, b in
            a.key.map { Array($0.utf8) }.lexicographicallyPrecedes(b.key.map { Array($0.utf8) }) {
                $0.lexicographicallyPrecedes($1)
            }
        }.map { items[$0.value] }
    }
}

/// People's verdicts on regressions, whichever engine holds them.
public protocol TriageStore: Sendable {
    /// Records a verdict on regression `id` (replacing an earlier one), kept by the regression's identity; returns
    /// the regression with it. An unknown id is a not-found error.
    @discardableResult
    func triage(regression id: Int64, verdict: Triage.Verdict, note: String, at time: Int64, snoozeUntil: Int64?)
        throws -> Regression
    /// Verdicts given so far, per verdict.
    func triageCounts() throws -> [Triage.Verdict: Int]
}

extension Store: TriageStore {}

/// What the regression tools (`list_services`, `list_regressions`, `get_regression`, `triage_regression`,
/// `rank_root_causes`) and the API over them read, whichever engine holds it.
public protocol RegressionStore: RootCauseStore, TriageStore {
    /// Every service with its sample count and the time its buckets cover, by name (byte order).
    func serviceSummaries() throws -> [ServiceSummary]
    /// The cores the service's profiles that started in `[from, to]` measured, if any said their CPU and wall time.
    func measuredCores(service: String, from: Int64?, to: Int64?) throws -> MeasuredCores?
}

extension Store: RegressionStore {}

/// The notification outbox, whichever engine holds it: events recorded once per (kind, subject), each delivered to
/// every webhook target registered before it, attempts recorded.
public protocol EventStore: Sendable {
    /// Records an event unless one of this kind and subject exists; returns its id, or nil when it existed.
    @discardableResult
    func recordEvent(kind: String, subject: String, payload: String, at time: Int64) throws -> Int64?
    /// Whether an event of this kind and subject was recorded.
    func hasEvent(kind: String, subject: String) throws -> Bool
    /// Registers webhook targets (ids); one seen for the first time gets the events recorded from `since` on.
    func registerWebhookTargets(_ targets: [String], since: Int64) throws
    /// Deliveries due at `now` for these targets, oldest event first. On an engine several servers share, the
    /// deliveries returned are claimed for a while, so two servers never post one at once.
    func dueDeliveries(targets: [String], now: Int64, limit: Int) throws -> [EventDelivery]
    /// Records one attempt: delivered, or failed with `error` and retried at `retryAt` (nil: given up).
    func recordAttempt(_ delivery: EventDelivery, at time: Int64, error: String?, retryAt: Int64?) throws
    /// Deliveries per state (pending, delivered, failed).
    func deliveryCounts() throws -> [String: Int]
}

extension Store: EventStore {}
