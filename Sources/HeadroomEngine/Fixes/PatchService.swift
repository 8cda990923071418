import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomSkills
import HeadroomSource
import HeadroomStore

/// What a patch is for.
public struct PatchTarget: Sendable, Codable, Equatable {
    /// A regression or an opportunity.
    public var kind: PatchRecord.Kind
    /// The regression or opportunity id.
    public var id: Int64
    /// The repository's root.
    public var repository: String
    /// The file, repository-relative.
    public var path: String
    /// The function to change (qualified name).
    public var function: String
    /// The culprit commit, for a regression.
    public var culprit: String?

    /// A target from its fields.
    public init(
        kind: PatchRecord.Kind, id: Int64, repository: String, path: String, function: String, culprit: String? = nil
    ) {
        self.kind = kind
        self.id = id
        self.repository = repository
        self.path = path
        self.function = function
        self.culprit = culprit
    }
}

/// Makes, validates and delivers patches; every step is recorded on the patch in the store.
///
/// `generate` runs a skill's recipe and the static guardrails; `validate` runs the target's tests and an interleaved
/// A/B benchmark in temporary worktrees; `deliver` commits the validated edit to a new `headroom/<kind>-<id>` branch
/// and writes the PR description. The user's checked-out branch and work tree are never touched.
public struct PatchService: Sendable {
    /// The store patches are recorded in.
    public let store: any FixStore
    /// The Python helper the guardrails parse with.
    public var python: PythonAST
    /// Where PR descriptions are written.
    public var outputDirectory: String
    /// The cost model behind the PR description's figures.
    public var costModel: CostModel
    /// Whether patches this service makes are held by this process until its run releases them (the agents' runs:
    /// if the run is interrupted they become `cancelled`). Patches an MCP client makes rest as `proposed`.
    public var holdsNewPatches: Bool

    /// A service recording into `store`, writing PR descriptions under `outputDirectory`.
    public init(
        store: any FixStore, outputDirectory: String, python: PythonAST = PythonAST(),
        costModel: CostModel = CostModel(),
        holdsNewPatches: Bool = false
    ) {
        self.store = store
        self.outputDirectory = outputDirectory
        self.python = python
        self.costModel = costModel
        self.holdsNewPatches = holdsNewPatches
    }

    /// Runs `body` with patch `id` held by this process: interrupted (SIGTERM/SIGINT) the patch is cancelled; killed,
    /// the next run's `Janitor` cancels it. A hold this process already had is kept.
    func holding<T>(_ id: Int64, _ body: () throws -> T) throws -> T {
        let held = try store.ownedPatches().contains { $0.id == id && $0.owner == ProcessLease.current }
        if !held { try store.setPatchOwner([id], owner: ProcessLease.current) }
        let key = Janitor.cancelOnInterrupt(store: store)
        defer {
            ActiveWork.shared.removeHandler(key)
            if !held { try? store.setPatchOwner([id], owner: nil) }
        }
        return try body()
    }

    // MARK: generate

    /// Runs the recipe and the static guardrails. The result is `proposed`, or `refused` with the reason.
    public func generate(skill: String, target: PatchTarget) throws -> PatchRecord {
        guard let recipe = Recipes.all(python: python)[skill] else {
            throw HeadroomError(
                .badInput, "no recipe named \(skill) (recipes: \(Recipes.all().keys.sorted().joined(separator: ", ")))")
        }
        return try makePatch(skill: skill, target: target, recipe: recipe) { git, base, path, source in
            try recipe.apply(
                RecipeInput(
                    repository: git.root, baseCommit: base, path: path, source: source, function: target.function,
                    culprit: target.culprit,
                    otherSources: try callerSources(git: git, base: base, function: target.function, except: path)))
        }
    }

