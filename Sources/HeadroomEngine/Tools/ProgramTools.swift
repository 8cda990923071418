import Foundation
import HeadroomCore
import HeadroomStore

extension HeadroomTools {
    static func programTools(_ context: ToolContext) -> [Tool] {
        let store = context.store
        return [
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
                return try MetricsService(store: store, costs: context.costModel, hoursPerFix: hours)
                    .report(since: try time(args, "since"), until: try time(args, "until") ?? Timestamps.now())
            }
        ]
    }
}
