import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomSkills

/// What a fix needs besides the regression itself.
public struct FixContext: Sendable {
    public var repository: String
    public var testCommand: String
    public var benchCommand: String
    /// Where the PR description is written.
    public var outputDirectory: String
    public var validation: ValidationConfiguration
    public var costModel: CostModel

    public init(
        repository: String, testCommand: String, benchCommand: String, outputDirectory: String,
        validation: ValidationConfiguration = ValidationConfiguration(), costModel: CostModel = CostModel()
    ) {
        self.repository = repository
        self.testCommand = testCommand
        self.benchCommand = benchCommand
        self.outputDirectory = outputDirectory
        self.validation = validation
        self.costModel = costModel
    }
}

/// The offline (rule) brain for regressions: pick the skill, run its recipe, check the guardrails, validate in
/// worktrees and deliver a branch with a PR description, or record why not.
public struct RegressionFixer: Sendable {
    public var guardrails = Guardrails()
    public var recipe = LogGuardRecipe()

    public init() {}

    /// Produces a delivered, refused or failed patch record; never changes the checked-out branch.
    public func fix(
        _ regression: Regression, candidates: [RootCauseCandidate], context: FixContext,
        progress: @Sendable (String) -> Void = { _ in }
    ) throws -> PatchRecord {
        let culprit = candidates.first
        let branchTool = PatchBranch(repository: context.repository, scratch: try makeScratch())
        defer { try? FileManager.default.removeItem(atPath: branchTool.scratch) }
        let base = try git(context.repository, ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        func record(_ status: PatchRecord.Status, _ reason: String?, branch: String? = nil, diff: String = "",
                    pr: String? = nil, validation: ValidationResult? = nil) -> PatchRecord
        {
            PatchRecord(regressionID: regression.id, skill: LogGuardRecipe.name, repository: context.repository,
                        branch: branch, baseCommit: base, diff: diff, prDescription: pr, status: status,
                        reason: reason, validation: validation)
        }
        let (path, function) = try target(regression, culprit: culprit, repository: context.repository)
        guard let source = try? git(context.repository, ["show", "\(base):\(path)"]) else {
            return record(.refused, "\(path) does not exist at \(base.prefix(12))")
        }
        progress("skill \(LogGuardRecipe.name) on `\(function)` in \(path)")
        let edit: SourceEdit
        do {
            edit = try recipe.apply(source: source, path: path, function: function)
            try guardrails.check(edit)
        } catch let refusal as Refusal {
            return record(.refused, refusal.reason)
        }
        let before = try branchTool.checkoutState()
        let branch = try branchTool.freshName("headroom/regression-\(regression.id ?? 0)")
        let message = "Guard eager logging in \(function)\n\n" + edit.summary.map { "- \($0)" }.joined(separator: "\n")
            + "\n\nFixes a \(String(format: "%+.0f", regression.relativeChange * 100))% CPU regression found by Headroom."
        let made = try branchTool.commit(branch: branch, base: base, files: [(path, edit.patched)], message: message)
        let baseline = try branchTool.detachedWorktree(at: base)
        defer {
            branchTool.removeWorktree(made.worktree)
            branchTool.removeWorktree(baseline)
        }
        let validator = Validator(configuration: context.validation)
        progress("tests: \(context.testCommand)")
        let testsBefore = try validator.runTests(context.testCommand, in: baseline)
        guard testsBefore.passed else {
            branchTool.deleteBranch(branch)
            return record(.failed, "tests already fail at \(base.prefix(12)): \(testsBefore.detail)", diff: made.diff)
        }
        let testsAfter = try validator.runTests(context.testCommand, in: made.worktree)
        guard testsAfter.passed else {
            branchTool.deleteBranch(branch)
            return record(.refused, "tests fail with the patch: \(testsAfter.detail)", diff: made.diff)
        }
        progress("A/B benchmark: \(context.validation.runs) interleaved runs each of \(context.benchCommand)")
        let validation = try validator.abBenchmark(context.benchCommand, before: baseline, after: made.worktree)
        guard validation.isSignificantGain else {
            branchTool.deleteBranch(branch)
            return record(.refused, String(format: "no significant speed-up (%.2f×, p = %.2g)", validation.speedup,
                                           validation.pValue), diff: made.diff, validation: validation)
        }
        guard try branchTool.checkoutState() == before else {
            throw HeadroomError(.refused, "safety: the checked-out branch of \(context.repository) changed during the fix")
        }
        try FileManager.default.createDirectory(atPath: context.outputDirectory, withIntermediateDirectories: true)
        let prPath = (context.outputDirectory as NSString).appendingPathComponent(
            branch.replacingOccurrences(of: "/", with: "-") + ".md")
        let description = PRDescription.render(.init(
            regression: regression, culprit: culprit, skill: LogGuardRecipe.name, branch: branch, baseCommit: base,
            changes: edit.summary, diff: made.diff, validation: validation, testCommand: context.testCommand,
            benchCommand: context.benchCommand, costModel: context.costModel))
        try description.write(toFile: prPath, atomically: true, encoding: .utf8)
        return record(.delivered, nil, branch: branch, diff: made.diff, pr: prPath, validation: validation)
    }

    /// The file and function to patch: the culprit's changed function that carries the rise, else the regressed
    /// function located in the repository by path suffix.
    func target(_ regression: Regression, culprit: RootCauseCandidate?, repository: String) throws
        -> (path: String, function: String)
    {
        if let changed = culprit?.functions.first(where: { regression.function.matches(name: $0.name, path: $0.file) })
            ?? culprit?.functions.first
        {
            return (changed.file, changed.name)
        }
        guard let file = regression.function.file else {
            throw HeadroomError(.notFound, "`\(regression.function.name)` has no source file in the profile")
        }
        let tracked = try git(repository, ["ls-files"]).split(separator: "\n").map(String.init)
        guard let path = tracked.first(where: { FunctionRef.pathsMatch($0, file) }) else {
            throw HeadroomError(.notFound, "\(file) is not a file of \(repository)")
        }
        return (path, regression.function.name)
    }

    private func makeScratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-fix-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func git(_ repository: String, _ arguments: [String]) throws -> String {
        try Git(path: repository).run(arguments)
    }
}
