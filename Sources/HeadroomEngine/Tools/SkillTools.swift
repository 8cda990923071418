import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomStore

extension HeadroomTools {
    static func skillTools(_ context: ToolContext) -> [Tool] {
        let fixing = context.fixing
        return docTools(catalog: context.catalog, examples: fixing.acceptedPatches(skill:))
            + [experimentTool(store: context.store)]
            + opportunityTools(store: context.store, costModel: context.costModel, catalog: context.catalog)
    }

    /// `get_experiment_results`: the A/B records of validated patches, over either engine's store.
    public static func experimentTool(store: any PatchStore) -> Tool {
        Tool(
            .getExperimentResults,
            description:
                "A/B benchmark records of validated patches: speed-up (median before/after), 95% CI, Mann–Whitney p-value and the level it had to meet, runs and medians.",
            inputSchema: Schema.object([
                "patch": Schema.integer("only this patch", minimum: 1),
                "skill": Schema.string("only this skill"),
            ]),
            outputSchema: Schema.output(["experiments": Schema.array(Schema.any)]),
            annotations: .readOnly
        ) { args in
            let patches =
                try args["patch"] != nil
                ? [store.patch(id: try int64(args, "patch"))]
                : store.patches(skill: string(args, "skill"), review: nil, status: nil)
            return ExperimentList(
                experiments: patches.compactMap { patch in
                    patch.validation.map {
                        .init(
                            patch: patch.id ?? 0, skill: patch.skill, status: patch.status,
                            validation: ValidationSummary($0))
                    }
                })
        }
    }

    /// `list_skills` and `read_docs` over a skills folder, with each skill's accepted patches as prior examples
    /// (`examples`, from either engine's store).
    static func docTools(
        catalog: @escaping @Sendable () throws -> SkillCatalog,
        examples: @escaping @Sendable (String) throws -> [PatchRecord]
    ) -> [Tool] {
        [
            Tool(
                .listSkills,
                description:
                    "The skills Headroom can apply: name, description, what triggers them; and skill folders that failed to load, with why.",
                inputSchema: Schema.object([:]),
                outputSchema: Schema.output(["skills": Schema.array(Schema.any), "problems": Schema.array(Schema.any)]),
                annotations: .readOnly
            ) { _ in
                SkillList(try catalog())
            },
            Tool(
                .readDocs,
                description:
                    "Read a skill's SKILL.md (instructions, triggers, tools), one of its references, or the prior examples reviewers accepted for it. Without arguments, lists the skills.",
                inputSchema: Schema.object([
                    "skill": Schema.string("skill name"),
                    "reference": Schema.string("a file under the skill's references/, or examples/patch-N"),
                ]),
                outputSchema: Schema.output(["text": Schema.string(""), "references": Schema.array(Schema.any)]),
                annotations: .readOnly
            ) { args in
                let catalog = try catalog()
                guard let name = string(args, "skill") else {
                    return SkillDocsReport(
                        skills: catalog.skills.map { .init(name: $0.name, description: $0.description) })
                }
                guard let skill = catalog.skill(named: name) else {
                    throw HeadroomError(
                        .notFound, "no skill \(name) (skills: \(catalog.skills.map(\.name).joined(separator: ", ")))")
                }
                let accepted = try examples(name)
                if let reference = string(args, "reference") {
                    if reference.hasPrefix("examples/patch-"),
                        let id = Int64(reference.dropFirst("examples/patch-".count)),
                        let patch = accepted.first(where: { $0.id == id })
                    {
                        return SkillDocsReport(text: SkillDocs.example(patch))
                    }
                    let base = URL(fileURLWithPath: skill.directory).standardizedFileURL
                    let file = base.appendingPathComponent(reference).standardizedFileURL
                    guard file.path.hasPrefix(base.path + "/"), skill.references.contains(reference),
                        let text = try? String(contentsOf: file, encoding: .utf8)
                    else {
                        throw HeadroomError(
                            .notFound,
                            "\(name) has no reference \(reference) (references: \(skill.references.joined(separator: ", ")))"
                        )
                    }
                    return SkillDocsReport(text: text)
                }
                let text = try String(
                    contentsOfFile: (skill.directory as NSString).appendingPathComponent("SKILL.md"), encoding: .utf8)
                return SkillDocsReport(
                    text: text, references: skill.references + accepted.map { "examples/patch-\($0.id ?? 0)" },
                    priorExamples: accepted.prefix(5).map(SkillDocs.example))
            },
        ]
    }

