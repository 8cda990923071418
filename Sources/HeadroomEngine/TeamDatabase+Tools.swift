import HeadroomCore
import HeadroomSkills
import HeadroomStore

/// Team mode's tools: what `serve --database` and `mcp --database` answer with over the shared database.
extension TeamDatabase {
    /// The tools over the shared database, each the same tool with the same answers as the SQLite store's:
    /// services, regressions, verdicts and root causes; commits, configuration history and code search; profile
    /// queries (`query_profile`); opportunities (`list_opportunities`, scanning a registered repository that is on
    /// this machine); and, with a skills folder, the skills' documents (and the skills opportunities are matched
    /// to). Patches and the program's records are not held in team mode yet, so their tools are absent (an MCP
    /// client's tool list says what is there).
    ///
    /// Every handler waits for its queries (`AsyncBridge.blocking`): callers run them off the cooperative pool,
    /// as the MCP surface and the API do.
    public func toolRegistry(costModel: CostModel = CostModel(), skillsRoot: String? = nil) -> ToolRegistry {
        let store = changeStore
        var tools =
            [HeadroomTools.queryProfileTool(profileQueries(costModel: costModel))]
            + HeadroomTools.regressionTools(store: store, costModel: costModel)
            + HeadroomTools.changeTools(store: store)
        let catalog: @Sendable () throws -> SkillCatalog = {
            guard let skillsRoot else { throw HeadroomError(.notFound, "no skills folder (--skills)") }
            return try SkillCatalog.load(root: skillsRoot)
        }
        tools += HeadroomTools.opportunityTools(store: store, costModel: costModel, catalog: catalog)
        if let skillsRoot {
            tools += HeadroomTools.docTools(catalog: { try SkillCatalog.load(root: skillsRoot) }, examples: { _ in [] })
        }
        return ToolRegistry(tools)
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
