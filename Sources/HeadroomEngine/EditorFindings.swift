import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomSkills
import HeadroomSource
import HeadroomStore

/// What Headroom knows about one file as an editor holds it, for the language server (computed when the editor
/// opens or changes the file, so code actions and lenses answer from memory): its functions' spans in the editor's
/// text, the open regressions and opportunities in it, the delivered patches that touch it, and its functions'
/// measured cost.
public struct FileFindings: Sendable {
    public struct RegressionFinding: Sendable {
        public var regression: Regression
        public var span: FunctionSpan
        public var culprit: RootCauseCandidate?
        public var cores: Double
        /// The pull request of a published fix for it, if there is one.
        public var pullRequest: String?
    }
    public struct OpportunityFinding: Sendable {
        public var opportunity: Opportunity
        public var span: FunctionSpan
        /// A delivered patch exists for it (its quick fix is offered instead).
        public var patched: Bool
    }
    public struct PatchFinding: Sendable {
        public var patch: PatchRecord
        public var edit: SourceEdit
    }
    public struct Cost: Sendable {
        public var span: FunctionSpan
        public var selfShare: Double
        public var totalShare: Double
        public var cores: Double
        public var service: String
    }

    public var path: String
    public var spans: [FunctionSpan] = []
    public var regressions: [RegressionFinding] = []
    public var opportunities: [OpportunityFinding] = []
    public var patches: [PatchFinding] = []
    public var costs: [Cost] = []

    /// The spans of a document's functions: Python's own parser for Python, go/parser for Go (when a toolchain is
    /// installed; a document mid-edit that does not parse falls back to the brace scanner), the brace scanner
    /// otherwise.
    static func spans(path: String, text: String, python: PythonAST) -> [FunctionSpan] {
        switch (path as NSString).pathExtension.lowercased() {
        case "py", "pyi":
            return (try? python.functions(files: [(path, text)]).functions[path]) ?? []
        case "go" where GoAST().isAvailable:
            if let found = try? GoAST().functions(files: [(path, text)]).functions[path] { return found }
            return BraceScanner.functions(source: text, language: .go)
        default:
            guard let language = BraceScanner.Language(path: path) else { return [] }
            return BraceScanner.functions(source: text, language: language)
        }
    }

    /// Everything for `path` (repository-relative) of the repository at `root`.
    static func compute(
        path: String, text: String, root: String, store: Store, costs: CostModel, hot: HotFunctions,
        python: PythonAST
    ) throws -> FileFindings {
        var findings = FileFindings(path: path)
        findings.spans = spans(path: path, text: text, python: python)
        let spans = findings.spans
        let services = try hot.services(root: root)
        let measured = services.isEmpty ? Set(try store.serviceSummaries().map(\.service)) : services
        let patches = try store.patches()
        for regression in try store.regressions() where regression.kind == .regression {
            guard regression.triage?.verdict != .invalid, services.isEmpty || services.contains(regression.service),
                let file = regression.function.file, FunctionRef.pathsMatch(path, file),
                let span = FunctionSourceReader.span(named: regression.function.name, in: spans),
                let id = regression.id
            else { continue }
            let published = try patches.filter { $0.regressionID == id }.compactMap {
                try store.publication(patch: $0.id ?? 0)?.url
            }
            findings.regressions.append(
                RegressionFinding(
                    regression: regression, span: span, culprit: try store.candidates(regression: id).first,
                    cores: RegressionReport(regression, costs: costs).cores, pullRequest: published.first))
        }
        let delivered = patches.filter {
            $0.status == .delivered && $0.review == .pending && $0.path == path
                && SarifExporter.sameRoot($0.repository, root)
        }
        for patch in delivered {
            guard let edit = patch.sourceEdit else { continue }
            findings.patches.append(PatchFinding(patch: patch, edit: edit))
        }
        for opportunity in try store.opportunities() {
            guard opportunity.file == path, SarifExporter.sameRoot(opportunity.repository, root),
                let span = FunctionSourceReader.span(named: opportunity.function, in: spans)
            else { continue }
            let patched = delivered.contains { $0.opportunityID == opportunity.id }
            findings.opportunities.append(OpportunityFinding(opportunity: opportunity, span: span, patched: patched))
        }
        for service in measured.sorted() {
            let rows = try hot.costs(service: service)[path] ?? []
            var seen: Set<Int> = []
            for row in rows.sorted(by: { $0.total > $1.total }) {
                guard let span = FunctionSourceReader.span(named: row.function, in: spans),
                    seen.insert(span.start).inserted
                else { continue }
                findings.costs.append(
                    Cost(
                        span: span, selfShare: row.selfShare, totalShare: row.total, cores: row.cores,
                        service: service))
            }
        }
        return findings
    }
}

extension PatchRecord {
    /// The recipe's edit the patch carries (original and patched file), when it has a readable one.
    var sourceEdit: SourceEdit? {
        editJSON.flatMap { try? JSONDecoder().decode(SourceEdit.self, from: Data($0.utf8)) }
    }
}

/// The findings of files as editors hold them, over one store: what the language server asks.
public struct EditorFindingsService: Sendable {
    public let store: Store
    public let costs: CostModel
    public var python: PythonAST
    let hot: HotFunctions

    public init(store: Store, costs: CostModel = CostModel(), python: PythonAST = PythonAST()) {
        self.store = store
        self.costs = costs
        self.python = python
        self.hot = HotFunctions(store: store, costs: costs)
    }

    /// The findings for `path` (relative to the repository at `root`) with the editor's `text`.
    public func findings(path: String, text: String, root: String) throws -> FileFindings {
        try FileFindings.compute(
            path: path, text: text, root: root, store: store, costs: costs, hot: hot, python: python)
    }
}

/// The measured cost of every function of a service over its last day of samples, cached until the service's
/// profiles change; and which services a repository is registered for.
final class HotFunctions: @unchecked Sendable {
    let store: Store
    let costs: CostModel
    private let lock = NSLock()
    private var cache: [String: (version: String, table: [String: [TopReport.Row]])] = [:]

    init(store: Store, costs: CostModel) {
        self.store = store
        self.costs = costs
    }

    /// How far back a lens's figures reach from the service's newest sample.
    static let window: Int64 = 86_400

    /// The services a repository is registered for (none: its findings are matched by path in every service).
    func services(root: String) throws -> Set<String> {
        Set(try store.registeredRepositories().filter { SarifExporter.sameRoot($0.root, root) }.compactMap(\.service))
    }

    /// Rows by every `/`-boundary suffix of their file's path (the document's repository-relative path is one of
    /// them when the profile names the file); rows without a file, and under 0.1% of the service, are left out.
    func costs(service: String) throws -> [String: [TopReport.Row]] {
        let version = try store.profileVersion(service: service)
        lock.lock()
        if let cached = cache[service], cached.version == version {
            lock.unlock()
            return cached.table
        }
        lock.unlock()
        // The cost now: the last day of the service's samples (all of them when it has less).
        let newest = try store.serviceSummaries().first { $0.service == service }?.to
        let report = try ProfileQueries(store: store).topReport(
            service: service, range: TimeRange(from: newest.map { $0 - Self.window }), byTotal: true, limit: 5000,
            costs: costs)
        var table: [String: [TopReport.Row]] = [:]
        for row in report.functions where row.total >= 0.001 {
            guard let file = row.file else { continue }
            var parts = file.split(separator: "/").map(String.init)
            while !parts.isEmpty {
                table[parts.joined(separator: "/"), default: []].append(row)
                parts.removeFirst()
            }
        }
        lock.lock()
        cache[service] = (version, table)
        lock.unlock()
        return table
    }
}
