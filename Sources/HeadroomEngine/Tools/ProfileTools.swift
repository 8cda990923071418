import Foundation
import HeadroomCore
import HeadroomStore

extension HeadroomTools {
    static func profileTools(_ context: ToolContext) -> [Tool] {
        [queryProfileTool(ProfileQueryEngine(store: context.store, costModel: context.costModel))]
            + regressionTools(store: context.store, costModel: context.costModel)
    }

    /// `query_profile` over either engine's queries.
    static func queryProfileTool(_ engine: ProfileQueryEngine) -> Tool {
        Tool(
            .queryProfile,
            description:
                "Query a service's CPU profiles: `top` functions by self or total share, a `diff` of two time ranges (significant changes first), or `flame` (the heaviest stacks, root first).",
            inputSchema: Schema.object(
                [
                    "service": Schema.string("service name"),
                    "mode": Schema.string("what to compute", enum: ["top", "diff", "flame"]),
                    "by": Schema.string("rank by self or total share", enum: ["self", "total"]),
                    "from": timeSchema, "to": timeSchema,
                    "before_from": timeSchema, "before_to": timeSchema, "after_from": timeSchema,
                    "after_to": timeSchema,
                    "limit": Schema.integer("rows to return (default 20)", minimum: 1),
                    "function": Schema.string(
                        "top: only functions with this name (qualified, or its last component)"),
                ], required: ["service"]),
            outputSchema: Schema.output([
                "total_samples": Schema.integer("samples in range"),
                "functions": Schema.array(Schema.any, "rows"), "stacks": Schema.array(Schema.any),
            ]),
            annotations: .readOnly
        ) { args in
            let service = string(args, "service")!
            let limit = args["limit"]?.intValue ?? 20
            let byTotal = string(args, "by") == "total"
            switch string(args, "mode") ?? "top" {
            case "diff":
                let before = TimeRange(from: try time(args, "before_from"), to: try time(args, "before_to"))
                let after = TimeRange(from: try time(args, "after_from"), to: try time(args, "after_to"))
                return try JSONValue(
                    encoding: try engine.diff(service, before, after, byTotal, limit))
            case "flame":
                let range = TimeRange(from: try time(args, "from"), to: try time(args, "to"))
                return try JSONValue(encoding: try engine.flame(service, range, limit))
            default:
                let range = TimeRange(from: try time(args, "from"), to: try time(args, "to"))
                return try JSONValue(
                    encoding: try engine.top(service, range, byTotal, limit, string(args, "function")))
            }
        }
    }
}

/// The three profile queries `query_profile` answers, over one engine: the SQLite store's own queries, or team
/// mode's over PostgreSQL (`TeamDatabase.toolRegistry`).
struct ProfileQueryEngine: Sendable {
    /// `top`: service, range, by total, limit, only functions of this name.
    var top: @Sendable (String, TimeRange, Bool, Int, String?) throws -> TopReport
    /// `diff`: service, before, after, by total, limit.
    var diff: @Sendable (String, TimeRange, TimeRange, Bool, Int) throws -> DiffReport
    /// `flame`: service, range, the heaviest stacks at most.
    var flame: @Sendable (String, TimeRange, Int) throws -> FlameReport
}

extension ProfileQueryEngine {
    /// The SQLite store's queries.
    init(store: Store, costModel: CostModel) {
        let queries = ProfileQueries(store: store)
        top = { service, range, byTotal, limit, function in
            try queries.topReport(
                service: service, range: range, byTotal: byTotal, limit: limit, function: function, costs: costModel)
        }
        diff = { service, before, after, byTotal, limit in
            try queries.diffReport(service: service, before: before, after: after, byTotal: byTotal, limit: limit)
        }
        flame = { service, range, limit in
            let result = try store.heaviestStacks(service: service, from: range.from, to: range.to, limit: limit)
            return FlameReport(
                totalSamples: result.totalSamples,
                stacks: result.stacks.map {
                    FlameReport.Stack(frames: $0.frames.map(\.name).joined(separator: ";"), samples: $0.samples)
                })
        }
    }
}
