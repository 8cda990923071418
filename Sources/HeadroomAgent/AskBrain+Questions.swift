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
            s.note("list_regressions", Self.describe(r))
        }
        if rows.count > shown.count {
            lines.append("- … and \(rows.count - shown.count) more (`headroom detect --format json`).")
        }
        return lines.joined(separator: "\n")
    }

    func why(_ question: String, service: String?, _ s: inout Session) throws -> String {
        guard let r = try pick(question, service: service, &s), let id = r["id"]?.intValue else {
            return "No regression to explain\(service.map { " in \($0)" } ?? "")."
        }
        let candidates = try culprits(id, &s)
        guard let top = candidates.first else {
            return
                "Regression \(id) (`\(r["function"]?.stringValue ?? "?")`) has no candidate change: no commit, config change or deploy in its window. Import history with `headroom changes import`."
        }
        var lines = [
            "Regression \(id) (`\(r["function"]?.stringValue ?? "?")`, onset \(r["onset"]?.stringValue ?? "?")) is most likely caused by "
                + Self.describeCandidate(top) + "."
        ]
        s.note(s.evidence.last?.tool ?? "get_regression", "culprit: " + Self.describeCandidate(top))
        let evidence = (top["evidence"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(4)
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
        guard let r = try pick(question, service: service, &s), let id = r["id"]?.intValue else {
            return
                "Nothing has regressed\(service.map { " in \($0)" } ?? ""); see the opportunities instead (`headroom opportunities`)."
        }
        let function = r["function"]?.stringValue ?? "?"
        let patches = try s.call("list_patches", ["regression": .number(Double(id))])["patches"]?.arrayValue ?? []
        if let delivered = patches.last(where: { $0["status"]?.stringValue == "delivered" }) {
            let pid = delivered["patch"]?.intValue ?? 0
            var line =
                "For regression \(id) (`\(function)`): patch #\(pid) (\(delivered["skill"]?.stringValue ?? "?") skill) is delivered on branch `\(delivered["branch"]?.stringValue ?? "?")`"
            if let v = delivered["validation"], v != .null {
                line +=
                    ": tests pass, \(Self.fixed(v["speedup"]?.doubleValue, 2))× faster (95% CI \(Self.fixed(v["ci95"]?.arrayValue?.first?.doubleValue, 2))–"
                    + "\(Self.fixed(v["ci95"]?.arrayValue?.last?.doubleValue, 2)), p = \(String(format: "%.2g", v["p_value"]?.doubleValue ?? 1)), "
                    + "\(v["runs"]?.intValue ?? 0) runs each)"
            }
            line += ". Review state: \(delivered["review"]?.stringValue ?? "pending")."
            s.note("list_patches", line)
            let review =
                delivered["review"]?.stringValue == "pending"
                ? "\nNext: read it with `headroom review show \(pid)`, then `headroom review apply \(pid)` or `headroom review reject \(pid)`."
                : ""
            return line + review
        }
        var lines: [String] = []
        let tried = patches.filter { ["refused", "failed"].contains($0["status"]?.stringValue ?? "") }
        if !tried.isEmpty {
            lines.append("For regression \(id) (`\(function)`) Headroom tried and did not surface:")
            for p in tried.suffix(4) {
                let line =
                    "patch #\(p["patch"]?.intValue ?? 0) \(p["skill"]?.stringValue ?? "?"): \(p["status"]?.stringValue ?? "?") — \(p["reason"]?.stringValue ?? "no reason recorded")"
                lines.append("- " + line)
                s.note("list_patches", line)
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
        var rows = try s.call("list_opportunities", .object(input))["opportunities"]?.arrayValue ?? []
        // None stored yet: scan the repository the regressions' culprits came from, against that service's profiles.
        if rows.isEmpty, let r = try regressions(service: service, &s).first, let id = r["id"]?.intValue,
            let repository = try s.call("rank_root_causes", ["regression": .number(Double(id)), "limit": 5])[
                "repository"]?.stringValue,
            let scanned = r["service"]?.stringValue
        {
            rows =
                try s.call(
                    "list_opportunities", ["service": .string(scanned), "repository": .string(repository), "limit": 5])[
                    "opportunities"]?.arrayValue ?? []
        }
        guard !rows.isEmpty else {
            return
                "No opportunities are recorded yet. Scan a repository against its profiles: `headroom opportunities --service S --repo DIR`."
        }
        var lines = ["The biggest opportunities by estimated savings:"]
        for o in rows {
            let line =
                "#\(o["id"]?.intValue ?? 0) \(o["pattern"]?.stringValue ?? "?") in `\(o["function"]?.stringValue ?? "?")` "
                + "(\(o["file"]?.stringValue ?? "?"):\(o["line"]?.intValue ?? 0), \(o["service"]?.stringValue ?? "?")): "
                + "\(Self.percent(o["share"]?.doubleValue)) of CPU (\(o["share_basis"]?.stringValue ?? "measured")) ≈ "
                + "\(Self.fixed(o["cores"]?.doubleValue, 1)) cores; saves ≈ \(Self.fixed(o["savings_cores"]?.doubleValue, 1)) cores / "
                + "\(Self.fixed(o["savings_watts"]?.doubleValue, 0)) W"
            var full = line
            if let skill = o["skill"]?.stringValue { full += "; skill \(skill)" }
            if let blocked = o["blocked"]?.stringValue { full += "; blocked: \(blocked)" }
            lines.append("- " + full)
            s.note("list_opportunities", full)
        }
        lines.append("Resolve one with `headroom resolve ID` (patch, tests and A/B benchmark on a new branch).")
        return lines.joined(separator: "\n")
    }

    func cost(_ question: String, service: String?, _ s: inout Session) throws -> String {
        let services =
            try service.map { [$0] }
            ?? (s.call("list_services")["services"]?.arrayValue ?? []).compactMap { $0["service"]?.stringValue }
        let names = Self.identifiers(question)
        guard !names.isEmpty else {
            return "Name the function, e.g. `headroom ask \"what does apply_discounts cost?\"`."
        }
        var lines: [String] = []
        for service in services {
            for name in names {
                let out = try s.call(
                    "query_profile",
                    [
                        "service": .string(service), "mode": "top", "by": "total",
                        "function": .string(name), "limit": 3,
                    ])
                for row in out["functions"]?.arrayValue ?? [] {
                    let line =
                        "`\(row["function"]?.stringValue ?? "?")` (\(row["file"]?.stringValue ?? "?")) in \(service): "
                        + "\(Self.percent(row["total"]?.doubleValue)) of CPU inclusive, \(Self.percent(row["self"]?.doubleValue)) self "
                        + "(\(row["total_samples"]?.intValue ?? 0) of \(out["total_samples"]?.intValue ?? 0) samples) ≈ "
                        + "\(Self.fixed(row["cores"]?.doubleValue, 1)) cores, \(Self.fixed(row["watts"]?.doubleValue, 0)) W "
                        + "at \(Self.fixed(out["fleet_cores"]?.doubleValue, 0)) fleet cores"
                    lines.append("- " + line)
                    s.note("query_profile", line)
                }
            }
        }
        // When it regressed: the regression, and what it costs since the onset.
        for r in try regressions(service: service, &s)
        where names.contains(where: { FunctionRef.namesMatch(r["function"]?.stringValue ?? "", $0) }) {
            lines.append("- it regressed: " + Self.describe(r))
            guard let onset = r["timestamp"]?.stringValue, let where_ = r["service"]?.stringValue,
                let function = r["function"]?.stringValue
            else { continue }
            let out = try s.call(
                "query_profile",
                [
                    "service": .string(where_), "mode": "top", "by": "total", "function": .string(function),
                    "from": .string(onset), "limit": 1,
                ])
            if let row = out["functions"]?.arrayValue?.first {
                let line =
                    "since the onset (\(r["onset"]?.stringValue ?? "?")): \(Self.percent(row["total"]?.doubleValue)) inclusive, "
                    + "\(Self.percent(row["self"]?.doubleValue)) self ≈ \(Self.fixed(row["cores"]?.doubleValue, 1)) cores, \(Self.fixed(row["watts"]?.doubleValue, 0)) W"
                lines.append("- " + line)
                s.note("query_profile", line)
            }
        }
        guard !lines.isEmpty else {
            return
                "No samples for \(names.map { "`\($0)`" }.joined(separator: ", ")) in \(services.joined(separator: ", ")) (names are matched exactly or by their last component)."
        }
        return "What it costs (over all stored profiles):\n" + lines.joined(separator: "\n")
    }
}