    /// A patch record for `target` at HEAD, proposed with `edit`'s result when it passes the guardrails (the
    /// recipe's right-issue check included), else refused with the reason. Shared by recipes and proposed edits.
    func makePatch(
        skill: String, target: PatchTarget, recipe: (any Recipe)?,
        edit: (Git, String, String, String) throws -> SourceEdit
    ) throws -> PatchRecord {
        let git = try Git(path: target.repository)
        let base = try git.resolve("HEAD")
        let path = try Self.repositoryPath(target.path, root: git.root)
        var record = PatchRecord(
            kind: target.kind, regressionID: target.kind == .regression ? target.id : nil,
            opportunityID: target.kind == .opportunity ? target.id : nil, skill: skill, repository: git.root,
            path: path, function: target.function, culprit: target.culprit, branch: nil, baseCommit: base, diff: "",
            prDescription: nil, status: .refused, reason: nil, validation: nil)
        guard let source = git.show(base, path: path) else {
            record.reason = "\(path) does not exist at \(base.prefix(12))"
            return try store.savePatch(record)
        }
        do {
            let made = try edit(git, base, path, source)
            try Guardrails(python: python).check(made, recipe: recipe)
            record.diff = try Self.unifiedDiff(made)
            record.summary = made.summary
            record.editJSON = try String(decoding: JSONEncoder().encode(made), as: UTF8.self)
            record.status = .proposed
        } catch let refusal as Refusal {
            record.reason = refusal.reason
        } catch let error as HeadroomError where error.code == .badInput {
            record.reason = HeadroomError.oneLine(error)
        }
        let saved = try store.savePatch(record)
        if holdsNewPatches, let id = saved.id, saved.status == .proposed {
            try store.setPatchOwner([id], owner: ProcessLease.current)
        }
        return saved
    }

    /// An edit written outside Headroom's recipes (the LLM agent, an MCP client): the new text of exactly one
    /// function, plus optional module lines. It passes the same guardrails as a recipe's edit, with the named
    /// skill's recipe supplying the right-issue check, and is then `proposed` (ready for `validate`) or `refused`.
    public func propose(
        skill: String, target: PatchTarget, replacement: String, moduleLines: [String] = [],
        summary: [String] = [], author: String = "an LLM"
    ) throws -> PatchRecord {
        try makePatch(skill: skill, target: target, recipe: Recipes.all(python: python)[skill]) {
            _, base, path, source in
            let found = try python.functions(files: [(path, source)])
            if let error = found.errors[path] {
                throw Refusal("\(path) does not parse at \(base.prefix(12)): \(error)")
            }
            let short = target.function.split(separator: ".").last.map(String.init) ?? target.function
            let spans = found.functions[path] ?? []
            guard
                let span = spans.first(where: { $0.name == target.function })
                    ?? spans.first(where: { $0.name.split(separator: ".").last.map(String.init) == short })
            else { throw Refusal("\(path) has no function `\(target.function)`") }
            let lines =
                summary.isEmpty
                ? ["\(skill): edit of `\(span.name)` written by \(author)"]
                : summary.map { "\($0) (written by \(author))" }
            return try ProposedEdit.build(
                path: path, source: source, function: span.name, span: span.start...span.end,
                replacement: replacement, moduleLines: moduleLines, summary: lines, python: python)
        }
    }

    /// Python files at `base` that mention the function's short name: its call sites, for the recipes' checks.
    func callerSources(git: Git, base: String, function: String, except path: String) throws -> [(
        path: String, source: String
    )] {
        let name = function.split(separator: ".").last.map(String.init) ?? function
        let listed = (try? git.run(["grep", "-l", "-w", "-F", name, base, "--", "*.py"])) ?? ""
        return listed.split(separator: "\n").prefix(200).compactMap { line -> (String, String)? in
            let file = String(line.dropFirst(base.count + 1))
            guard file != path, let text = git.show(base, path: file) else { return nil }
            return (file, text)
        }
    }

    // MARK: validate

    /// Settings of one validation run; nil commands come from the target repository's settings.
    public struct ValidationOptions: Sendable {
        /// The operator's test command, over the repository's own.
        public var test: String?
        /// The operator's benchmark command, over the repository's own.
        public var bench: String?
        /// Runs, looks and thresholds of the A/B benchmark.
        public var configuration: ValidationConfiguration
        /// Options from their fields.
        public init(
            test: String? = nil, bench: String? = nil,
            configuration: ValidationConfiguration = ValidationConfiguration()
        ) {
            self.test = test
            self.bench = bench
            self.configuration = configuration
        }
    }

    /// Tests before and after, the repository's formatter when configured, then the A/B benchmark. A proposed patch
    /// stays `proposed` with its validation when it is a significant gain, else becomes `failed` or `refused` with
    /// the reason.
    public func validate(patchID: Int64, options: ValidationOptions = ValidationOptions()) throws -> PatchRecord {
        try holding(patchID) { try validateHeld(patchID: patchID, options: options) }
    }

