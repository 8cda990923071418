import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomDelivery
import HeadroomSkills
import HeadroomStore

/// Open regressions and opportunities as a SARIF 2.1.0 log (what GitHub code scanning and other SARIF viewers
/// ingest): one run per repository, one rule per regression kind and opportunity pattern, results at the function's
/// lines in the repository's HEAD, and the validated diff of each delivered patch as a fix.
public struct SarifExporter: Sendable {
    /// The store findings come from.
    public let store: Store
    /// The cost model behind the cores in the messages.
    public var costs: CostModel

    /// An exporter over `store`.
    public init(store: Store, costs: CostModel = CostModel()) {
        self.store = store
        self.costs = costs
    }

    /// What was exported, and what could not be placed in a file (kept out of the log: code scanning needs a
    /// location per result).
    public struct Export: Sendable {
        /// The SARIF document, one run per repository.
        public var log: SarifLog
        /// Results written.
        public var results: Int
        /// Results that carry a fix.
        public var fixes: Int
        /// Findings left out because no file of theirs could be located, with why.
        public var unlocated: [String]
    }

    /// - Parameters:
    ///   - service: only this service's findings.
    ///   - repository: the repository to place them in; by default every registered repository (a run each), with the
    ///     findings of the services it is registered for.
    public func export(service: String?, repository: String?) throws -> Export {
        var targets: [(root: String, services: Set<String>?)] = []
        if let repository {
            targets = [(try Git(path: repository).root, service.map { [$0] })]
        } else {
            let registered = try store.registeredRepositories()
            let roots = Dictionary(grouping: registered, by: \.root)
            for (root, entries) in roots.sorted(by: { $0.key < $1.key }) {
                let services = Set(entries.compactMap(\.service))
                if let service, !services.contains(service) { continue }
                targets.append((root, service.map { [$0] } ?? (services.isEmpty ? nil : services)))
            }
            guard !targets.isEmpty else {
                throw HeadroomError(
                    .badInput,
                    "no repository to place findings in: pass --repo DIR or register one (`headroom repos add DIR --service S`)"
                )
            }
        }
        var export = Export(log: SarifLog(runs: []), results: 0, fixes: 0, unlocated: [])
        for target in targets {
            let run = try self.run(root: target.root, services: target.services, export: &export)
            export.log.runs.append(run)
        }
        return export
    }

