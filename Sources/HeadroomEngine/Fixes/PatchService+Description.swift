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