    private func validateHeld(patchID: Int64, options: ValidationOptions) throws -> PatchRecord {
        var record = try store.patch(id: patchID)
        guard record.status == .proposed, let editJSON = record.editJSON else {
            throw HeadroomError(
                .badInput, "patch \(patchID) is \(record.status.rawValue); only proposed patches are validated")
        }
        let edit = try JSONDecoder().decode(SourceEdit.self, from: Data(editJSON.utf8))
        let git = try Git(path: record.repository)
        var settings = try TargetSettings.load(repository: git.root, revision: record.baseCommit)
        // A Go module without settings: its vet and tests, and its package's benchmarks.
        if let go = TargetSettings.goDefaults(repository: git.root, revision: record.baseCommit, path: edit.path) {
            settings.testCommand = settings.testCommand ?? go.test
            settings.benchCommand = settings.benchCommand ?? go.bench
        }
        guard let test = options.test ?? settings.testCommand else {
            throw HeadroomError(
                .config, "no test command: add [commands] test to \(git.root)/headroom.toml or pass --test")
        }
        guard let bench = options.bench ?? settings.benchCommand else {
            throw HeadroomError(
                .config,
                "no bench command: add [commands] bench to \(git.root)/headroom.toml or pass --bench"
                    + (edit.path.hasSuffix(".go") ? " (or add a Benchmark to the package's tests)" : ""))
        }
        let scratch = try Self.scratchDirectory()
        let branches = PatchBranch(repository: git.root, scratch: scratch)
        defer { PrivateTemporary.remove(path: scratch) }
        let before = try branches.detachedWorktree(at: record.baseCommit)
        let after = try branches.detachedWorktree(at: record.baseCommit)
        defer {
            branches.removeWorktree(before)
            branches.removeWorktree(after)
        }
        try edit.patched.write(
            toFile: (after as NSString).appendingPathComponent(edit.path), atomically: true, encoding: .utf8)
        let validator = Validator(configuration: options.configuration)
        func finish(_ status: PatchRecord.Status, _ reason: String?, _ validation: ValidationResult? = nil) throws
            -> PatchRecord
        {
            record.status = status
            record.reason = reason
            record.validation = validation
            return try store.savePatch(record)
        }
        if let format = settings.formatCommand {
            let command = format.replacingOccurrences(of: "{file}", with: edit.path)
            let result = try validator.sandbox.run(command, in: after, timeout: options.configuration.testTimeout)
            guard result.succeeded else {
                return try finish(.refused, "guardrail style: `\(command)` rejects the patched file")
            }
        }
        let testsBefore = try validator.runTests(test, in: before)
        guard testsBefore.passed else {
            return try finish(.failed, "tests already fail at \(record.baseCommit.prefix(12)): \(testsBefore.detail)")
        }
        let testsAfter = try validator.runTests(test, in: after)
        guard testsAfter.passed else { return try finish(.failed, "tests fail with the patch: \(testsAfter.detail)") }
        let validation = try validator.abBenchmark(bench, before: before, after: after)
        try recordCalibration(record, validation)
        if validation.isBelowFloor {
            return try finish(
                .refused,
                String(
                    format:
                        "the gain is too small to be worth a patch: %.2f× (95%% CI %.2f–%.2f, Mann–Whitney p = %.2g); the interval's lower bound must reach %.2f×",
                    validation.speedup, validation.ci95.first ?? .nan, validation.ci95.last ?? .nan, validation.pValue,
                    validation.minimumSpeedup), validation)
        }
        guard validation.isSignificantGain else {
            return try finish(
                .refused,
                String(
                    format:
                        "no significant speed-up: %.2f× (95%% CI %.2f–%.2f, Mann–Whitney p = %.2g, needed < %.2g, %d runs each)",
                    validation.speedup, validation.ci95.first ?? .nan, validation.ci95.last ?? .nan, validation.pValue,
                    validation.alpha, validation.beforeSeconds.count), validation)
        }
        return try finish(.proposed, nil, validation)
    }