    /// `list_opportunities` over `store` (the SQLite store, or team mode's shared database): stored opportunities
    /// ranked by savings, and, given a registered repository present on this machine, a scan of it first.
    static func opportunityTools(
        store: any RegressionStore & OpportunityStore, costModel: CostModel,
        catalog: @escaping @Sendable () throws -> SkillCatalog
    ) -> [Tool] {
        [
            Tool(
                .listOpportunities,
                description:
                    "Efficiency opportunities ranked by estimated savings (cores, watts). With `repository` and `service`, scans that repository against the service's recent profiles first.",
                inputSchema: Schema.object([
                    "service": Schema.string("only this service (required to scan)"),
                    "repository": Schema.string("scan this registered repository first"),
                    "id": Schema.integer("only this opportunity", minimum: 1),
                    "min_share": Schema.number("scan functions with at least this total share (default 0.01)"),
                    "limit": Schema.integer("rows (default 50)", minimum: 1),
                ]),
                outputSchema: Schema.output(["opportunities": Schema.array(Schema.any)]),
                annotations: ToolAnnotations(readOnly: false, destructive: false, idempotent: true)
            ) { args in
                if args["id"] != nil {
                    return OpportunityList(
                        opportunities: [
                            try withPriorExamples(store.opportunity(id: try int64(args, "id")), store: store)
                        ])
                }
                if let repository = string(args, "repository") {
                    guard let service = string(args, "service") else {
                        throw HeadroomError(.badInput, "scanning a repository needs `service` (whose profiles to use)")
                    }
                    var scanner = OpportunityScanner(store: store, costModel: costModel)
                    if let share = args["min_share"]?.doubleValue { scanner.minimumShare = share }
                    _ = try scanner.scan(
                        service: service, repository: RepositoryRegistry(store: store).root(repository),
                        skills: try? catalog())
                }
                let rows = try store.opportunities(service: string(args, "service")).prefix(
                    args["limit"]?.intValue ?? 50)
                return OpportunityList(opportunities: try rows.map { try withPriorExamples($0, store: store) })
            }
        ]
    }

    /// The opportunity with its skill's accepted fixes (up to three) as prior examples.
    static func withPriorExamples(_ o: Opportunity, store: any OpportunityStore) throws -> Opportunity {
        var o = o
        let examples = try o.skill.map { try store.patches(skill: $0, review: .applied, status: nil) } ?? []
        o.priorExamples = examples.prefix(3).map { "patch #\($0.id ?? 0) on \($0.branch ?? "?")" }
        return o
    }
}

extension SkillList {
    /// The catalog's skills and the folders it skipped.
    public init(_ catalog: SkillCatalog) {
        self.init(
            skills: catalog.skills.map {
                Entry(
                    name: $0.name, description: $0.description, kinds: $0.kinds, patterns: $0.patterns,
                    recipe: $0.recipe)
            },
            problems: catalog.problems.map { Problem(directory: $0.directory, reason: $0.reason) })
    }
}

/// How accepted fixes read as prior examples for their skill.
public enum SkillDocs {
    /// An accepted patch as a prior example: what, where, its validation, the reviewer's note and the diff.
    public static func example(_ patch: PatchRecord) -> String {
        var lines = [
            "# Accepted fix: patch #\(patch.id ?? 0) (\(patch.skill))", "",
            "`\(patch.function ?? "?")` in `\(patch.path ?? "?")`, branch `\(patch.branch ?? "?")`.",
        ]
        if let v = patch.validation {
            lines.append(
                String(
                    format: "Validated: %.2f× faster (95%% CI %.2f–%.2f, p = %.2g).", v.speedup,
                    v.ci95.first ?? .nan, v.ci95.last ?? .nan, v.pValue))
        }
        if let note = patch.reviewNote { lines.append("Reviewer: \(note)") }
        lines += ["", "```diff", patch.diff.trimmingCharacters(in: .newlines), "```"]
        return lines.joined(separator: "\n")
    }
}
