import Foundation
import HeadroomCore
import HeadroomStore

extension HeadroomTools {
    static func profileTools(_ context: ToolContext) -> [Tool] {
        let store = context.store
        return [
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
                let queries = ProfileQueries(store: store)
                switch string(args, "mode") ?? "top" {
                case "diff":
                    let before = TimeRange(from: try time(args, "before_from"), to: try time(args, "before_to"))
                    let after = TimeRange(from: try time(args, "after_from"), to: try time(args, "after_to"))
                    return try JSONValue(
                        encoding: try queries.diffReport(
                            service: service, before: before, after: after, byTotal: byTotal, limit: limit))
                case "flame":
                    let result = try store.heaviestStacks(
                        service: service, from: try time(args, "from"), to: try time(args, "to"),
                        limit: limit)
                    return try JSONValue(
                        encoding: FlameReport(
                            totalSamples: result.totalSamples,
                            stacks: result.stacks.map {
                                FlameReport.Stack(
                                    frames: $0.frames.map(\.name).joined(separator: ";"), samples: $0.samples)
                            }))
                default:
                    let range = TimeRange(from: try time(args, "from"), to: try time(args, "to"))
                    return try JSONValue(
                        encoding: try queries.topReport(
                            service: service, range: range, byTotal: byTotal, limit: limit,
                            function: string(args, "function"),
                            costs: context.costModel))
                }
            }
        ] + regressionTools(store: store, costModel: context.costModel)
    }
}
