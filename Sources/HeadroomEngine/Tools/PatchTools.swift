import Foundation
import HeadroomCore
import HeadroomStore

extension HeadroomTools {
    /// The tools that make, validate, deliver and list patches, over either engine's store.
    public static func patchTools(_ context: FixContext) -> [Tool] {
        let service = PatchService(
            store: context.store, outputDirectory: context.outputDirectory, costModel: context.costModel,
            holdsNewPatches: context.holdsNewPatches)
        let repositories = RepositoryRegistry(store: context.store)
        return [
            Tool(
                .generatePatch,
                description:
                    "Run a skill's deterministic recipe on one function and check the static guardrails (safety, syntax, minimal diff, right function, right issue). Returns a proposed patch with its diff, or the refusal reason. Writes only to the store.",
                inputSchema: Schema.object(
                    [
                        "skill": Schema.string(
                            "skill name (log-guard, memoize, regex-hoist, loop-invariant, revert-hunk)"),
                        "kind": Schema.string("what the patch is for", enum: PatchRecord.Kind.allCases.map(\.rawValue)),
                        "target": Schema.integer("regression or opportunity id", minimum: 1),
                        "repository": Schema.string("registered repository name"),
                        "path": Schema.string("repository-relative file"),
                        "function": Schema.string("function (qualified name)"),
                        "culprit": Schema.string("culprit commit (revert-hunk)"),
                    ], required: ["skill", "kind", "target", "repository", "path", "function"]),
                outputSchema: Schema.output([
                    "patch": Schema.integer(""), "status": Schema.string(""), "reason": Schema.string(""),
                    "diff": Schema.string(""), "summary": Schema.array(Schema.any),
                ]),
                annotations: ToolAnnotations(readOnly: false, destructive: false, idempotent: false)
            ) { args in
                let record = try service.generate(
                    skill: string(args, "skill")!,
                    target: PatchTarget(
                        kind: try patchKind(args), id: try int64(args, "target"),
                        repository: try repositories.root(string(args, "repository")!),
                        path: string(args, "path")!, function: string(args, "function")!,
                        culprit: string(args, "culprit")))
                return PatchReport(record)
            },
            Tool(
                .proposePatch,
                description:
                    "Submit your own edit: the complete new text of exactly one function (decorators and def line included, original indentation), plus optional module-level lines (imports, constants) that go after the module's imports. It passes the same guardrails as a recipe (safety, syntax, minimal diff, right function, and the named skill's right-issue check); then validate_patch and deliver_patch as usual. Writes only to the store.",
                inputSchema: Schema.object(
                    [
                        "skill": Schema.string(
                            "the skill whose playbook the edit follows (its recipe checks the right issue)"),
                        "kind": Schema.string("what the patch is for", enum: PatchRecord.Kind.allCases.map(\.rawValue)),
                        "target": Schema.integer("regression or opportunity id", minimum: 1),
                        "repository": Schema.string("registered repository name"),
                        "path": Schema.string("repository-relative file"),
                        "function": Schema.string("function (qualified name)"),
                        "replacement": Schema.string("the complete new function text"),
                        "module_lines": Schema.array(
                            Schema.string("one top-level line"), "imports or constants to add"),
                        "summary": Schema.array(
                            Schema.string("one change"), "one line per change, for the commit and PR"),
                        "culprit": Schema.string("culprit commit, for regressions"),
                    ], required: ["skill", "kind", "target", "repository", "path", "function", "replacement"]),
                outputSchema: Schema.output([
                    "patch": Schema.integer(""), "status": Schema.string(""), "reason": Schema.string(""),
                    "diff": Schema.string(""), "summary": Schema.array(Schema.any),
                ]),
                annotations: ToolAnnotations(readOnly: false, destructive: false, idempotent: false)
            ) { args in
                let record = try service.propose(
                    skill: string(args, "skill")!,
                    target: PatchTarget(
                        kind: try patchKind(args), id: try int64(args, "target"),
                        repository: try repositories.root(string(args, "repository")!),
                        path: string(args, "path")!, function: string(args, "function")!,
                        culprit: string(args, "culprit")),
                    replacement: string(args, "replacement")!,
                    moduleLines: args["module_lines"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    summary: args["summary"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                return PatchReport(record)
            },
            Tool(
                .validatePatch,
                description:
                    "Validate a proposed patch in temporary git worktrees: the target's tests before and after, its formatter if configured, then an interleaved A/B benchmark (Mann–Whitney U, median speed-up, 95% bootstrap CI; more runs, at a stricter level, while the answer is open). The commands are the repository's own (headroom.toml [commands] test and bench) or the operator's; a call cannot name one. A patch that fails or shows no significant gain is marked so with the reason.",
                inputSchema: Schema.object(
                    [
                        "patch": Schema.integer("patch id", minimum: 1),
                        "runs": Schema.integer(
                            "timed runs per side and look (default 12, at least 10; up to three looks while the answer is open)",
                            minimum: 10),
                    ], required: ["patch"]),
                outputSchema: Schema.output([
                    "patch": Schema.integer(""), "status": Schema.string(""), "significant": Schema.boolean(""),
                    "validation": Schema.any,
                ]),
                // It runs the repository's tests and benchmark: code Headroom did not write, with effects it cannot
                // bound. That is destructive and open-world, whatever the arguments.
                annotations: ToolAnnotations(readOnly: false, destructive: true, idempotent: false, openWorld: true)
            ) { args in
                // No argument names a command: the registry refuses any argument outside the schema.
                var configuration = context.validation
                if let runs = args["runs"]?.intValue { configuration.runs = runs }
                let record = try service.validate(
                    patchID: try int64(args, "patch"),
                    options: .init(
                        test: context.commands.test, bench: context.commands.bench, configuration: configuration))
                return PatchReport(record)
            },
            Tool(
                .deliverPatch,
                description:
                    "Commit a validated patch to a new branch headroom/<kind>-<id> (never the checked-out branch) and write its PR description.",
                inputSchema: Schema.object(["patch": Schema.integer("patch id", minimum: 1)], required: ["patch"]),
                outputSchema: Schema.output(["branch": Schema.string(""), "pr_description": Schema.string("path")]),
                annotations: ToolAnnotations(readOnly: false, destructive: false, idempotent: false)
            ) { args in
                PatchReport(try service.deliver(patchID: try int64(args, "patch")))
            },
            Tool(
                .listPatches,
                description:
                    "Patches Headroom made: skill, status (proposed, delivered, refused, failed) and why, review state, branch, validation; filter by regression, opportunity, skill or status.",
                inputSchema: Schema.object([
                    "regression": Schema.integer("only patches for this regression", minimum: 1),
                    "opportunity": Schema.integer("only patches for this opportunity", minimum: 1),
                    "skill": Schema.string("only this skill"),
                    "status": Schema.string("only this status", enum: PatchRecord.Status.allCases.map(\.rawValue)),
                ]),
                outputSchema: Schema.output(["patches": Schema.array(Schema.any)]),
                annotations: .readOnly
            ) { args in
                let regression = args["regression"] == nil ? nil : try int64(args, "regression")
                let opportunity = args["opportunity"] == nil ? nil : try int64(args, "opportunity")
                let found = try context.store.patches(
                    skill: string(args, "skill"), review: nil,
                    status: string(args, "status").flatMap(PatchRecord.Status.init(rawValue:))
                )
                .filter {
                    (regression == nil || $0.regressionID == regression)
                        && (opportunity == nil || $0.opportunityID == opportunity)
                }
                return PatchList(patches: found.map(PatchReport.init))
            },
            Tool(
                .rejectPatch,
                description:
                    "Reject a patch as its reviewer: record why and delete its headroom/… branch (never the checked-out branch). Destructive: the branch is gone.",
                inputSchema: Schema.object(
                    [
                        "patch": Schema.integer("patch id", minimum: 1),
                        "reason": Schema.string("why (kept with the patch)"),
                        "keep_branch": Schema.boolean("record the rejection but keep the branch"),
                    ],
                    required: ["patch"]),
                outputSchema: Schema.output([
                    "patch": Schema.integer(""), "review": Schema.string(""), "deleted_branch": Schema.string(""),
                ]),
                annotations: ToolAnnotations(readOnly: false, destructive: true, idempotent: false)
            ) { args in
                let (record, deleted) = try service.reject(
                    patchID: try int64(args, "patch"), reason: string(args, "reason"),
                    keepBranch: args["keep_branch"]?.boolValue ?? false)
                return PatchRejection(patch: record.id ?? 0, review: record.review, deletedBranch: deleted)
            },
        ]
    }

    /// The `kind` argument (the schema has already limited it to the cases).
    static func patchKind(_ args: JSONValue) throws -> PatchRecord.Kind {
        guard let kind = string(args, "kind").flatMap(PatchRecord.Kind.init(rawValue:)) else {
            throw HeadroomError(.badInput, "`kind` must be regression or opportunity")
        }
        return kind
    }
}
