import Foundation
import HeadroomCore
import HeadroomSkills

/// The offline assistant behind `headroom ask`: recognises the common questions (what regressed, why, what to do,
/// where the biggest opportunities are, what a function costs), answers each from the tools, and cites every tool
/// call it used with the facts it took from it.
public struct AskBrain: Sendable {
    public var registry: ToolRegistry
    public var catalog: SkillCatalog?

    public init(registry: ToolRegistry, catalog: SkillCatalog?) {
        self.registry = registry
        self.catalog = catalog
    }

    public enum Intent: String, Sendable, Codable, CaseIterable {
        case regressed, why, whatToDo = "what_to_do", opportunities, cost
    }

    public struct Evidence: Sendable, Encodable {
        public var tool: String
        public var input: JSONValue
        public var facts: [String]

        public init(tool: String, input: JSONValue, facts: [String]) {
            self.tool = tool
            self.input = input
            self.facts = facts
        }
    }

    public struct Answer: Sendable, Encodable {
        public var question: String
        public var intents: [Intent]
        public var text: String
        public var evidence: [Evidence]
        public var brain: String

        public init(question: String, intents: [Intent], text: String, evidence: [Evidence], brain: String) {
            self.question = question
            self.intents = intents
            self.text = text
            self.evidence = evidence
            self.brain = brain
        }
    }

    /// Which questions the text asks, in answering order; none recognised means an overview (what regressed and
    /// the biggest opportunities).
    public static func intents(_ question: String) -> [Intent] {
        let q = " " + question.lowercased() + " "
        func has(_ words: [String]) -> Bool { words.contains { q.contains($0) } }
        var found: [Intent] = []
        if has(["regress", "slower", "what changed", "got worse", "worse", "spike", "went up", "increase"]) {
            found.append(.regressed)
        }
        if has(["why", "culprit", "cause", "blame", "who ", "which commit", "what commit", "responsible"]) {
            found.append(.why)
        }
        if has([
            "what to do", "what should", "what do we do", "what can we do", "fix", "mitigat", "how do i", "how do we",
            "next step", "patch", "remed",
        ]) {
            found.append(.whatToDo)
        }
        if has(["opportunit", "biggest", "savings", "save ", "waste", "optimi", "where can", "low-hanging", "cheaper"])
        {
            found.append(.opportunities)
        }
        if has(["cost", "how much", "expensive", "share of", "spend", "cpu does", "cpu of", "cores", "watts"]) {
            found.append(.cost)
        }
        return found.isEmpty ? [.regressed, .opportunities] : found
    }

    public func answer(_ question: String, service: String? = nil) -> Answer {
        var session = Session(registry: registry)
        let intents = Self.intents(question)
        var sections: [String] = []
        for intent in intents {
            do {
                switch intent {
                case .regressed: sections.append(try regressed(question, service: service, &session))
                case .why: sections.append(try why(question, service: service, &session))
                case .whatToDo: sections.append(try whatToDo(question, service: service, &session))
                case .opportunities: sections.append(try opportunities(service: service, &session))
                case .cost: sections.append(try cost(question, service: service, &session))
                }
            } catch {
                sections.append("(\(intent.rawValue)) I could not answer: \(HeadroomError.oneLine(error))")
            }
        }
        return Answer(
            question: question, intents: intents, text: sections.joined(separator: "\n\n"),
            evidence: session.evidence, brain: "rules")
    }

    // MARK: the questions

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

    // MARK: helpers

    struct Session {
        let registry: ToolRegistry
        var evidence: [Evidence] = []
        var cache: [String: JSONValue] = [:]

        mutating func call(_ tool: String, _ input: JSONValue = [:]) throws -> JSONValue {
            let key = tool + input.description
            if let hit = cache[key] { return hit }
            let output = try registry.call(tool, input)
            cache[key] = output
            evidence.append(Evidence(tool: tool, input: input, facts: []))
            return output
        }

        mutating func note(_ tool: String, _ fact: String) {
            guard let i = evidence.lastIndex(where: { $0.tool == tool }) else { return }
            if !evidence[i].facts.contains(fact) { evidence[i].facts.append(fact) }
        }
    }

    /// Regressions (not improvements), largest rise in share first.
    func regressions(service: String?, _ s: inout Session) throws -> [JSONValue] {
        var input: [String: JSONValue] = ["kind": "regression"]
        if let service { input["service"] = .string(service) }
        let rows = try s.call("list_regressions", .object(input))["regressions"]?.arrayValue ?? []
        return rows.sorted { rise($0) > rise($1) }
    }

    func rise(_ r: JSONValue) -> Double { (r["after"]?.doubleValue ?? 0) - (r["before"]?.doubleValue ?? 0) }

