import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomStore

/// Personal queues (`headroom inbox --for PERSON`, the server's `/inbox/PERSON`, `ask "what is waiting for carol?"`).
/// Code belongs to its CODEOWNERS owners, else to the recent authors of the function's lines (`git blame`); a
/// regression also belongs to its culprit's author, and a fix to the author of the regression it fixes and to its
/// pull request's reviewer. Each list is ranked by cores.
public struct InboxService: Sendable {
    /// The store it reads.
    public let store: any ProgramStore
    /// Cores where the profiles do not measure them (the fleet size), and watts per core.
    public let costs: CostModel

    /// A value from its fields.
    public init(store: any ProgramStore, costs: CostModel = CostModel()) {
        self.store = store
        self.costs = costs
    }

    /// Who owns one function's code, and why: CODEOWNERS, else the recent authors of its lines.
    struct Owners {
        var path: String?
        /// Lowercased owner (email, `@handle`, or author name) → why.
        var byOwner: [String: String]
    }

    /// Ownership answers are cached per repository and function for one inbox.
    final class Cache: @unchecked Sendable {
        var owners: [String: Owners] = [:]
        var codeOwners: [String: CodeOwners?] = [:]
    }

    /// The inbox of `person` (an email, an `@handle`, or an author's name).
    public func inbox(for person: String) throws -> InboxReport {
        let who = person.trimmingCharacters(in: .whitespaces).lowercased()
        guard !who.isEmpty else { throw HeadroomError(.badInput, "whose inbox? give an email, an @handle or a name") }
        let cache = Cache()
        let repositories = try store.registeredRepositories()
        var regressions: [InboxReport.Item] = []
        for regression in try store.regressions(service: nil)
        where regression.kind == .regression && regression.isOpen() {
            guard let id = regression.id else { continue }
            let culprit = try store.candidates(regression: id).first
            var because: String?
            if let culprit, [culprit.email.lowercased(), culprit.author.lowercased()].contains(who) {
                because = "culprit author (\(culprit.kind.rawValue) \(culprit.ref.prefix(12)))"
            }
            var path: String?
            if let root = repositories.first(where: { $0.service == regression.service })?.root {
                let owners = self.owners(root: root, function: regression.function, cache: cache)
                path = owners.path
                because = because ?? owners.byOwner[who]
            }
            guard let because else { continue }
            let report = regression.report(store: store, fallback: costs)
            regressions.append(
                InboxReport.Item(
                    kind: "regression", id: id, service: regression.service, function: regression.function.name,
                    path: path, cores: report.cores, because: because,
                    summary: String(
                        format: "%@ %.2f%% → %.2f%% since %@: review it (headroom rootcause %lld)",
                        regression.metric.rawValue, regression.before * 100, regression.after * 100, report.timestamp,
                        id)))
        }
        var patches: [InboxReport.Item] = []
        let metrics = MetricsService(store: store, costs: costs)
        for patch in try store.patches(skill: nil, review: nil, status: .delivered) where patch.review == .pending {
            guard let id = patch.id else { continue }
            var because: String?
            if let reviewer = try store.publication(patch: id)?.reviewer,
                [reviewer.lowercased(), "@" + reviewer.lowercased()].contains(who)
            {
                because = "reviewer of its pull request"
            }
            if because == nil, let regressionID = patch.regressionID,
                let culprit = try store.candidates(regression: regressionID).first,
                [culprit.email.lowercased(), culprit.author.lowercased()].contains(who)
            {
                because = "it fixes the regression of your \(culprit.kind.rawValue) \(culprit.ref.prefix(12))"
            }
            if because == nil, let name = patch.function {
                let owners = self.owners(
                    root: patch.repository, function: FunctionRef(name: name, file: patch.path), cache: cache)
                because = owners.byOwner[who]
            }
            guard let because else { continue }
            let saving = try metrics.saving(patch, until: Timestamps.now())
            let service =
                patch.regressionID.flatMap { try? store.regression(id: $0) }?.service
                ?? patch.opportunityID.flatMap { try? store.opportunity(id: $0) }?.service ?? ""
            patches.append(
                InboxReport.Item(
                    kind: "patch", id: id, service: service, function: patch.function ?? "", path: patch.path,
                    cores: saving?.estimatedCores ?? 0, because: because,
                    summary: String(
                        format: "%@ on %@, %.2f× faster: review it (headroom review show %lld)", patch.skill,
                        patch.branch ?? "its branch", patch.validation?.speedup ?? .nan, id)))
        }
        var opportunities: [InboxReport.Item] = []
        for opportunity in try store.opportunities(service: nil) where opportunity.blocked == nil {
            guard let id = opportunity.id else { continue }
            let owners = self.owners(
                root: opportunity.repository,
                function: FunctionRef(name: opportunity.function, file: opportunity.file), cache: cache)
            guard let because = owners.byOwner[who] else { continue }
            opportunities.append(
                InboxReport.Item(
                    kind: "opportunity", id: id, service: opportunity.service, function: opportunity.function,
                    path: opportunity.file, cores: opportunity.savingsCores, because: because,
                    summary: "\(opportunity.pattern) at \(opportunity.file):\(opportunity.line): "
                        + "headroom resolve \(id)"))
        }
        let ranked = { (items: [InboxReport.Item]) in
            items.sorted {
                let a = $0.cores.isFinite ? $0.cores : 0
                let b = $1.cores.isFinite ? $1.cores : 0
                return a != b ? a > b : $0.id < $1.id
            }
        }
        return InboxReport(
            person: person, regressions: ranked(regressions), patches: ranked(patches),
            opportunities: ranked(opportunities))
    }

    /// The owners of `function`'s code in the repository at `root`.
    func owners(root: String, function: FunctionRef, cache: Cache) -> Owners {
        let key = "\(root)\n\(function.name)\n\(function.file ?? "")"
        if let known = cache.owners[key] { return known }
        var result = Owners(path: nil, byOwner: [:])
        defer { cache.owners[key] = result }
        guard let git = try? Git(path: root),
            let location = try? FunctionSourceReader(git: git).locations(of: [function], at: "HEAD")[function]
        else { return result }
        result.path = location.path
        if cache.codeOwners[root] == nil { cache.codeOwners[root] = .some(CodeOwners.load(root: git.root)) }
        if let file = cache.codeOwners[root] ?? nil, let (owners, pattern) = file.owners(of: location.path) {
            for owner in owners {
                result.byOwner[owner.lowercased()] = "\(file.path): \(pattern) \(owners.joined(separator: " "))"
            }
            return result
        }
        guard
            let authors = try? LineAuthors(git: git).recentAuthors(
                path: location.path, start: location.start, end: location.end)
        else { return result }
        let lines = location.end - location.start + 1
        // The people who wrote most of it: the top author, and anyone with a quarter of the lines.
        for (rank, author) in authors.enumerated() where rank == 0 || author.lines * 4 >= lines {
            let why = "blame: \(author.lines) of \(lines) lines of \(function.name) in \(location.path)"
            result.byOwner[author.email.lowercased()] = why
            result.byOwner[author.name.lowercased()] = why
        }
        return result
    }
}
