import Foundation
import HeadroomCore
import HeadroomLLM
import HeadroomSkills
import HeadroomStore

/// Team mode's tools: what `serve --database` and `mcp --database` answer with over the shared database.
extension TeamDatabase {
    /// The tools over the shared database, each the same tool with the same answers as the SQLite store's:
    /// services, regressions, verdicts and root causes; commits, configuration history and code search; profile
    /// queries (`query_profile`); opportunities (`list_opportunities`, scanning a registered repository that is on
    /// this machine); patches (`generate_patch`, `propose_patch`, `validate_patch`, `deliver_patch`, `list_patches`,
    /// `get_experiment_results`, on repositories that are on this machine); the program's figures (`get_metrics`);
    /// and, with a skills folder, the skills' documents with their accepted patches as examples. The inbox, plans
    /// and experiments by label are not served in team mode yet, so their tools are absent (an MCP client's tool
    /// list says what is there).
    ///
    /// Every handler waits for its queries (`AsyncBridge.blocking`): callers run them off the cooperative pool,
    /// as the MCP surface and the API do.
    public func toolRegistry(
        costModel: CostModel = CostModel(), skillsRoot: String? = nil, outputDirectory: String? = nil
    ) -> ToolRegistry {
        toolRegistry(
            fixing: fixContext(skillsRoot: skillsRoot, outputDirectory: outputDirectory, costModel: costModel))
    }

    /// The tools over the shared database with `fixing`'s settings (skills, PR descriptions, validation, commands).
    public func toolRegistry(fixing: FixContext) -> ToolRegistry {
        let store = changeStore
        var tools =
            [HeadroomTools.queryProfileTool(profileQueries(costModel: fixing.costModel))]
            + HeadroomTools.regressionTools(store: store, costModel: fixing.costModel)
            + HeadroomTools.changeTools(store: store)
        tools += HeadroomTools.opportunityTools(store: store, costModel: fixing.costModel, catalog: fixing.catalog)
        if fixing.skillsRoot != nil {
            tools += HeadroomTools.docTools(catalog: fixing.catalog, examples: fixing.acceptedPatches(skill:))
        }
        tools += [HeadroomTools.experimentTool(store: store)] + HeadroomTools.patchTools(fixing)
        tools += HeadroomTools.programTools(store: store, costModel: fixing.costModel)
        return ToolRegistry(tools)
    }

    /// An agent over the shared database's tools with `fixing`'s settings: what a worker's fix job and `fix` /
    /// `resolve --database` run.
    public func agent(
        fixing: FixContext, validation: [String: JSONValue] = [:], llm: LLMConfiguration? = nil
    ) -> AgentService {
        let database = self
        return AgentService(
            fixing: fixing, registry: { database.toolRegistry(fixing: $0) }, validation: validation, llm: llm)
    }

    /// The fix tools' context over the shared database; PR descriptions go to `outputDirectory`, by default
    /// `headroom-prs` under the working directory.
    public func fixContext(
        skillsRoot: String?, outputDirectory: String?, costModel: CostModel = CostModel(),
        validation: ValidationConfiguration = ValidationConfiguration(), commands: OperatorCommands = OperatorCommands()
    ) -> FixContext {
        let directory =
            outputDirectory
            ?? (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("headroom-prs")
        return FixContext(
            store: changeStore, skillsRoot: skillsRoot, outputDirectory: directory, costModel: costModel,
            validation: validation, commands: commands)
    }

    /// `query_profile`'s three queries over the shared database, each after compacting the service's log.
    func profileQueries(costModel: CostModel) -> ProfileQueryEngine {
        let database = self
        return ProfileQueryEngine(
            top: { service, range, byTotal, limit, function in
                try AsyncBridge.blocking {
                    try await database.top(
                        service: service, range: range, byTotal: byTotal, limit: limit, function: function,
                        costs: costModel)
                }
            },
            diff: { service, before, after, byTotal, limit in
                try AsyncBridge.blocking {
                    try await database.diff(
                        service: service, before: before, after: after, byTotal: byTotal, label: nil, alpha: 0.001,
                        limit: limit)
                }
            },
            flame: { service, range, limit in
                try AsyncBridge.blocking {
                    try await database.heaviestStacks(service: service, range: range, limit: limit)
                }
            })
    }

    /// The `limit` heaviest stacks of a range, heaviest first; ties in the order of their frames' names (the SQLite
    /// store breaks them by its own stack ids, which another engine does not share).
    public func heaviestStacks(service: String, range: TimeRange, limit: Int) async throws -> FlameReport {
        try await compacted(service)
        try await ProfileQueries.requireService(service, in: profiles)
        let found = try await profiles.stacks(service: service, from: range.from, to: range.to, label: nil)
        let stacks = found.stacks.map {
            FlameReport.Stack(frames: $0.frames.map(\.name).joined(separator: ";"), samples: $0.samples)
        }
        .sorted { ($0.samples, $1.frames) > ($1.samples, $0.frames) }
        return FlameReport(totalSamples: found.totalSamples, stacks: Array(stacks.prefix(limit)))
    }
}
