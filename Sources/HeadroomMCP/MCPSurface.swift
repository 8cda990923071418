import Foundation
import HeadroomCore
import HeadroomSkills
import MCP

/// What Headroom exposes over MCP, all from the one tool registry and the skills catalog:
/// - every registry tool, with its schemas and read-only / destructive / idempotent annotations;
/// - every skill as a prompt (arguments from its `headroom-arguments` front matter);
/// - resources: each skill's SKILL.md and references, and regressions and opportunities (read through the same
///   read-only tools, so MCP sees exactly what the CLI sees).
public struct MCPSurface: Sendable {
    public var registry: ToolRegistry
    public var catalog: SkillCatalog?
    public var version: String

    public init(registry: ToolRegistry, catalog: SkillCatalog?, version: String = "0.7.0") {
        self.registry = registry
        self.catalog = catalog
        self.version = version
    }

    public static let instructions = """
        Headroom finds and fixes performance waste from continuous-profiling data. Start with list_regressions or \
        list_opportunities; get_regression and rank_root_causes explain one regression (culprit commit, evidence); \
        query_profile answers what a function costs; the prompts are senior engineers' playbooks (skills). \
        generate_patch / validate_patch / deliver_patch make a fix on a new branch only, after guardrails and an A/B \
        benchmark.
        """

    // MARK: tools

    var tools: [MCP.Tool] {
        registry.tools.map { tool in
            MCP.Tool(
                name: tool.name, title: Self.title(tool.name), description: tool.description,
                inputSchema: ValueBridge.value(tool.inputSchema),
                annotations: .init(
                    title: Self.title(tool.name),
                    readOnlyHint: tool.annotations.readOnly,
                    destructiveHint: tool.annotations.readOnly ? false : tool.annotations.destructive,
                    idempotentHint: tool.annotations.idempotent,
                    openWorldHint: tool.annotations.openWorld),
                outputSchema: ValueBridge.value(Self.nullable(tool.outputSchema)))
        }
    }

    /// Unknown tool → JSON-RPC invalid params (a protocol error). Bad arguments and failures inside the tool → a
    /// result with `isError` and one line saying what was wrong, so a model can correct itself.
    func call(_ params: CallTool.Parameters) async throws -> CallTool.Result {
        guard registry.tool(named: params.name) != nil else {
            throw MCPError.invalidParams(
                "unknown tool \(params.name) (tools: \(registry.tools.map(\.name).joined(separator: ", ")))")
        }
        let arguments = JSONValue.object((params.arguments ?? [:]).mapValues(ValueBridge.json))
        let registry = self.registry
        do {
            let output = try await AsyncBridge.offPool { try registry.call(params.name, arguments) }
            return CallTool.Result(
                content: [.text(text: Self.text(output), annotations: nil, _meta: nil)],
                structuredContent: Optional<Value>.some(ValueBridge.value(output)), isError: false)
        } catch {
            return CallTool.Result(
                content: [.text(text: HeadroomError.oneLine(error), annotations: nil, _meta: nil)], isError: true)
        }
    }

    // MARK: prompts

    var prompts: [Prompt] {
        (catalog?.skills ?? []).map { skill in
            Prompt(
                name: skill.name, title: Self.title(skill.name), description: skill.description,
                arguments: skill.arguments.map {
                    Prompt.Argument(name: $0.name, description: $0.description, required: false)
                })
        }
    }

    func prompt(_ params: GetPrompt.Parameters) throws -> GetPrompt.Result {
        guard let skill = catalog?.skill(named: params.name) else {
            throw MCPError.invalidParams(
                "unknown prompt \(params.name) (prompts: \((catalog?.skills ?? []).map(\.name).joined(separator: ", ")))"
            )
        }
        let known = Set(skill.arguments.map(\.name))
        if let extra = params.arguments?.keys.sorted().first(where: { !known.contains($0) }) {
            throw MCPError.invalidParams(
                "prompt \(skill.name) has no argument `\(extra)` (arguments: \(known.sorted().joined(separator: ", ")))"
            )
        }
        var lines = ["Use Headroom's `\(skill.name)` skill.", ""]
        let given = (params.arguments ?? [:]).sorted { $0.key < $1.key }
        if !given.isEmpty {
            lines.append("Target:")
            lines += given.map { "- \($0.key): \($0.value)" }
            lines.append("")
        }
        lines += ["Follow these instructions; call the Headroom tools they name.", "", skill.instructions]
        return GetPrompt.Result(
            description: skill.description,
            messages: [.user(.text(text: lines.joined(separator: "\n")))])
    }

    // MARK: helpers

    static func title(_ name: String) -> String {
        name.split(whereSeparator: { $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined(separator: " ")
    }

    static func text(_ output: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(output), as: UTF8.self)) ?? output.description
    }

    /// Output schemas document fields a result may leave null (no culprit yet, no validation), so each top-level
    /// property also admits null: clients that check structured content against the schema accept real answers.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var fields) = schema, case .object(let properties)? = fields["properties"] else {
            return schema
        }
        fields["properties"] = .object(
            properties.mapValues { property in
                guard case .object(var p) = property, let type = p["type"]?.stringValue else { return property }
                p["type"] = [.string(type), "null"]
                return .object(p)
            })
        return .object(fields)
    }
}
