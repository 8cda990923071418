import Foundation
import HeadroomCore
import HeadroomSkills
import MCP

/// Resources, all read through the registry's read-only tools:
/// - `headroom://skills/NAME/SKILL.md`, `headroom://skills/NAME/references/FILE`, `headroom://skills/NAME/examples/patch-N`
/// - `headroom://regressions`, `headroom://regressions/ID`
/// - `headroom://opportunities`, `headroom://opportunities/ID`, where the registry has `list_opportunities`
extension MCPSurface {
    static let scheme = "headroom://"

    /// Whether the registry lists opportunities (the SQLite store's and team mode's do).
    var hasOpportunities: Bool { registry.tool(named: ToolName.listOpportunities.rawValue) != nil }

    var resourceTemplates: [Resource.Template] {
        let all: [Resource.Template] = [
            .init(
                uriTemplate: "headroom://regressions/{id}", name: "regression", title: "Regression",
                description:
                    "One detected regression: function, share before and after, onset, event members, root-cause candidates.",
                mimeType: "application/json"),
            .init(
                uriTemplate: "headroom://opportunities/{id}", name: "opportunity", title: "Opportunity",
                description:
                    "One efficiency opportunity: target, measured cost, proposed pattern, estimated savings, prior examples.",
                mimeType: "application/json"),
            .init(
                uriTemplate: "headroom://skills/{name}/SKILL.md", name: "skill", title: "Skill instructions",
                description: "A skill's SKILL.md.", mimeType: "text/markdown"),
        ]
        return hasOpportunities ? all : all.filter { $0.name != "opportunity" }
    }

    func resources() async throws -> [Resource] {
        var list: [Resource] = [
            Resource(
                name: "regressions", uri: "headroom://regressions", title: "Regressions",
                description: "Every detected regression and improvement in the store.", mimeType: "application/json")
        ]
        if hasOpportunities {
            list.append(
                Resource(
                    name: "opportunities", uri: "headroom://opportunities", title: "Opportunities",
                    description: "Efficiency opportunities ranked by estimated savings.", mimeType: "application/json"))
        }
        for skill in catalog?.skills ?? [] {
            list.append(
                Resource(
                    name: "\(skill.name)/SKILL.md", uri: "headroom://skills/\(skill.name)/SKILL.md",
                    title: "\(skill.name) skill", description: skill.description, mimeType: "text/markdown"))
            for reference in skill.references {
                list.append(
                    Resource(
                        name: "\(skill.name)/\(reference)", uri: "headroom://skills/\(skill.name)/\(reference)",
                        description: "Reference for the \(skill.name) skill.", mimeType: Self.mime(reference)))
            }
        }
        let registry = self.registry
        let opportunities = hasOpportunities
        let listed = try await AsyncBridge.offPool { () -> (RegressionList, OpportunityList) in
            (
                try registry.call(.listRegressions),
                opportunities
                    ? try registry.call(.listOpportunities, ["limit": 200]) : OpportunityList(opportunities: [])
            )
        }
        for r in listed.0.regressions.prefix(200) {
            guard let id = r.id else { continue }
            list.append(
                Resource(
                    name: "regression-\(id)", uri: "headroom://regressions/\(id)",
                    title: "Regression \(id): \(r.function)",
                    description: "\(r.kind.rawValue) of \(r.function) in \(r.service)",
                    mimeType: "application/json"))
        }
        for o in listed.1.opportunities {
            guard let id = o.id else { continue }
            list.append(
                Resource(
                    name: "opportunity-\(id)", uri: "headroom://opportunities/\(id)",
                    title: "Opportunity \(id): \(o.pattern) in \(o.function)",
                    mimeType: "application/json"))
        }
        return list
    }

    func read(_ uri: String) async throws -> ReadResource.Result {
        guard uri.hasPrefix(Self.scheme) else { throw MCPError.invalidParams("not a Headroom resource: \(uri)") }
        let parts = uri.dropFirst(Self.scheme.count).split(separator: "/", omittingEmptySubsequences: false).map(
            String.init)
        let call: (ToolName, JSONValue)
        var isText = false
        switch (parts.first, parts.count) {
        case ("regressions", 1): call = (.listRegressions, [:])
        case ("regressions", 2): call = (.getRegression, ["id": .number(try Self.id(parts[1], uri))])
        case ("opportunities", _) where !hasOpportunities:
            throw MCPError.invalidParams("\(uri): opportunities are not kept in team mode's database yet")
        case ("opportunities", 1): call = (.listOpportunities, ["limit": 200])
        case ("opportunities", 2): call = (.listOpportunities, ["id": .number(try Self.id(parts[1], uri))])
        case ("skills", 3...) where parts[2] == "SKILL.md" && parts.count == 3:
            call = (.readDocs, ["skill": .string(parts[1])])
            isText = true
        case ("skills", 4...):
            call = (.readDocs, ["skill": .string(parts[1]), "reference": .string(parts[2...].joined(separator: "/"))])
            isText = true
        default: throw MCPError.invalidParams("no resource \(uri)")
        }
        let registry = self.registry
        let output: JSONValue
        do {
            output = try await AsyncBridge.offPool { try registry.call(call.0.rawValue, call.1) }
        } catch {
            throw MCPError.invalidParams("\(uri): \(HeadroomError.oneLine(error))")
        }
        if isText {
            let docs = try ToolRegistry.decode(output, as: .readDocs)
            return .init(contents: [.text(docs.text ?? "", uri: uri, mimeType: Self.mime(uri))])
        }
        var body = output
        if parts.first == "opportunities", parts.count == 2 {
            guard let one = try ToolRegistry.decode(output, as: .listOpportunities).opportunities.first else {
                throw MCPError.invalidParams("no resource \(uri)")
            }
            body = try JSONValue(encoding: one)
        }
        return .init(contents: [.text(Self.text(body), uri: uri, mimeType: "application/json")])
    }

    static func id(_ text: String, _ uri: String) throws -> Double {
        guard let id = Int(text), id >= 1 else { throw MCPError.invalidParams("\(uri): `\(text)` is not an id") }
        return Double(id)
    }

    static func mime(_ path: String) -> String {
        path.hasSuffix(".md") || path.contains("/examples/") ? "text/markdown" : "text/plain"
    }
}
