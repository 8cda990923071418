import Foundation
import HeadroomCore
import HeadroomSkills

/// The tool session of one answer (calls cached and cited) and the lookups and wording the answers share.
extension AskBrain {
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
}
