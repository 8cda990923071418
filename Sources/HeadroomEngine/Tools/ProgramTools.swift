import Foundation
import HeadroomCore
import HeadroomStore

extension HeadroomTools {
    /// The program's tools (metrics, experiments by label, capacity plans, personal queues) over either engine's
    /// store.
    public static func programTools(store: any ProgramStore, costModel: CostModel) -> [Tool] {
        [
            metricsTool(store: store, costModel: costModel),
            Tool(
                .getExperiment,
                description:
                    "Experiment results from production profiles: a service's profiles split by one label (e.g. arm=control|treatment, version=stable|canary) compared per function, each bucket a replicate (two-sided Mann–Whitney on per-bucket shares, Benjamini–Hochberg q over the functions). With `function` it is a canary check of a fix: pass when that function's share fell significantly and no other function's rose by more (the cost did not just move).",
                inputSchema: Schema.object(
                    [
                        "service": Schema.string("the service"),
                        "label": Schema.string("the label that splits the arms, e.g. arm or version"),
                        "control": Schema.string("the control arm's value of the label"),
                        "treatment": Schema.string("the treatment arm's value (the canary)"),
                        "function": Schema.string("the fixed function, for a canary check"),
                        "metric": Schema.string("share compared (default self)", enum: ["self", "total"]),
                        "since": timeSchema,
                        "until": timeSchema,
                        "limit": Schema.integer("functions listed (default 20)", minimum: 0),
                    ], required: ["service", "label", "control", "treatment"]),
                outputSchema: Schema.output([
                    "verdict": Schema.string(
                        "pass, fail, inconclusive; without a function: regressions, improvements_only, no_change"),
                    "functions": Schema.array(Schema.any), "target": Schema.any,
                ]),
                annotations: .readOnly
            ) { args in
                func required(_ key: String) throws -> String {
                    guard let value = string(args, key), !value.isEmpty else {
                        throw HeadroomError(.badInput, "argument `\(key)` is required")
                    }
                    return value
                }
                let metric =
                    try string(args, "metric").map { text in
                        guard let metric = CostMetric(rawValue: text) else {
                            throw HeadroomError(.badInput, "metric must be self or total")
                        }
                        return metric
                    } ?? .selfShare
                return try ExperimentService(store: store).compare(
                    service: try required("service"), key: try required("label"), control: try required("control"),
                    treatment: try required("treatment"), from: try time(args, "since"), to: try time(args, "until"),
                    metric: metric, function: string(args, "function"),
                    limit: args["limit"] == nil ? 20 : Int(try int64(args, "limit")))
            },
            Tool(
                .planCapacity,
                description:
                    "Capacity plan of a service: its cores measured by its profiles per day (or hour), forecast `horizon` steps ahead by a damped-trend Holt-Winters model with 80% and 95% prediction intervals, the backtest of that model on the service's own history, what its open regressions cost (gone if fixed) and what delivered, unapplied fixes would save.",
                inputSchema: Schema.object(
                    [
                        "service": Schema.string("the service"),
                        "horizon": Schema.integer("steps ahead (default 90)", minimum: 1),
                        "step": Schema.string("day or hour (default day)", enum: ["day", "hour"]),
                    ], required: ["service"]),
                outputSchema: Schema.output(["service": Schema.any, "forecast": Schema.any]),
                annotations: .readOnly
            ) { args in
                guard let service = string(args, "service"), !service.isEmpty else {
                    throw HeadroomError(.badInput, "argument `service` is required")
                }
                let horizon = args["horizon"] == nil ? 90 : Int(try int64(args, "horizon"))
                guard (1...3650).contains(horizon) else { throw HeadroomError(.badInput, "horizon must be 1-3650") }
                return try PlanService(store: store).plan(
                    service: service, horizon: horizon, step: string(args, "step") ?? "day")
            },
            Tool(
                .getInbox,
                description:
                    "What waits for one person, ranked by cores: open regressions they caused (culprit author) or whose code they own, delivered fixes awaiting their review, opportunities in their code. Ownership: CODEOWNERS, else the recent authors of the function's lines (git blame); each item says why it is theirs.",
                inputSchema: Schema.object(
                    ["person": Schema.string("an email, an @handle (as CODEOWNERS writes it) or an author's name")],
                    required: ["person"]),
                outputSchema: Schema.output([
                    "person": Schema.string(""), "regressions": Schema.array(Schema.any),
                    "patches": Schema.array(Schema.any), "opportunities": Schema.array(Schema.any),
                ]),
                annotations: .readOnly
            ) { args in
                try InboxService(store: store, costs: costModel).inbox(for: string(args, "person") ?? "")
            },
        ]
    }

    /// `get_metrics`: the program's figures over either engine's store.
    public static func metricsTool(store: any ProgramStore, costModel: CostModel) -> Tool {
        Tool(
            .getMetrics,
            description:
                "The program's figures: regressions detected, acknowledged and invalid (the false-positive rate), mitigated; fixes delivered, applied and rejected (the acceptance rate); cores, watts and MWh the applied fixes recover (function cores measured by the service's profiles × (1 − 1/A/B speed-up)) and engineer-hours. Every figure lists the row ids it counted. `until` (default now) is the time energy is counted to, so an answer with it is reproducible.",
            inputSchema: Schema.object([
                "since": timeSchema,
                "until": timeSchema,
                "hours_per_fix": Schema.number("engineer-hours one applied fix saves (default 4)"),
            ]),
            outputSchema: Schema.output([
                "regressions": Schema.any, "fixes": Schema.any, "savings": Schema.any,
            ]),
            annotations: .readOnly
        ) { args in
            let hours = args["hours_per_fix"]?.doubleValue ?? 4
            guard hours >= 0, hours.isFinite else { throw HeadroomError(.badInput, "hours_per_fix must be ≥ 0") }
            return try MetricsService(store: store, costs: costModel, hoursPerFix: hours)
                .report(since: try time(args, "since"), until: try time(args, "until") ?? Timestamps.now())
        }
    }
}