    /// An opportunity fix's predicted saving against its measured one, for the per-pattern calibration.
    private func recordCalibration(_ record: PatchRecord, _ validation: ValidationResult) throws {
        guard record.kind == .opportunity, let id = record.opportunityID, let patchID = record.id,
            let opportunity = try? store.opportunity(id: id)
        else { return }
        // The factor the scan used: savings = share × factor, so factor = saved cores ÷ cores.
        let factor = opportunity.cores > 0 ? opportunity.savingsCores / opportunity.cores : 0
        try store.recordCalibration(
            CalibrationPoint(
                patchID: patchID, opportunityID: id, pattern: opportunity.pattern, share: opportunity.share,
                shareBasis: opportunity.shareBasis, predicted: opportunity.share * factor,
                speedup: validation.speedup, significant: validation.isSignificantGain, recordedAt: Timestamps.now()))
    }

    // MARK: deliver

    /// Commits a validated patch to a new `headroom/<kind>-<id>` branch and writes its PR description.
    public func deliver(patchID: Int64, started: Date = Date()) throws -> PatchRecord {
        try holding(patchID) { try deliverHeld(patchID: patchID, started: started) }
    }

    private func deliverHeld(patchID: Int64, started: Date) throws -> PatchRecord {
        var record = try store.patch(id: patchID)
        guard record.status == .proposed, let validation = record.validation, validation.isSignificantGain,
            let editJSON = record.editJSON
        else {
            throw HeadroomError(
                .badInput,
                "patch \(patchID) is not validated (status \(record.status.rawValue)); run validate_patch first")
        }
        let edit = try JSONDecoder().decode(SourceEdit.self, from: Data(editJSON.utf8))
        let git = try Git(path: record.repository)
        let settings = try TargetSettings.load(repository: git.root, revision: record.baseCommit)
        let scratch = try Self.scratchDirectory()
        defer { PrivateTemporary.remove(path: scratch) }
        let branches = PatchBranch(repository: git.root, scratch: scratch)
        let checkout = try branches.checkoutState()
        let targetID = record.kind == .regression ? record.regressionID : record.opportunityID
        let context = try describeTarget(record)
        let made: (commit: String, diff: String)
        let branch: String
        if let earlier = try deliveredBranch(for: record, edit: edit, git: git) {
            // The same fix was delivered before and its branch is still there: point at it, mint no copy.
            branch = earlier.branch
            made = (earlier.commit, try git.run(["show", "--format=", "--no-color", earlier.commit]))
        } else {
            branch = try branches.freshName("headroom/\(record.kind.rawValue)-\(targetID ?? record.id ?? 0)")
            // Named on the row before it exists, so an interrupted delivery's branch is found and removed.
            record.branch = branch
            record = try store.savePatch(record)
            let message =
                "\(context.title)\n\n" + record.summary.map { "- \($0)" }.joined(separator: "\n")
                + "\n\n\(context.trailer)\nValidated by Headroom: tests pass; "
                + String(format: "%.2f× faster (p = %.2g).", validation.speedup, validation.pValue)
            let committed = try branches.commit(
                branch: branch, base: record.baseCommit, files: [(edit.path, edit.patched)], message: message)
            branches.removeWorktree(committed.worktree)
            made = (committed.commit, committed.diff)
            guard try branches.checkoutState() == checkout else {
                branches.deleteBranch(branch)
                record.branch = nil
                _ = try? store.savePatch(record)
                throw HeadroomError(
                    .refused, "guardrail safety: the checked-out branch of \(git.root) changed during delivery")
            }
        }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let prPath = (outputDirectory as NSString).appendingPathComponent(
            branch.replacingOccurrences(of: "/", with: "-") + ".md")
        let description = PRDescription.render(
            .init(
                title: context.title, problem: context.problem, culprit: context.culprit, skill: record.skill,
                branch: branch, baseCommit: record.baseCommit, changes: record.summary, diff: made.diff,
                validation: validation, testCommand: settings.testCommand ?? "(given on the command line)",
                benchCommand: settings.benchCommand ?? "(given on the command line)", patchID: record.id))
        try description.write(toFile: prPath, atomically: true, encoding: .utf8)
        record.branch = branch
        record.commit = made.commit
        record.diff = made.diff
        record.prDescription = prPath
        record.status = .delivered
        record.seconds = Date().timeIntervalSince(started)
        return try store.savePatch(record)
    }

