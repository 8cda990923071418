import Foundation
import HeadroomCore
import HeadroomSkills

/// One answer per intent, each from the tools, noting the facts it took from each call.
extension AskBrain {
    func regressed(_ question: String, service: String?, _ s: inout Session) throws -> String {
        let rows = try regressions(service: service, &s)
        guard !rows.isEmpty else {
            return
                "No regressions are recorded\(service.map { " for \($0)" } ?? ""). Run `headroom detect` after ingesting profiles."
        }
        let shown = rows.prefix(5)
        var lines = [
            "\(rows.count) regression\(rows.count == 1 ? "" : "s") detected\(service.map { " in \($0)" } ?? ""), largest first:"
        ]
        for r in shown {
            lines.append("- \(Self.describe(r))")
            s.note(.listRegressions, Self.describe(r))
        }
        if rows.count > shown.count {
            lines.append("- … and \(rows.count - shown.count) more (`headroom detect --format json`).")
        }
        return lines.joined(separator: "\n")
    }

    func why(_ question: String, service: String?, _ s: inout Session) throws -> String {
        guard let r = try pick(question, service: service, &s), let id = r.id else {
            return "No regression to explain\(service.map { " in \($0)" } ?? "")."
        }
        let candidates = try culprits(id, &s)
        guard let top = candidates.first else {
            return
                "Regression \(id) (`\(r.function)`) has no candidate change: no commit, config change or deploy in its window. Import history with `headroom changes import`."
        }
        var lines = [
            "Regression \(id) (`\(r.function)`, onset \(r.onset)) is most likely caused by "
                + Self.describeCandidate(top) + "."
        ]
        s.note(s.evidence.last?.tool ?? ToolName.getRegression.rawValue, "culprit: " + Self.describeCandidate(top))
        let evidence = top.evidence.prefix(4)
        if !evidence.isEmpty {
            lines.append("Evidence:")
            lines += evidence.map { "- \($0)" }
        }
        if candidates.count > 1 {
            lines.append(
                "Next: " + candidates.dropFirst().prefix(2).map(Self.describeCandidate).joined(separator: "; ") + ".")
        }
        return lines.joined(separator: "\n")
    }

    func whatToDo(_ question: String, service: String?, _ s: inout Session) throws -> String {
        guard let r = try pick(question, service: service, &s), let id = r.id else {
            return
                "Nothing has regressed\(service.map { " in \($0)" } ?? ""); see the opportunities instead (`headroom opportunities`)."
        }
        let function = r.function
        let patches = try s.call(.listPatches, ["regression": .number(Double(id))]).patches
        if let delivered = patches.last(where: { $0.status == .delivered }) {
            let pid = delivered.patch
            var line =
                "For regression \(id) (`\(function)`): patch #\(pid) (\(delivered.skill) skill) is delivered on branch `\(delivered.branch ?? "?")`"
            if let v = delivered.validation {
                line +=
                    ": tests pass, \(Self.fixed(v.speedup, 2))× faster (95% CI \(Self.fixed(v.ci95.first ?? nil, 2))–"
                    + "\(Self.fixed(v.ci95.last ?? nil, 2)), p = \(String(format: "%.2g", v.pValue ?? 1)), "
                    + "\(v.runs) runs each)"
            }
            line += ". Review state: \(delivered.review.rawValue)."
            s.note(.listPatches, line)
            let review =
                delivered.review == .pending
                ? "\nNext: read it with `headroom review show \(pid)`, then `headroom review apply \(pid)` or `headroom review reject \(pid)`."
                : ""
            return line + review
        }
        var lines: [String] = []
        let tried = patches.filter { $0.status == .refused || $0.status == .failed }
        if !tried.isEmpty {
            lines.append("For regression \(id) (`\(function)`) Headroom tried and did not surface:")
            for p in tried.suffix(4) {
                let line =
                    "patch #\(p.patch) \(p.skill): \(p.status.rawValue) — \(p.reason ?? "no reason recorded")"
                lines.append("- " + line)
                s.note(.listPatches, line)
            }
        }
        let skills = suggestedSkills(regression: r, &s)
        if skills.isEmpty {
            lines.append(
                "No skill matches regression \(id); the revert-hunk fallback or the culprit's author is the way forward. Run `headroom fix \(id)`."
            )
        } else {
            lines.append(
                "Skills that fit regression \(id) (`\(function)`): " + skills.joined(separator: "; ")
                    + ". Run `headroom fix \(id)` to make, test and A/B-validate a patch on a new branch.")
        }
        return lines.joined(separator: "\n")
    }

