import Foundation
import HeadroomCore
import HeadroomStore

extension HeadroomTools {
    /// The tools over regressions — services, regressions, verdicts, root causes — over either engine's store: the
    /// SQLite store's registry has them, and so has team mode's API (`TeamDatabase.toolRegistry`).
    public static func regressionTools(store: any RegressionStore, costModel: CostModel) -> [Tool] {
        [
            Tool(
                .listServices,
                description:
                    "The services that have profiles in the store, with sample counts and the time range covered.",
                inputSchema: Schema.object([:]),
                outputSchema: Schema.output(["services": Schema.array(Schema.any)]),
                annotations: .readOnly
            ) { _ in
                ServiceList(
                    services: try store.serviceSummaries().map {
                        ServiceList.Entry(
                            service: $0.service, samples: $0.samples, from: Timestamps.format($0.from),
                            to: Timestamps.format($0.to), buckets: $0.buckets)
                    })
            },
            Tool(
                .listRegressions,
                description:
                    "Detected regressions (and improvements) in the store, optionally for one service: id, function, share before and after, onset time, p-value.",
                inputSchema: Schema.object([
                    "service": Schema.string("only this service"),
                    "kind": Schema.string("regression or improvement", enum: ["regression", "improvement"]),
                ]),
                outputSchema: Schema.output(["regressions": Schema.array(Schema.any)]),
                annotations: .readOnly
            ) { args in
                let kind = string(args, "kind")
                let found = try store.regressions(service: string(args, "service")).filter {
                    kind == nil || $0.kind.rawValue == kind
                }
                return RegressionList(
                    regressions: found.map {
                        RegressionReport($0, costs: store.costs(for: $0, fallback: costModel))
                    })
            },
            Tool(
                .getRegression,
                description: "One regression with its event members and, if ranked before, its root-cause candidates.",
                inputSchema: Schema.object(["id": Schema.integer("regression id", minimum: 1)], required: ["id"]),
                outputSchema: Schema.output([
                    "id": Schema.integer(""), "function": Schema.string(""), "candidates": Schema.array(Schema.any),
                ]),
                annotations: .readOnly
            ) { args in
                let id = try int64(args, "id")
                return RegressionDetail(
                    regression: try store.regression(id: id).report(store: store, fallback: costModel),
                    candidates: try store.candidates(regression: id).map(RootCauseReport.Candidate.init))
            },
            Tool(
                .triageRegression,
                description:
                    "Record a person's verdict on a regression: acknowledged (known, owned), invalid (not a regression, a false alarm) or snoozed (quiet until `until`, then open again). It stops notifications about it, survives re-detection, and invalid verdicts feed the false-positive rate.",
                inputSchema: Schema.object(
                    [
                        "id": Schema.integer("regression id", minimum: 1),
                        "verdict": Schema.string("the verdict", enum: Triage.Verdict.allCases.map(\.rawValue)),
                        "note": Schema.string("why, in a sentence (optional)"),
                        "until": timeSchema,
                    ], required: ["id", "verdict"]),
                outputSchema: Schema.output(["id": Schema.integer(""), "triage": Schema.any]),
                annotations: ToolAnnotations(readOnly: false, destructive: false, idempotent: true)
            ) { args in
                guard let verdict = string(args, "verdict").flatMap(Triage.Verdict.init(rawValue:)) else {
                    throw HeadroomError(.badInput, "verdict must be acknowledged, invalid or snoozed")
                }
                let regression = try TriageService(store: store).decide(
                    regression: try int64(args, "id"), verdict: verdict, note: string(args, "note") ?? "",
                    snoozeUntil: try time(args, "until"))
                return RegressionReport(regression, costs: store.costs(for: regression, fallback: costModel))
            },
            Tool(
                .rankRootCauses,
                description:
                    "Rank the commits, configuration changes and deploys that could have caused a regression, with evidence and confidence; stores the ranking.",
                inputSchema: Schema.object(
                    [
                        "regression": Schema.integer("regression id", minimum: 1),
                        "limit": Schema.integer("candidates to return (default 10)", minimum: 1),
                    ],
                    required: ["regression"]),
                outputSchema: Schema.output([
                    "regression": Schema.integer(""), "repository": Schema.string(""),
                    "candidates": Schema.array(Schema.any),
                ]),
                annotations: ToolAnnotations(readOnly: false, destructive: false, idempotent: true)
            ) { args in
                try RootCauseReport(
                    service: RootCauseService(store: store), regression: try int64(args, "regression"),
                    limit: args["limit"]?.intValue ?? 10)
            },
        ]
    }
}
