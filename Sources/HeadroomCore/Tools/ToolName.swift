/// Every tool Headroom offers, by its wire name: the CLI, both brains, the MCP server and the HTTP API name tools
/// through this enum, so a renamed tool is a compile error rather than a "no tool named" at run time.
public enum ToolName: String, CaseIterable, Sendable, Codable {
    case queryProfile = "query_profile"
    case listServices = "list_services"
    case listRegressions = "list_regressions"
    case getRegression = "get_regression"
    case triageRegression = "triage_regression"
    case rankRootCauses = "rank_root_causes"
    case getChange = "get_change"
    case configHistory = "config_history"
    case searchCode = "search_code"
    case listSkills = "list_skills"
    case readDocs = "read_docs"
    case getExperimentResults = "get_experiment_results"
    case listOpportunities = "list_opportunities"
    case generatePatch = "generate_patch"
    case proposePatch = "propose_patch"
    case validatePatch = "validate_patch"
    case deliverPatch = "deliver_patch"
    case listPatches = "list_patches"
    case rejectPatch = "reject_patch"
    case getMetrics = "get_metrics"
    case getExperiment = "get_experiment"
    case planCapacity = "plan_capacity"
    case getInbox = "get_inbox"
}

/// A tool's name together with the one Codable type its answers have. Tools are declared with it (the handler must
/// return that type) and callers in Swift call through it (they get that type back, decoded), so the producer and
/// every consumer of a tool's output share one definition: a renamed field fails to compile or to decode, it never
/// silently reads as 0.
///
/// Every answer type (in `Answers/`) writes snake_case keys whatever the encoder; a number that is not finite is
/// `null`; times are ISO-8601 UTC text, except `Commit.time` in ``ChangeReport``, which keeps the stored Unix seconds.
/// Fields may be added, never renamed.
///
/// `query_profile` answers in three shapes, one per mode; it is declared with `JSONValue` and read through
/// ``ToolSignature/queryTop``, ``ToolSignature/queryDiff`` and ``ToolSignature/queryFlame``.
public struct ToolSignature<Output: Codable & Sendable>: Sendable {
    /// The tool's wire name.
    public let name: ToolName

    /// A signature; only the static members below create them, one per tool (and per `query_profile` mode).
    init(_ name: ToolName) { self.name = name }
}

extension ToolSignature {
    /// `query_profile`, any mode, as JSON (its declaration).
    public static var queryProfile: ToolSignature<JSONValue> { .init(.queryProfile) }
    /// `query_profile` with `mode: top`.
    public static var queryTop: ToolSignature<TopReport> { .init(.queryProfile) }
    /// `query_profile` with `mode: diff`.
    public static var queryDiff: ToolSignature<DiffReport> { .init(.queryProfile) }
    /// `query_profile` with `mode: flame`.
    public static var queryFlame: ToolSignature<FlameReport> { .init(.queryProfile) }
    /// `list_services`.
    public static var listServices: ToolSignature<ServiceList> { .init(.listServices) }
    /// `list_regressions`.
    public static var listRegressions: ToolSignature<RegressionList> { .init(.listRegressions) }
    /// `get_regression`.
    public static var getRegression: ToolSignature<RegressionDetail> { .init(.getRegression) }
    /// `triage_regression`: the regression with its new verdict.
    public static var triageRegression: ToolSignature<RegressionReport> { .init(.triageRegression) }
    /// `rank_root_causes`.
    public static var rankRootCauses: ToolSignature<RootCauseReport> { .init(.rankRootCauses) }
    /// `get_change`.
    public static var getChange: ToolSignature<ChangeReport> { .init(.getChange) }
    /// `config_history`.
    public static var configHistory: ToolSignature<ConfigChangeList> { .init(.configHistory) }
    /// `search_code`.
    public static var searchCode: ToolSignature<CodeSearchReport> { .init(.searchCode) }
    /// `list_skills`.
    public static var listSkills: ToolSignature<SkillList> { .init(.listSkills) }
    /// `read_docs`.
    public static var readDocs: ToolSignature<SkillDocsReport> { .init(.readDocs) }
    /// `get_experiment_results`.
    public static var getExperimentResults: ToolSignature<ExperimentList> { .init(.getExperimentResults) }
    /// `list_opportunities`.
    public static var listOpportunities: ToolSignature<OpportunityList> { .init(.listOpportunities) }
    /// `get_metrics`: the program's figures (`headroom metrics`).
    public static var getMetrics: ToolSignature<MetricsReport> { .init(.getMetrics) }
    /// `get_experiment`: profiles compared by label, per function, with significance (`headroom experiment`).
    public static var getExperiment: ToolSignature<ExperimentReport> { .init(.getExperiment) }
    /// `plan_capacity`: a service's measured cores forecast with intervals (`headroom plan`).
    public static var planCapacity: ToolSignature<CapacityPlanReport> { .init(.planCapacity) }
    /// `get_inbox`: what waits for one person (`headroom inbox`).
    public static var getInbox: ToolSignature<InboxReport> { .init(.getInbox) }
    /// `generate_patch`: the patch proposed, or refused with its reason.
    public static var generatePatch: ToolSignature<PatchReport> { .init(.generatePatch) }
    /// `propose_patch`: a model's own edit, through the same guardrails.
    public static var proposePatch: ToolSignature<PatchReport> { .init(.proposePatch) }
    /// `validate_patch`: the patch with its tests and A/B benchmark.
    public static var validatePatch: ToolSignature<PatchReport> { .init(.validatePatch) }
    /// `deliver_patch`: the patch on its branch, with its PR description.
    public static var deliverPatch: ToolSignature<PatchReport> { .init(.deliverPatch) }
    /// `list_patches`.
    public static var listPatches: ToolSignature<PatchList> { .init(.listPatches) }
    /// `reject_patch`.
    public static var rejectPatch: ToolSignature<PatchRejection> { .init(.rejectPatch) }
}