    /// An earlier delivered patch's branch that holds exactly this edit on the same base, when it still exists.
    func deliveredBranch(for record: PatchRecord, edit: SourceEdit, git: Git) throws -> (
        branch: String, commit: String
    )? {
        let earlier = try store.patches(skill: nil, review: nil, status: .delivered).filter {
            $0.id != record.id && $0.kind == record.kind && $0.regressionID == record.regressionID
                && $0.opportunityID == record.opportunityID && $0.repository == record.repository
                && $0.baseCommit == record.baseCommit && $0.review != .rejected
        }
        for candidate in earlier {
            guard let branch = candidate.branch, let commit = candidate.commit, git.hasBranch(branch),
                (try? git.resolve(branch)) == commit, (try? git.resolve(commit + "^")) == record.baseCommit,
                git.show(commit, path: edit.path) == edit.patched,
                let changed = try? git.run(["diff", "--name-only", record.baseCommit, commit]),
                changed.split(separator: "\n").map(String.init) == [edit.path]
            else { continue }
            return (branch, commit)
        }
        return nil
    }

    // MARK: apply

    /// A person accepts a delivered patch: its commit is cherry-picked onto the checked-out branch (a clean work
    /// tree only; a conflict is aborted and reported), unless `markOnly` (merged elsewhere, e.g. through the PR);
    /// then it is recorded as applied, which makes it a prior example for its skill. Never a tool: only a person
    /// applies a patch.
    public func apply(patchID: Int64, markOnly: Bool = false, note: String? = nil) throws -> PatchRecord {
        let p = try store.patch(id: patchID)
        guard p.status == .delivered, let commit = p.commit else {
            throw HeadroomError(
                .badInput, "patch \(patchID) is \(p.status.rawValue); only delivered patches can be applied")
        }
        guard p.review == .pending else {
            throw HeadroomError(.refused, "patch \(patchID) was already \(p.review.rawValue)")
        }
        var appliedCommit: String?
        if !markOnly {
            let git = try Git(path: p.repository)
            let dirty = try git.run(["status", "--porcelain", "--untracked-files=no"])
            guard dirty.isEmpty else {
                throw HeadroomError(
                    .refused, "\(p.repository) has uncommitted changes; commit or stash them, or use --mark-only")
            }
            let picked = try Shell.run(
                ["git", "-C", git.root, "-c", "commit.gpgsign=false", "cherry-pick", commit], timeout: 120)
            guard picked.succeeded else {
                _ = try? Shell.run(["git", "-C", git.root, "cherry-pick", "--abort"], timeout: 60)
                throw HeadroomError(
                    .refused,
                    "the patch does not apply cleanly on \(try git.currentBranch() ?? "HEAD"); merge \(p.branch ?? commit) by hand"
                )
            }
            appliedCommit = try? git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try store.reviewPatch(id: patchID, review: .applied, note: note, appliedCommit: appliedCommit)
        return try store.patch(id: patchID)
    }

    // MARK: reject

    /// Records a reviewer's rejection and deletes the patch's `headroom/…` branch (unless `keepBranch`). Only
    /// Headroom's own branches are deleted, never the checked-out one.
    public func reject(patchID: Int64, reason: String?, keepBranch: Bool = false) throws -> (
        record: PatchRecord, deleted: String?
    ) {
        let record = try store.patch(id: patchID)
        guard record.review == .pending else {
            throw HeadroomError(.refused, "patch \(patchID) was already \(record.review.rawValue)")
        }
        var deleted: String?
        if !keepBranch, let branch = record.branch, branch.hasPrefix("headroom/"),
            let git = try? Git(path: record.repository),
            git.hasBranch(branch)
        {
            let current = try? git.run(["rev-parse", "--abbrev-ref", "HEAD"]).trimmingCharacters(
                in: .whitespacesAndNewlines)
            guard current != branch else {
                throw HeadroomError(.refused, "\(branch) is checked out in \(git.root); switch away before rejecting")
            }
            _ = try git.run(["branch", "-D", branch])
            deleted = branch
        }
        try store.reviewPatch(id: patchID, review: .rejected, note: reason, appliedCommit: nil)
        return (try store.patch(id: patchID), deleted)
    }
}