    /// The regression the question names (`regression 3`, `#3`, or a function name), else the largest.
    func pick(_ question: String, service: String?, _ s: inout Session) throws -> JSONValue? {
        let rows = try regressions(service: service, &s)
        if let match = question.range(
            of: #"(?:regression\s*#?|#)(\d+)"#, options: [.regularExpression, .caseInsensitive])
        {
            let digits = question[match].filter(\.isNumber)
            if let id = Int(digits), let row = rows.first(where: { $0["id"]?.intValue == id }) { return row }
        }
        let names = Self.identifiers(question)
        if let row = rows.first(where: { r in
            names.contains { FunctionRef.namesMatch(r["function"]?.stringValue ?? "", $0) }
        }) {
            return row
        }
        return rows.first
    }

    func culprits(_ id: Int, _ s: inout Session) throws -> [JSONValue] {
        let stored = try s.call("get_regression", ["id": .number(Double(id))])["candidates"]?.arrayValue ?? []
        if !stored.isEmpty { return stored }
        return try s.call("rank_root_causes", ["regression": .number(Double(id)), "limit": 5])["candidates"]?.arrayValue
            ?? []
    }

    /// Skills whose metadata matches the culprit's added code (as the fix agent ranks them).
    func suggestedSkills(regression r: JSONValue, _ s: inout Session) -> [String] {
        guard let catalog, let id = r["id"]?.intValue,
            let culprit = (try? culprits(id, &s))?.first(where: { $0["kind"]?.stringValue != "deploy" }),
            let sha = culprit["ref"]?.stringValue
        else { return [] }
        let brain = RuleBrain(registry: registry, catalog: catalog)
        let function = r["function"]?.stringValue ?? ""
        guard let target = RuleBrain.target(function: function, file: r["file"]?.stringValue, culprit: culprit) else {
            return []
        }
        var added: [String] = []
        if let repository = (try? s.call("rank_root_causes", ["regression": .number(Double(id)), "limit": 5]))?[
            "repository"]?.stringValue,
            let change = try? s.call("get_change", ["sha": .string(sha), "repository": .string(repository)])
        {
            added = (change["functions"]?.arrayValue ?? [])
                .filter { RuleBrain.short($0["name"]?.stringValue ?? "") == RuleBrain.short(target.function) }
                .flatMap { $0["added_text"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        }
        let ranked = brain.rankSkills(
            kind: "regression", path: target.path, rising: [function + " " + (r["file"]?.stringValue ?? "")],
            added: added)
        let names = ranked.map { "\($0.skill.name) (\($0.why))" }
        s.note("get_change", "skills by metadata: " + names.joined(separator: "; "))
        return names
    }

    static func describe(_ r: JSONValue) -> String {
        // A function that appears from nothing has no relative change (null): it is new.
        let change = r["relative_change"]?.doubleValue.map { "\($0 >= 0 ? "+" : "")\(fixed($0 * 100, 0))%" } ?? "new"
        // The same cores as `detect`: the change in share × the fleet's cores.
        let cores =
            r["cores"]?.doubleValue.map { value in
                ", \(value >= 0 ? "+" : "")\(fixed(value, 1)) cores at \(fixed(r["fleet_cores"]?.doubleValue, 0)) fleet cores"
            } ?? ""
        return
            "#\(r["id"]?.intValue ?? 0) `\(r["function"]?.stringValue ?? "?")` (\(r["file"]?.stringValue ?? "?")) in "
            + "\(r["service"]?.stringValue ?? "?"): \(r["metric"]?.stringValue ?? "self") share of CPU "
            + "\(percent(r["before"]?.doubleValue)) → \(percent(r["after"]?.doubleValue)) (\(change)\(cores)), "
            + "onset \(r["onset"]?.stringValue ?? "?"), "
            + "p = \(String(format: "%.2g", r["p_value"]?.doubleValue ?? 1))"
    }

    static func describeCandidate(_ c: JSONValue) -> String {
        let ref = c["ref"]?.stringValue ?? "?"
        return "\(c["kind"]?.stringValue ?? "change") \(ref.prefix(12)) by \(c["author"]?.stringValue ?? "?") "
            + "(“\(c["message"]?.stringValue ?? "")”, confidence \(fixed((c["confidence"]?.doubleValue ?? 0) * 100, 0))%)"
    }

    static func percent(_ share: Double?) -> String { fixed((share ?? 0) * 100, 2) + "%" }

    static func fixed(_ value: Double?, _ digits: Int) -> String { String(format: "%.\(digits)f", value ?? 0) }

    /// Words that look like code names: backticked text, or identifiers with `_`, `.` or `()`.
    static func identifiers(_ question: String) -> [String] {
        var names: [String] = []
        let backticked = question.split(separator: "`", omittingEmptySubsequences: false)
        if backticked.count > 2 {
            for (i, part) in backticked.enumerated() where i % 2 == 1 && !part.isEmpty { names.append(String(part)) }
        }
        for raw in question.split(whereSeparator: {
            $0.isWhitespace || $0 == "," || $0 == "?" || $0 == "`" || $0 == "'" || $0 == "\""
        }) {
            var word = String(raw).trimmingCharacters(in: CharacterSet(charactersIn: ".:;!"))
            if word.hasSuffix("()") { word.removeLast(2) }
            guard word.range(of: #"^[A-Za-z_][A-Za-z0-9_.]*$"#, options: .regularExpression) != nil,
                word.contains("_") || word.contains(".") || raw.hasSuffix("()")
            else { continue }
            if !names.contains(word) { names.append(word) }
        }
        return names
    }

}
