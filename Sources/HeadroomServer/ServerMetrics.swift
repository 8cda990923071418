import Foundation
import HeadroomCore
import HeadroomEngine
import Prometheus

/// `/metrics` in Prometheus text format: counters and histograms the server updates as it works (requests, ingest,
/// detection runs), and gauges read from the store at each scrape (open and triaged regressions, the
/// false-positive rate, webhook deliveries, services) and from the ingest queue.
final class ServerMetrics: Sendable {
    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    let registry = PrometheusCollectorRegistry()
    private let requestSeconds: DurationHistogram
    private let detectionSeconds: DurationHistogram

    init() {
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        requestSeconds = registry.makeDurationHistogram(
            descriptor: Self.name(
                "headroom_ingest_request_seconds",
                "Time from an ingest request's body to its answer, the commit included"), buckets: buckets)
        detectionSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("headroom_detection_seconds", "Time of one service's detection run"),
            buckets: buckets + [.seconds(30), .seconds(120)])
    }

    /// One answered HTTP request of a route (ingest, push, api, …) with its status.
    func request(_ route: String, status: Int) {
        registry.makeCounter(
            descriptor: Self.name("headroom_http_requests_total", "HTTP requests answered, by route and status"),
            labels: [("route", route), ("status", "\(status)")]
        ).increment()
    }

    func ingested(_ outcome: PyroscopeIngest.Outcome, after duration: Duration) {
        requestSeconds.record(duration)
        registry.makeCounter(descriptor: Self.name("headroom_ingest_profiles_total", "Profiles stored")).increment(
            by: Int64(outcome.profiles))
        registry.makeCounter(
            descriptor: Self.name("headroom_ingest_duplicates_total", "Profiles already stored, skipped")
        )
        .increment(by: Int64(outcome.duplicates))
        registry.makeCounter(descriptor: Self.name("headroom_ingest_samples_total", "Samples stored")).increment(
            by: outcome.samples)
    }

    func detectionRun(seconds: Double, succeeded: Bool, regressions: Int) {
        detectionSeconds.record(.nanoseconds(Int64(seconds * 1e9)))
        registry.makeCounter(
            descriptor: Self.name(
                "headroom_detection_runs_total", "Detection runs of one service by the server's loop"),
            labels: [("outcome", succeeded ? "ok" : "failed")]
        ).increment()
        registry.makeCounter(
            descriptor: Self.name(
                "headroom_regressions_detected_total", "Regressions found by the loop's runs (re-finds included)")
        ).increment(by: Int64(regressions))
    }

    /// The scrape: store-derived gauges refreshed, then everything in text format.
    func render(status: ServerStatus.Snapshot?, queued: Int) -> String {
        registry.makeGauge(
            descriptor: Self.name("headroom_ingest_queue_profiles", "Profiles parsed and waiting for a commit")
        )
        .set(Int64(queued))
        if let status {
            registry.makeGauge(descriptor: Self.name("headroom_services", "Services with profiles")).set(
                Int64(status.services))
            registry.makeGauge(
                descriptor: Self.name("headroom_regressions_open", "Stored regressions without a verdict")
            ).set(
                Int64(status.openRegressions))
            for (verdict, count) in status.triaged {
                registry.makeGauge(
                    descriptor: Self.name("headroom_regressions_triaged", "Verdicts people gave on regressions"),
                    labels: [("verdict", verdict.rawValue)]
                ).set(Int64(count))
            }
            if let rate = status.falsePositiveRate {
                registry.makeGauge(
                    descriptor: Self.name(
                        "headroom_false_positive_rate", "Invalid verdicts over all verdicts on regressions")
                ).set(rate)
            }
            for state in Job.State.allCases {
                registry.makeGauge(
                    descriptor: Self.name("headroom_fix_jobs", "Fix jobs by state"), labels: [("state", state.rawValue)]
                ).set(Int64(status.jobs[state] ?? 0))
            }
            for state in ["pending", "delivered", "failed"] {
                registry.makeGauge(
                    descriptor: Self.name("headroom_webhook_deliveries", "Webhook deliveries by state"),
                    labels: [("state", state)]
                ).set(Int64(status.deliveries[state] ?? 0))
            }
        }
        return registry.emitToString()
    }
}
