import Foundation
import HeadroomCore
import HeadroomEngine
import Prometheus

/// `/metrics` in Prometheus text format: counters and histograms the server updates as it works (requests, ingest,
/// detection runs), and gauges read from the store at each scrape (open and triaged regressions, the
/// false-positive rate, webhook deliveries, services) and from the ingest queue.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let requestSeconds: DurationHistogram
    private let detectionSeconds: DurationHistogram

    init() {
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        requestSeconds = registry.makeDurationHistogram(
            name: "headroom_ingest_request_seconds", buckets: buckets,
            help: "Time from an ingest request's body to its answer, the commit included")
        detectionSeconds = registry.makeDurationHistogram(
            name: "headroom_detection_seconds", buckets: buckets + [.seconds(30), .seconds(120)],
            help: "Time of one service's detection run")
    }

    /// One answered HTTP request of a route (ingest, push, api, …) with its status.
    func request(_ route: String, status: Int) {
        registry.makeCounter(
            name: "headroom_http_requests_total", labels: [("route", route), ("status", "\(status)")],
            help: "HTTP requests answered, by route and status"
        ).increment()
    }

    func ingested(_ outcome: PyroscopeIngest.Outcome, after duration: Duration) {
        requestSeconds.record(duration)
        registry.makeCounter(name: "headroom_ingest_profiles_total", help: "Profiles stored").increment(
            by: Int64(outcome.profiles))
        registry.makeCounter(name: "headroom_ingest_duplicates_total", help: "Profiles already stored, skipped")
            .increment(by: Int64(outcome.duplicates))
        registry.makeCounter(name: "headroom_ingest_samples_total", help: "Samples stored").increment(
            by: outcome.samples)
    }

    func detectionRun(seconds: Double, succeeded: Bool, regressions: Int) {
        detectionSeconds.record(.nanoseconds(Int64(seconds * 1e9)))
        registry.makeCounter(
            name: "headroom_detection_runs_total", labels: [("outcome", succeeded ? "ok" : "failed")],
            help: "Detection runs of one service by the server's loop"
        ).increment()
        registry.makeCounter(
            name: "headroom_regressions_detected_total",
            help: "Regressions found by the loop's runs (re-finds included)"
        ).increment(by: Int64(regressions))
    }

    /// The scrape: store-derived gauges refreshed, then everything in text format.
    func render(status: ServerStatus.Snapshot?, queued: Int) -> String {
        registry.makeGauge(name: "headroom_ingest_queue_profiles", help: "Profiles parsed and waiting for a commit")
            .set(Int64(queued))
        if let status {
            registry.makeGauge(name: "headroom_services", help: "Services with profiles").set(Int64(status.services))
            registry.makeGauge(name: "headroom_regressions_open", help: "Stored regressions without a verdict").set(
                Int64(status.openRegressions))
            for (verdict, count) in status.triaged {
                registry.makeGauge(
                    name: "headroom_regressions_triaged", labels: [("verdict", verdict.rawValue)],
                    help: "Verdicts people gave on regressions"
                ).set(Int64(count))
            }
            if let rate = status.falsePositiveRate {
                registry.makeGauge(
                    name: "headroom_false_positive_rate", help: "Invalid verdicts over all verdicts on regressions"
                ).set(rate)
            }
            for state in Job.State.allCases {
                registry.makeGauge(
                    name: "headroom_fix_jobs", labels: [("state", state.rawValue)], help: "Fix jobs by state"
                ).set(Int64(status.jobs[state] ?? 0))
            }
            for state in ["pending", "delivered", "failed"] {
                registry.makeGauge(
                    name: "headroom_webhook_deliveries", labels: [("state", state)],
                    help: "Webhook deliveries by state"
                ).set(Int64(status.deliveries[state] ?? 0))
            }
        }
        return registry.emitToString()
    }
}