    private func run(root: String, services: Set<String>?, export: inout Export) throws -> SarifLog.Run {
        let git = try Git(path: root)
        let head = try git.resolve("HEAD")
        let reader = FunctionSourceReader(git: git)
        let regressions = try store.regressions().filter {
            $0.kind == .regression && $0.triage?.verdict != .invalid && (services?.contains($0.service) ?? true)
        }
        let opportunities = try store.opportunities().filter {
            (services?.contains($0.service) ?? true) && Self.sameRoot($0.repository, root)
        }
        let patches = try store.patches(status: .delivered).filter {
            $0.review != .rejected && Self.sameRoot($0.repository, root)
        }
        let wanted = regressions.map(\.function) + opportunities.map { FunctionRef(name: $0.function, file: $0.file) }
        let located = try reader.locations(of: wanted, at: head)

        var rules: [SarifLog.Rule] = []
        func ruleIndex(_ rule: SarifLog.Rule) -> Int {
            if let index = rules.firstIndex(where: { $0.id == rule.id }) { return index }
            rules.append(rule)
            return rules.count - 1
        }
        var results: [SarifLog.Result] = []
        for regression in regressions {
            guard let id = regression.id, let place = located[regression.function] else {
                export.unlocated.append("regression #\(regression.id ?? 0) `\(regression.function)`")
                continue
            }
            let report = RegressionReport(regression, costs: costs)
            let culprit = try store.candidates(regression: id).first
            let rule = Self.regressionRule
            var message =
                String(
                    format: "`%@` regressed: %@ share %.2f%% → %.2f%% (+%.2f pt, ≈ %.1f cores)",
                    regression.function.name, regression.metric.rawValue, regression.before * 100,
                    regression.after * 100, (regression.after - regression.before) * 100, report.cores)
            if let culprit {
                message += " since \(culprit.ref.prefix(7)) by \(culprit.author) (\"\(culprit.message)\")"
            }
            var properties: [String: JSONValue] = [
                "headroom_kind": "regression", "headroom_id": .number(Double(id)),
                "service": .string(regression.service),
                "metric": .string(regression.metric.rawValue), "share_before": .number(regression.before),
                "share_after": .number(regression.after), "cores": .number(report.cores),
                "watts": .number(report.watts), "p_value": .number(regression.pValue),
                "onset": .string(Timestamps.format(regression.timestamp)),
            ]
            if let culprit {
                properties["culprit"] = [
                    "kind": .string(culprit.kind.rawValue), "ref": .string(culprit.ref),
                    "author": .string(culprit.author), "email": .string(culprit.email),
                    "confidence": .number(culprit.confidence),
                ]
            }
            let fixes = fixesFor(patches.filter { $0.regressionID == id }, git: git, head: head, export: &export)
            results.append(
                result(
                    rule: rule, index: ruleIndex(rule), level: "warning", message: message, place: place,
                    function: regression.function.name, service: regression.service, fixes: fixes,
                    properties: properties))
        }
        for opportunity in opportunities {
            let function = FunctionRef(name: opportunity.function, file: opportunity.file)
            guard let id = opportunity.id else { continue }
            let place =
                located[function]
                ?? FunctionSourceReader.Location(path: opportunity.file, start: opportunity.line, end: opportunity.line)
            let rule = Self.opportunityRule(opportunity.pattern, skill: opportunity.skill)
            var message = String(
                format: "`%@`: %@ costs %.2f%% of %@'s CPU (≈ %.1f cores); fixing it saves ≈ %.1f cores",
                opportunity.function, opportunity.pattern, opportunity.share * 100, opportunity.service,
                opportunity.cores, opportunity.savingsCores)
            if let blocked = opportunity.blocked { message += " (not attempted: \(blocked))" }
            let properties: [String: JSONValue] = [
                "headroom_kind": "opportunity", "headroom_id": .number(Double(id)),
                "service": .string(opportunity.service), "pattern": .string(opportunity.pattern),
                "skill": opportunity.skill.map(JSONValue.string) ?? .null, "share": .number(opportunity.share),
                "share_basis": .string(opportunity.shareBasis), "cores": .number(opportunity.cores),
                "watts": .number(opportunity.watts), "savings_cores": .number(opportunity.savingsCores),
                "savings_watts": .number(opportunity.savingsWatts),
                "blocked": opportunity.blocked.map(JSONValue.string) ?? .null,
            ]
            let fixes = fixesFor(
                patches.filter { $0.opportunityID == id }, git: git, head: head, export: &export)
            results.append(
                result(
                    rule: rule, index: ruleIndex(rule), level: opportunity.blocked == nil ? "warning" : "note",
                    message: message, place: place, function: opportunity.function, service: opportunity.service,
                    fixes: fixes, properties: properties))
        }
        export.results += results.count
        let name = RepositoryRegistry(store: store).name(ofRoot: root) ?? (root as NSString).lastPathComponent
        let remote = (try? git.run(["remote", "get-url", "origin"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return SarifLog.Run(
            tool: SarifLog.Tool(
                driver: SarifLog.Driver(
                    name: "Headroom", version: HeadroomVersion.string,
                    informationUri: "https://github.com/headroom-dev/headroom", rules: rules)),
            results: results,
            originalUriBaseIds: [
                "SRCROOT": SarifLog.ArtifactLocation(uri: URL(fileURLWithPath: root + "/").absoluteString)
            ],
            automationDetails: SarifLog.AutomationDetails(id: "headroom/\(name)/"),
            versionControlProvenance: remote.flatMap { $0.isEmpty ? nil : $0 }.map {
                [
                    SarifLog.VersionControlDetails(
                        repositoryUri: Self.redactedRemote($0), revisionId: head, branch: try? git.currentBranch())
                ]
            })
    }

    private func result(
        rule: SarifLog.Rule, index: Int, level: String, message: String, place: FunctionSourceReader.Location,
        function: String, service: String, fixes: [SarifLog.Fix], properties: [String: JSONValue]
    ) -> SarifLog.Result {
        var hash = SHA256()
        hash.update(Array("\(rule.id)\u{0}\(service)\u{0}\(place.path)\u{0}\(function)".utf8))
        let location = SarifLog.Location(
            physicalLocation: SarifLog.PhysicalLocation(
                artifactLocation: SarifLog.ArtifactLocation(uri: Self.uri(place.path), uriBaseId: "SRCROOT"),
                region: SarifLog.Region(startLine: place.start, endLine: max(place.start, place.end))),
            logicalLocations: [
                SarifLog.LogicalLocation(
                    name: String(function.split(separator: ".").last ?? Substring(function)),
                    fullyQualifiedName: function)
            ])
        return SarifLog.Result(
            ruleId: rule.id, ruleIndex: index, level: level, message: SarifLog.Message(message),
            locations: [location], partialFingerprints: ["headroomTarget/v1": hash.finalizeHex()],
            fixes: fixes.isEmpty ? nil : fixes, properties: properties)
    }

    /// The validated edits of delivered patches, as replacements against HEAD: only when HEAD's file is still the
    /// text the patch was validated on (otherwise the diff would not apply, and no fix is offered).
    private func fixesFor(_ patches: [PatchRecord], git: Git, head: String, export: inout Export) -> [SarifLog.Fix] {
        var fixes: [SarifLog.Fix] = []
        for patch in patches {
            guard let edit = patch.sourceEdit, git.show(head, path: edit.path) == edit.original
            else { continue }
            let hunks = LineHunks.diff(edit.original, edit.patched)
            guard !hunks.isEmpty else { continue }
            let replacements = hunks.map { hunk -> SarifLog.Replacement in
                let start = LineHunks.position(ofLine: hunk.start, in: edit.original)
                let end = LineHunks.position(ofLine: hunk.start + hunk.count, in: edit.original)
                return SarifLog.Replacement(
                    deletedRegion: SarifLog.Region(
                        startLine: start.line + 1, startColumn: start.utf16Column + 1, endLine: end.line + 1,
                        endColumn: end.utf16Column + 1),
                    insertedContent: hunk.text.isEmpty ? nil : .init(text: hunk.text))
            }
            var description = "Headroom patch #\(patch.id ?? 0) (skill \(patch.skill))"
            if let v = patch.validation {
                description += String(
                    format: ": tests pass, %.2f× faster (95%% CI %.2f–%.2f, p = %.2g)", v.speedup,
                    v.ci95.first ?? .nan, v.ci95.last ?? .nan, v.pValue)
            }
            if let branch = patch.branch { description += "; branch \(branch)" }
            fixes.append(
                SarifLog.Fix(
                    description: SarifLog.Message(description),
                    artifactChanges: [
                        SarifLog.ArtifactChange(
                            artifactLocation: SarifLog.ArtifactLocation(uri: Self.uri(edit.path), uriBaseId: "SRCROOT"),
                            replacements: replacements)
                    ]))
            export.fixes += 1
        }
        return fixes
    }

    static let regressionRule = SarifLog.Rule(
        id: "headroom/regression", name: "CpuRegression", short: "A function's share of the service's CPU rose.",
        full:
            "Continuous profiling shows a significant, persistent rise of this function's share of the service's CPU (gCPU), with the change that caused it where Headroom found one.",
        help:
            "Look at the culprit change named in the message; `headroom rootcause ID` shows the evidence and `headroom fix ID` prepares a validated fix-forward.",
        level: "warning", properties: ["tags": ["performance", "cpu", "regression"]])

    static func opportunityRule(_ pattern: String, skill: String?) -> SarifLog.Rule {
        let name = pattern.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return SarifLog.Rule(
            id: "headroom/opportunity/\(pattern)", name: name,
            short: "Measured CPU spent in a known inefficiency (\(pattern)).",
            full:
                "Profiles attribute a measurable share of the service's CPU to the \(pattern) pattern in this function; the estimated saving is the share times the pattern's typical reduction.",
            help: skill.map {
                "`headroom resolve ID` applies skill `\($0)` and validates it with the tests and an A/B benchmark."
            },
            level: "warning", properties: ["tags": ["performance", "cpu", "efficiency"]])
    }

    /// A repository-relative path as a URI reference (percent-encoded, `/`-separated).
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    /// A remote URL without credentials (`https://token@host/…` → `https://host/…`).
    static func redactedRemote(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil
        else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }

    /// Whether two paths name the same folder once resolved.
    public static func sameRoot(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).resolvingSymlinksInPath().path == URL(fileURLWithPath: b).resolvingSymlinksInPath().path
    }
}
