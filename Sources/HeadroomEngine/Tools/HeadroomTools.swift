import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomStore

/// What the tools work on.
public struct ToolContext: Sendable {
    /// The store the tools read and write.
    public var store: Store
    /// The skills folder (read_docs, list_skills, opportunity → skill).
    public var skillsRoot: String?
    /// Where PR descriptions go.
    public var outputDirectory: String
    /// The cost model behind cores and watts.
    public var costModel: CostModel
    /// Runs, looks and thresholds of `validate_patch`.
    public var validation: ValidationConfiguration
    /// Test and bench commands the operator set (`fix --test/--bench`); they override the target repository's
    /// `headroom.toml`. Commands come only from these two places: no tool call (from an MCP client or a model)
    /// can set one.
    public var commands: OperatorCommands
    /// Whether patches made through these tools are held by this process until its run ends (an agent's run), so
    /// an interrupted run's patches end `cancelled` rather than `proposed`.
    public var holdsNewPatches = false

    /// A context over `store`.
    public init(
        store: Store, skillsRoot: String?, outputDirectory: String, costModel: CostModel = CostModel(),
        validation: ValidationConfiguration = ValidationConfiguration(), commands: OperatorCommands = OperatorCommands()
    ) {
        self.store = store
        self.skillsRoot = skillsRoot
        self.outputDirectory = outputDirectory
        self.costModel = costModel
        self.validation = validation
        self.commands = commands
    }

    /// The skills under `skillsRoot`, or a not-found error when no Skills folder was given.
    public func catalog() throws -> SkillCatalog { try FixContext.catalog(skillsRoot: skillsRoot) }
}

/// The commands an operator gave on the command line or in the server's configuration.
public struct OperatorCommands: Sendable, Equatable {
    /// `--test`: overrides the repository's test command.
    public var test: String?
    /// `--bench`: overrides the repository's benchmark command.
    public var bench: String?
    /// Commands from their fields.
    public init(test: String? = nil, bench: String? = nil) {
        self.test = test
        self.bench = bench
    }
}

/// Headroom's tools, each doing one thing; the CLI, the agents and the MCP server all call them through this one
/// registry.
public enum HeadroomTools {
    /// Every tool over `context`.
    public static func registry(_ context: ToolContext) -> ToolRegistry {
        ToolRegistry(
            profileTools(context) + changeTools(context) + skillTools(context) + patchTools(context.fixing)
                + programTools(store: context.store, costModel: context.costModel))
    }

    // Argument helpers shared by the tool files.
    static func int64(_ args: JSONValue, _ key: String) throws -> Int64 {
        guard let value = args[key]?.doubleValue, value.rounded() == value, let exact = Int64(exactly: value) else {
            throw HeadroomError(.badInput, "argument `\(key)` must be an integer")
        }
        return exact
    }
    static func string(_ args: JSONValue, _ key: String) -> String? { args[key]?.stringValue }
    static func time(_ args: JSONValue, _ key: String) throws -> Int64? {
        switch args[key] {
        case .number(let n)?:
            guard let t = Timestamps.parse(String(n)) else {
                throw HeadroomError(.badInput, "`\(key)`: \(n) is not a time (Unix seconds of years 1 to 9999)")
            }
            return t
        case .string(let s)?:
            guard let t = Timestamps.parse(s) else { throw HeadroomError(.badInput, "`\(key)`: '\(s)' is not a time") }
            return t
        default: return nil
        }
    }
    /// A time: ISO-8601 UTC text or Unix seconds (string or number), so no single JSON type.
    static let timeSchema: JSONValue = ["description": "ISO-8601 UTC time or Unix seconds"]
}