    func opportunities(service: String?, _ s: inout Session) throws -> String {
        var input: [String: JSONValue] = ["limit": 5]
        if let service { input["service"] = .string(service) }
        var rows = try s.call(.listOpportunities, .object(input)).opportunities
        // None stored yet: scan the repository the regressions' culprits came from, against that service's profiles.
        if rows.isEmpty, let r = try regressions(service: service, &s).first, let id = r.id,
            let repository = try s.call(.rankRootCauses, ["regression": .number(Double(id)), "limit": 5]).repository
        {
            rows =
                try s.call(
                    .listOpportunities,
                    ["service": .string(r.service), "repository": .string(repository), "limit": 5]
                ).opportunities
        }
        guard !rows.isEmpty else {
            return
                "No opportunities are recorded yet. Scan a repository against its profiles: `headroom opportunities --service S --repo DIR`."
        }
        var lines = ["The biggest opportunities by estimated savings:"]
        for o in rows {
            let line =
                "#\(o.id ?? 0) \(o.pattern) in `\(o.function)` "
                + "(\(o.file):\(o.line), \(o.service)): "
                + "\(Self.percent(o.share.finite)) of CPU (\(o.shareBasis)) ≈ "
                + "\(Self.fixed(o.cores.finite, 1)) cores; saves ≈ \(Self.fixed(o.savingsCores.finite, 1)) cores / "
                + "\(Self.fixed(o.savingsWatts.finite, 0)) W"
            var full = line
            if let skill = o.skill { full += "; skill \(skill)" }
            if let blocked = o.blocked { full += "; blocked: \(blocked)" }
            lines.append("- " + full)
            s.note(.listOpportunities, full)
        }
        lines.append("Resolve one with `headroom resolve ID` (patch, tests and A/B benchmark on a new branch).")
        return lines.joined(separator: "\n")
    }

    func cost(_ question: String, service: String?, _ s: inout Session) throws -> String {
        let services = try service.map { [$0] } ?? s.call(.listServices).services.map(\.service)
        let names = Self.identifiers(question)
        guard !names.isEmpty else {
            return "Name the function, e.g. `headroom ask \"what does apply_discounts cost?\"`."
        }
        var lines: [String] = []
        for service in services {
            for name in names {
                let out = try s.call(
                    .queryTop,
                    [
                        "service": .string(service), "mode": "top", "by": "total",
                        "function": .string(name), "limit": 3,
                    ])
                for row in out.functions {
                    let line =
                        "`\(row.function)` (\(row.file ?? "?")) in \(service): "
                        + "\(Self.percent(row.total)) of CPU inclusive, \(Self.percent(row.selfShare)) self "
                        + "(\(row.totalSamples) of \(out.totalSamples) samples) ≈ "
                        + "\(Self.fixed(row.cores, 1)) cores, \(Self.fixed(row.watts, 0)) W "
                        + "at \(Self.fixed(out.fleetCores, 0)) fleet cores"
                    lines.append("- " + line)
                    s.note(.queryProfile, line)
                }
            }
        }
        // When it regressed: the regression, and what it costs since the onset.
        for r in try regressions(service: service, &s)
        where names.contains(where: { FunctionRef.namesMatch(r.function, $0) }) {
            lines.append("- it regressed: " + Self.describe(r))
            let out = try s.call(
                .queryTop,
                [
                    "service": .string(r.service), "mode": "top", "by": "total", "function": .string(r.function),
                    "from": .string(r.timestamp), "limit": 1,
                ])
            if let row = out.functions.first {
                let line =
                    "since the onset (\(r.onset)): \(Self.percent(row.total)) inclusive, "
                    + "\(Self.percent(row.selfShare)) self ≈ \(Self.fixed(row.cores, 1)) cores, \(Self.fixed(row.watts, 0)) W"
                lines.append("- " + line)
                s.note(.queryProfile, line)
            }
        }
        guard !lines.isEmpty else {
            return
                "No samples for \(names.map { "`\($0)`" }.joined(separator: ", ")) in \(services.joined(separator: ", ")) (names are matched exactly or by their last component)."
        }
        return "What it costs (over all stored profiles):\n" + lines.joined(separator: "\n")
    }
}
