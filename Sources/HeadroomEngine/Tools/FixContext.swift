import HeadroomCore
import HeadroomSkills
import HeadroomStore

/// What the fix tools (`generate_patch`, `propose_patch`, `validate_patch`, `deliver_patch`, `list_patches`,
/// `get_experiment_results`) and an agent's run work on, whichever engine holds the store: the SQLite store's
/// `ToolContext` gives one (`ToolContext.fixing`), and team mode builds one over the shared database.
public struct FixContext: Sendable {
    /// The store patches are read from and recorded in.
    public var store: any FixStore
    /// The skills folder (read_docs, list_skills, a target's skill).
    public var skillsRoot: String?
    /// Where PR descriptions go.
    public var outputDirectory: String
    /// The cost model behind cores and watts.
    public var costModel: CostModel
    /// Runs, looks and thresholds of `validate_patch`.
    public var validation: ValidationConfiguration
    /// Test and bench commands the operator set; no tool call can set one.
    public var commands: OperatorCommands
    /// Whether patches made through these tools are held by this process until its run ends (an agent's run).
    public var holdsNewPatches = false

    /// A context over `store`.
    public init(
        store: any FixStore, skillsRoot: String?, outputDirectory: String, costModel: CostModel = CostModel(),
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
    public func catalog() throws -> SkillCatalog { try Self.catalog(skillsRoot: skillsRoot) }

    /// The skills under `skillsRoot`, or a not-found error saying how to give a Skills folder.
    static func catalog(skillsRoot: String?) throws -> SkillCatalog {
        guard let skillsRoot else {
            throw HeadroomError(.notFound, "no Skills folder; pass --skills DIR or set HEADROOM_SKILLS")
        }
        return try SkillCatalog.load(root: skillsRoot)
    }

    /// The skills' accepted patches, the prior examples `read_docs` shows.
    func acceptedPatches(skill: String) throws -> [PatchRecord] {
        try store.patches(skill: skill, review: .applied, status: nil)
    }
}

extension ToolContext {
    /// The fix tools' context over this SQLite store, with the same settings.
    public var fixing: FixContext {
        var context = FixContext(
            store: store, skillsRoot: skillsRoot, outputDirectory: outputDirectory, costModel: costModel,
            validation: validation, commands: commands)
        context.holdsNewPatches = holdsNewPatches
        return context
    }
}
