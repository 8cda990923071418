import Foundation
import HeadroomCore

/// Renders the markdown pull-request description for a fix.
public enum PRDescription {
    public struct Input: Sendable {
        public var regression: Regression
        public var culprit: RootCauseCandidate?
        public var skill: String
        public var branch: String
        public var baseCommit: String
        public var changes: [String]
        public var diff: String
        public var validation: ValidationResult
        public var testCommand: String
        public var benchCommand: String
        public var costModel: CostModel

        public init(
            regression: Regression, culprit: RootCauseCandidate?, skill: String, branch: String, baseCommit: String,
            changes: [String], diff: String, validation: ValidationResult, testCommand: String, benchCommand: String,
            costModel: CostModel = CostModel()
        ) {
            self.regression = regression
            self.culprit = culprit
            self.skill = skill
            self.branch = branch
            self.baseCommit = baseCommit
            self.changes = changes
            self.diff = diff
            self.validation = validation
            self.testCommand = testCommand
            self.benchCommand = benchCommand
            self.costModel = costModel
        }
    }

    public static func render(_ input: Input) -> String {
        let r = input.regression
        let v = input.validation
        let delta = r.after - r.before
        let metric = r.metric == .selfShare ? "self" : "total"
        var out: [String] = []
        out.append("# Fix \(r.kind.rawValue) in `\(r.function.name)` (\(r.service))")
        out.append("")
        if let culprit = input.culprit {
            out.append("@\(culprit.author) (\(culprit.email)) — Headroom traced a CPU regression to your change "
                + "`\(culprit.ref.prefix(7))` (\"\(culprit.message)\") and prepared a fix-forward for you to review.")
            out.append("")
        }
        out.append("## Regression")
        out.append("")
        out.append("| | value |")
        out.append("|---|---|")
        out.append("| function | `\(r.function.name)`\(r.function.file.map { " (`\($0)`)" } ?? "") |")
        out.append("| \(metric) share of service CPU | \(pct(r.before)) → \(pct(r.after)) "
            + "(\(String(format: "%+.1f", r.relativeChange * 100))%) |")
        out.append("| onset | between \(Timestamps.format(r.previousTimestamp)) and \(Timestamps.format(r.timestamp)) |")
        out.append("| p-value | \(String(format: "%.2g", r.pValue)) |")
        out.append("| estimated cost | \(String(format: "%.1f", input.costModel.cores(forShare: delta))) cores, "
            + "\(String(format: "%.0f", input.costModel.watts(forShare: delta))) W (at \(Int(input.costModel.fleetCores)) "
            + "fleet cores, \(Int(input.costModel.wattsPerCore)) W/core) |")
        if !r.members.isEmpty {
            let names = r.members.prefix(6).map { "`\($0.function.name)` (\($0.metric.rawValue))" }
            out.append("| same event in | \(names.joined(separator: ", ")) |")
        }
        out.append("")
        if let culprit = input.culprit {
            out.append("## Root cause")
            out.append("")
            out.append("Commit `\(culprit.ref)` by \(culprit.author), score \(String(format: "%.2f", culprit.score)):")
            out.append("")
            for line in culprit.evidence { out.append("- \(line)") }
            out.append("")
        }
        out.append("## The fix (skill `\(input.skill)`)")
        out.append("")
        for change in input.changes { out.append("- \(change)") }
        out.append("")
        out.append("```diff")
        out.append(input.diff.trimmingCharacters(in: .newlines))
        out.append("```")
        out.append("")
        out.append("## Validation")
        out.append("")
        out.append("| check | result |")
        out.append("|---|---|")
        out.append("| guardrails | \(Guardrail.names.joined(separator: ", ")): passed |")
        out.append("| tests (`\(input.testCommand)`) | \(v.testsPassed ? "passed" : "FAILED") before and after |")
        out.append("| A/B benchmark (`\(input.benchCommand)`), \(v.beforeSeconds.count) interleaved runs each | "
            + "median \(ms(Descriptive.median(v.beforeSeconds))) → \(ms(Descriptive.median(v.afterSeconds))) |")
        out.append("| speed-up (median before / after) | \(String(format: "%.2f", v.speedup))× "
            + "(95% CI \(String(format: "%.2f", v.ci95.first ?? .nan))–\(String(format: "%.2f", v.ci95.last ?? .nan))) |")
        out.append("| Mann–Whitney U p-value | \(String(format: "%.2g", v.pValue)) |")
        out.append("")
        out.append("## How to apply")
        out.append("")
        out.append("```sh")
        out.append("git diff \(input.baseCommit.prefix(12))..\(input.branch)   # review")
        out.append("git merge --ff-only \(input.branch)   # or cherry-pick onto your branch")
        out.append("```")
        out.append("")
        out.append("Generated by Headroom; nothing was applied to your checked-out branch.")
        return out.joined(separator: "\n") + "\n"
    }

    private static func pct(_ share: Double) -> String { String(format: "%.2f%%", share * 100) }
    private static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
}

/// Names of the guardrails, as shown to reviewers (kept here so delivery does not depend on the skills module).
public enum Guardrail {
    public static let names = ["syntax", "minimal-diff", "right-function", "precondition", "safety"]
}
