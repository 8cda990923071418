import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomSkills
import HeadroomSource
import HeadroomStore

/// The words a delivered patch carries: its PR's title, problem table and culprit, and its commit trailer.
extension PatchService {
    /// The PR's title, problem table and culprit for a patch's regression or opportunity.
    func describeTarget(_ record: PatchRecord) throws -> (
        title: String, problem: [(String, String)], culprit: RootCauseCandidate?, trailer: String
    ) {
        let function = record.function ?? "?"
        if let id = record.regressionID {
            let r = try store.regression(id: id)
            let culprit = try store.candidates(regression: id).first { $0.ref == record.culprit }
            let delta = r.after - r.before
            var rows: [(String, String)] = [
                ("regression", "#\(id) in service `\(r.service)`"),
                ("function", "`\(r.function.name)`\(r.function.file.map { " (`\($0)`)" } ?? "")"),
                (
                    "\(r.metric.rawValue) share of service CPU",
                    String(format: "%.2f%% → %.2f%%", r.before * 100, r.after * 100) + " (\(r.relativeChangeText()))"
                ),
                ("onset", "between \(Timestamps.format(r.previousTimestamp)) and \(Timestamps.format(r.timestamp))"),
                ("p-value", String(format: "%.2g", r.pValue)),
                (
                    "estimated cost",
                    String(
                        format: "%.1f cores, %.0f W (at %.0f fleet cores, %.0f W/core)",
                        costModel.cores(forShare: delta), costModel.watts(forShare: delta),
                        costModel.fleetCores, costModel.wattsPerCore)
                ),
            ]
            if !r.members.isEmpty {
                rows.append(
                    (
                        "same event in",
                        r.members.prefix(6).map { "`\($0.function.name)` (\($0.metric.rawValue))" }.joined(
                            separator: ", ")
                    ))
            }
            return (
                "Fix CPU regression in \(function) (\(skillVerb(record.skill)))", rows, culprit,
                "Regression #\(id) (\(r.service)), culprit \(record.culprit.map { String($0.prefix(12)) } ?? "unknown")."
            )
        }
        let o = try store.opportunity(id: record.opportunityID ?? 0)
        let rows: [(String, String)] = [
            ("opportunity", "#\(o.id ?? 0) in service `\(o.service)`: \(o.pattern)"),
            ("function", "`\(o.function)` (`\(o.file):\(o.line)`)"),
            (
                "measured cost",
                String(
                    format: "%.2f%% of service CPU (%@), %.1f cores, %.0f W", o.share * 100,
                    o.shareBasis as NSString, o.cores, o.watts)
            ),
            ("estimated saving", String(format: "%.1f cores, %.0f W", o.savingsCores, o.savingsWatts)),
            ("finding", o.detail),
        ]
        return (
            "Reduce CPU in \(function) (\(skillVerb(record.skill)))", rows, nil,
            "Opportunity #\(o.id ?? 0) (\(o.service), \(o.pattern))."
        )
    }

    func skillVerb(_ skill: String) -> String {
        [
            "log-guard": "guard eager logging", "memoize": "memoize a pure function",
            "regex-hoist": "precompile regexes",
            "loop-invariant": "hoist loop-invariant work", "revert-hunk": "revert the culprit hunk",
        ][skill] ?? skill
    }
}

extension PatchService {
    /// A delivered patch's pull-request title and body: the description written at delivery, or the same one
    /// rendered again when that file is gone.
    public func pullRequestText(for record: PatchRecord) throws -> (title: String, body: String) {
        if let path = record.prDescription, let text = try? String(contentsOfFile: path, encoding: .utf8),
            let first = text.split(separator: "\n", maxSplits: 1).first, first.hasPrefix("# ")
        {
            let body = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first
            return (String(first.dropFirst(2)), String(body ?? "").trimmingCharacters(in: .newlines) + "\n")
        }
        guard let validation = record.validation, let branch = record.branch else {
            throw HeadroomError(.badInput, "patch \(record.id ?? 0) has no validated branch to describe")
        }
        let context = try describeTarget(record)
        let settings = try TargetSettings.load(repository: record.repository, revision: record.baseCommit)
        let text = PRDescription.render(
            .init(
                title: context.title, problem: context.problem, culprit: context.culprit, skill: record.skill,
                branch: branch, baseCommit: record.baseCommit, changes: record.summary, diff: record.diff,
                validation: validation, testCommand: settings.testCommand ?? "(given on the command line)",
                benchCommand: settings.benchCommand ?? "(given on the command line)", patchID: record.id))
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return (
            String(lines[0].dropFirst(2)),
            lines.count > 1 ? String(lines[1]).trimmingCharacters(in: .newlines) + "\n" : ""
        )
    }
}
