import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomSource
import HeadroomStore

/// What Google's ECO does at fleet scale, for one accepted fix: once a person applies a patch, code of the same shape
/// in every registered repository becomes an opportunity that cites the patch as its prior example.
///
/// The shape is the patch's pattern and the kind of code within it, as the scanner names it for the patched function
/// at the patch's base (`collection:sorted`, `parse:datetime.datetime.strptime`, `string-concat`). Every function of
/// every tracked Python file at each repository's HEAD is scanned; findings of the same pattern sharing a shape are
/// filed, near misses (the recipe would refuse) as blocked with the reason. The patched function itself is skipped.
/// They are not measured yet (share basis `sweep`); a profile of the service and a rescan measure them.
public struct LearningSweep: Sendable {
    /// The store of patches, repositories and opportunities.
    public let store: any FixStore
    /// The helper that scans the code.
    public var python: PythonAST
    /// Which patterns each skill resolves.
    public var catalog: SkillCatalog
    /// Files scanned per repository at most (the first ones in `git ls-files` order), and per helper call.
    public var maximumFiles = 5_000
    var batch = 200

    /// A sweep over `store`'s registered repositories, reading skills from `catalog`.
    public init(store: any FixStore, catalog: SkillCatalog, python: PythonAST = PythonAST()) {
        self.store = store
        self.catalog = catalog
        self.python = python
    }

    /// What a sweep did.
    public struct Report: Sendable, Codable, Equatable {
        /// The applied patch the look-alikes cite.
        public var patch: Int64
        public var skill: String
        /// The pattern swept for and the shapes matched (empty when the sweep was skipped).
        public var pattern: String?
        public var shapes: [String]
        /// The repositories scanned (registered names) and how many Python files.
        public var repositories: [String]
        public var files: Int
        /// The opportunities filed now (ones already stored are not repeated).
        public var filed: [Opportunity]
        /// Why nothing was swept, when nothing was.
        public var skipped: String?

        enum CodingKeys: String, CodingKey {
            case patch, skill, pattern, shapes, repositories, files, filed, skipped
        }
    }

    /// Sweeps for look-alikes of applied patch `patchID` and files them.
    public func sweep(after patchID: Int64) throws -> Report {
        let patch = try store.patch(id: patchID)
        var report = Report(
            patch: patchID, skill: patch.skill, pattern: nil, shapes: [], repositories: [], files: 0, filed: [],
            skipped: nil)
        guard patch.review == .applied else {
            throw HeadroomError(.badInput, "patch \(patchID) is not applied; only accepted fixes are swept for")
        }
        guard let skill = catalog.skill(named: patch.skill),
            let pattern = skill.patterns.first(where: { $0 != "memoize" })
        else {
            report.skipped =
                "skill \(patch.skill) names no code pattern to look for (a revert or a memoization is "
                + "judged by its profile, not by its shape)"
            return report
        }
        report.pattern = pattern
        guard let path = patch.path, let function = patch.function,
            let source = try Git(path: patch.repository).show(patch.baseCommit, path: path)
        else {
            report.skipped = "patch \(patchID) names no file and function to take the shape from"
            return report
        }
        let own = try python.scan(
            files: [(path: path, source: source, functions: [RuleNames.short(function)])], callers: [])
        let shapes = Set(
            (own[path]?[function] ?? own[path]?.values.first ?? []).filter {
                $0.pattern == pattern && $0.blocked == nil
            }
            .flatMap { $0.shapes ?? [] })
        report.shapes = shapes.sorted()
        guard !shapes.isEmpty else {
            report.skipped =
                "the patched code at \(String(patch.baseCommit.prefix(12))) does not show a \(pattern) shape"
            return report
        }
        let patchedRoot = (try? Git(path: patch.repository).root) ?? patch.repository
        let example =
            "patch #\(patchID) on \(patch.branch ?? "?")"
            + (patch.validation.map { String(format: ", %.2f× faster", $0.speedup) } ?? "")
        var found: [Opportunity] = []
        for repository in try store.registeredRepositories() {
            guard let git = try? Git(path: repository.root) else { continue }
            report.repositories.append(repository.name)
            let head = try git.resolve("HEAD")
            let tracked = try git.run(["ls-files", "-z", "--", "*.py"]).split(separator: "\0").map(String.init)
                .prefix(maximumFiles)
            report.files += tracked.count
            for chunk in stride(from: 0, to: tracked.count, by: batch) {
                let files = tracked[
                    (tracked.startIndex + chunk)..<min(tracked.endIndex, tracked.startIndex + chunk + batch)
                ]
                .compactMap { file in git.show(head, path: file).map { (path: file, source: $0, functions: [String]()) }
                }
                let findings = try python.scan(files: files, callers: [], everyFunction: true)
                for (file, functions) in findings.sorted(by: { $0.key < $1.key }) {
                    for (qualname, list) in functions.sorted(by: { $0.key < $1.key }) {
                        if git.root == patchedRoot && file == path
                            && RuleNames.short(qualname) == RuleNames.short(function)
                        {
                            continue
                        }
                        for finding in list where finding.pattern == pattern {
                            let matched = Set(finding.shapes ?? []).intersection(shapes)
                            guard !matched.isEmpty else { continue }
                            found.append(
                                opportunity(
                                    finding, service: repository.service ?? repository.name, function: qualname,
                                    file: file, root: git.root, skill: skill.name, matched: matched.sorted(),
                                    example: example, patchID: patchID))
                        }
                    }
                }
            }
        }
        report.filed = try store.addSweepOpportunities(found)
        return report
    }

    private func opportunity(
        _ finding: ScanFinding, service: String, function: String, file: String, root: String, skill: String,
        matched: [String], example: String, patchID: Int64
    ) -> Opportunity {
        let criterion = OpportunityScanner.patterns[finding.pattern]?.criterion ?? "a measurable gain"
        return Opportunity(
            service: service, function: function, file: file, line: finding.line, pattern: finding.pattern,
            skill: skill, share: 0, shareBasis: "sweep", cores: 0, watts: 0, savingsCores: 0, savingsWatts: 0,
            detail: finding.detail, blocked: finding.blocked, repository: root,
            evidence: [
                "the same shape (\(matched.joined(separator: ", "))) as \(example), which a reviewer applied",
                finding.detail,
                "found by the learning sweep, not measured: profile the service and rescan to rank it by its cost",
            ],
            validationCriteria: [
                "tests pass before and after", criterion,
                "interleaved A/B of ≥10 runs each: Mann–Whitney p < 0.05 and the 95% CI of the speed-up at or above 1.03",
            ],
            priorExamples: [example])
    }
}
