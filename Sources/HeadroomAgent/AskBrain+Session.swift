import Foundation
import HeadroomCore
import HeadroomSkills

/// The tool session of one answer (calls cached and cited) and the lookups and wording the answers share.
extension AskBrain {
    struct Session {
        let registry: ToolRegistry
        var evidence: [Evidence] = []
        var cache: [String: JSONValue] = [:]

        /// Calls a tool once per input (later calls read the cache) and cites it.
        mutating func answer(_ tool: ToolName, _ input: JSONValue = [:]) throws -> JSONValue {
            let key = tool.rawValue + input.description
            if let hit = cache[key] { return hit }
            let output = try registry.call(tool.rawValue, input)
            cache[key] = output
            evidence.append(Evidence(tool: tool.rawValue, input: input, facts: []))
            return output
        }

        /// Calls a tool as ``answer(_:_:)`` does and reads the answer as the tool's declared type.
        mutating func call<Output>(_ signature: ToolSignature<Output>, _ input: JSONValue = [:]) throws -> Output {
            try ToolRegistry.decode(try answer(signature.name, input), as: signature)
        }

        mutating func note(_ tool: ToolName, _ fact: String) {
            note(tool.rawValue, fact)
        }

        mutating func note(_ tool: String, _ fact: String) {
            guard let i = evidence.lastIndex(where: { $0.tool == tool }) else { return }
            if !evidence[i].facts.contains(fact) { evidence[i].facts.append(fact) }
        }
    }

    /// Regressions (not improvements), largest rise in share first.
    func regressions(service: String?, _ s: inout Session) throws -> [RegressionReport] {
        var input: [String: JSONValue] = ["kind": "regression"]
        if let service { input["service"] = .string(service) }
        let rows = try s.call(.listRegressions, .object(input)).regressions
        return rows.sorted { rise($0) > rise($1) }
    }

    func rise(_ r: RegressionReport) -> Double { (r.after.finite ?? 0) - (r.before.finite ?? 0) }

    /// The regression the question names (`regression 3`, `#3`, or a function name), else the largest.
    func pick(_ question: String, service: String?, _ s: inout Session) throws -> RegressionReport? {
        let rows = try regressions(service: service, &s)
        if let match = question.range(
            of: #"(?:regression\s*#?|#)(\d+)"#, options: [.regularExpression, .caseInsensitive])
        {
            let digits = question[match].filter(\.isNumber)
            if let id = Int64(digits), let row = rows.first(where: { $0.id == id }) { return row }
        }
        let names = Self.identifiers(question)
        if let row = rows.first(where: { r in names.contains { FunctionRef.namesMatch(r.function, $0) } }) {
            return row
        }
        return rows.first
    }

    func culprits(_ id: Int64, _ s: inout Session) throws -> [RootCauseReport.Candidate] {
        let stored = try s.call(.getRegression, ["id": .number(Double(id))]).candidates
        if !stored.isEmpty { return stored }
        return try s.call(.rankRootCauses, ["regression": .number(Double(id)), "limit": 5]).candidates
    }

    /// Skills whose metadata matches the culprit's added code (as the fix agent ranks them).
    func suggestedSkills(regression r: RegressionReport, _ s: inout Session) -> [String] {
        guard let catalog, let id = r.id,
            let culprit = (try? culprits(id, &s))?.first(where: {
                $0.kind != .deploy
            })
        else { return [] }
        let brain = RuleBrain(registry: registry, catalog: catalog)
        guard let target = RuleBrain.target(function: r.function, file: r.file, culprit: culprit) else {
            return []
        }
        var added: [String] = []
        if let repository = (try? s.call(.rankRootCauses, ["regression": .number(Double(id)), "limit": 5]))?
            .repository,
            let change = try? s.call(.getChange, ["sha": .string(culprit.ref), "repository": .string(repository)])
        {
            added = change.commit.functions
                .filter { RuleBrain.short($0.name) == RuleBrain.short(target.function) }
                .flatMap(\.addedText)
        }
        let ranked = brain.rankSkills(
            kind: .regression, path: target.path, rising: [r.function + " " + (r.file ?? "")], added: added)
        let names = ranked.map { "\($0.skill.name) (\($0.why))" }
        s.note(.getChange, "skills by metadata: " + names.joined(separator: "; "))
        return names
    }

    static func describe(_ r: RegressionReport) -> String {
        // A function that appears from nothing has no relative change (null): it is new.
        let change = r.relativeChange.finite.map { "\($0 >= 0 ? "+" : "")\(fixed($0 * 100, 0))%" } ?? "new"
        // The same cores as `detect`: the change in share × the fleet's cores.
        let cores =
            r.cores.finite.map { value in
                ", \(value >= 0 ? "+" : "")\(fixed(value, 1)) cores at \(fixed(r.fleetCores.finite, 0)) fleet cores"
            } ?? ""
        return
            "#\(r.id ?? 0) `\(r.function)` (\(r.file ?? "?")) in "
            + "\(r.service): \(r.metric.rawValue) share of CPU "
            + "\(percent(r.before.finite)) → \(percent(r.after.finite)) (\(change)\(cores)), "
            + "onset \(r.onset), "
            + "p = \(String(format: "%.2g", r.pValue.finite ?? 1))"
    }

    static func describeCandidate(_ c: RootCauseReport.Candidate) -> String {
        "\(c.kind.rawValue) \(c.ref.prefix(12)) by \(c.author) "
            + "(“\(c.message)”, confidence \(fixed((c.confidence.finite ?? 0) * 100, 0))%)"
    }

    static func percent(_ share: Double?) -> String { fixed((share ?? 0) * 100, 2) + "%" }

    static func fixed(_ value: Double?, _ digits: Int) -> String { String(format: "%.\(digits)f", value ?? 0) }
}
