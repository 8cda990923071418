import Foundation
import HeadroomCore

/// Renders the markdown pull-request description for a fix.
public enum PRDescription {
    /// What a description is made from.
    public struct Input: Sendable {
        /// The PR's title.
        public var title: String
        /// Rows of the problem table (what regressed or what costs, with figures).
        public var problem: [(String, String)]
        /// The culprit, for a regression's fix.
        public var culprit: RootCauseCandidate?
        /// The skill that made the patch.
        public var skill: String
        /// The patch's branch.
        public var branch: String
        /// The commit the patch was made against.
        public var baseCommit: String
        /// One line per change.
        public var changes: [String]
        /// The unified diff.
        public var diff: String
        /// The tests and A/B benchmark.
        public var validation: ValidationResult
        /// The test command validation ran.
        public var testCommand: String
        /// The benchmark command validation timed.
        public var benchCommand: String
        /// The patch's id in the store, for `headroom review apply`.
        public var patchID: Int64?

        /// An input from its fields.
        public init(
            title: String, problem: [(String, String)], culprit: RootCauseCandidate?, skill: String, branch: String,
            baseCommit: String, changes: [String], diff: String, validation: ValidationResult, testCommand: String,
            benchCommand: String, patchID: Int64? = nil
        ) {
            self.patchID = patchID
            self.title = title
            self.problem = problem
            self.culprit = culprit
            self.skill = skill
            self.branch = branch
            self.baseCommit = baseCommit
            self.changes = changes
            self.diff = diff
            self.validation = validation
            self.testCommand = testCommand
            self.benchCommand = benchCommand
        }
    }

    /// The description as Markdown: the problem, the culprit, the change, the evidence and how to reproduce it.
    public static func render(_ input: Input) -> String {
        let v = input.validation
        var out: [String] = ["# \(input.title)", ""]
        if let culprit = input.culprit {
            out.append(
                "@\(culprit.author) (\(culprit.email)) — Headroom traced a CPU regression to your change "
                    + "`\(culprit.ref.prefix(7))` (\"\(culprit.message)\") and prepared a fix-forward for you to review."
            )
            out.append("")
        }
        out.append(contentsOf: ["## Problem", "", "| | value |", "|---|---|"])
        for (key, value) in input.problem {
            out.append("| \(key) | \(value.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        out.append("")
        if let culprit = input.culprit {
            out.append(contentsOf: ["## Root cause", ""])
            out.append(
                "Commit `\(culprit.ref)` by \(culprit.author), score \(String(format: "%.2f", culprit.score)), "
                    + "confidence \(String(format: "%.0f%%", culprit.confidence * 100)):")
            out.append("")
            for line in culprit.evidence { out.append("- \(line)") }
            out.append("")
        }
        out.append(contentsOf: ["## The change (skill `\(input.skill)`)", ""])
        for change in input.changes { out.append("- \(change)") }
        out.append(contentsOf: ["", "```diff", input.diff.trimmingCharacters(in: .newlines), "```", ""])
        out.append(contentsOf: ["## Validation", "", "| check | result |", "|---|---|"])
        out.append("| guardrails | \(Guardrail.names.joined(separator: ", ")): passed |")
        out.append("| tests (`\(input.testCommand)`) | \(v.testsPassed ? "passed" : "FAILED") before and after |")
        out.append(
            "| A/B benchmark (`\(input.benchCommand)`), \(v.beforeSeconds.count) interleaved runs each | "
                + "median \(ms(Descriptive.median(v.beforeSeconds))) → \(ms(Descriptive.median(v.afterSeconds))) |")
        out.append(
            "| speed-up (median before / after) | \(String(format: "%.2f", v.speedup))× "
                + "(95% CI \(String(format: "%.2f", v.ci95.first ?? .nan))–\(String(format: "%.2f", v.ci95.last ?? .nan))) |"
        )
        out.append(
            "| Mann–Whitney U p-value | \(String(format: "%.2g", v.pValue)) (needed < \(String(format: "%.2g", v.alpha))) |"
        )
        out.append(contentsOf: ["", "## How to apply", "", "```sh"])
        out.append("git diff \(input.baseCommit.prefix(12))..\(input.branch)   # review")
        out.append(
            "headroom review apply \(input.patchID.map(String.init) ?? "<patch id>")   # cherry-picks onto your branch and records the review"
        )
        out.append("git merge --ff-only \(input.branch)   # or merge it yourself")
        out.append(contentsOf: ["```", "", "Generated by Headroom; nothing was applied to your checked-out branch."])
        return out.joined(separator: "\n") + "\n"
    }

    private static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
}

/// Names of the guardrails, as shown to reviewers (kept here so delivery does not depend on the skills module).
public enum Guardrail {
    /// The guardrails in the order they run.
    public static let names = ["safety", "syntax", "minimal-diff", "right-function", "right-issue", "style"]
}
