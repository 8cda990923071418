import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Compare a service's profiles by label (control against treatment, stable against canary).",
        discussion: """
            The profiles whose label --label has the value --control are one arm, --treatment the other (labels come \
            with Pyroscope pushes, or 'headroom ingest --label KEY=VALUE'). Each function's share of its arm's \
            samples is compared bucket by bucket (two-sided Mann–Whitney with 3 or more buckets in each arm, else a \
            two-proportion test on the pooled samples; Benjamini–Hochberg over the functions). With --function it is \
            a canary check of a fix: pass when that function's share fell significantly and no other function's rose \
            by more; exit status 1 when it fails. With --database (team mode), the stacks in the shared PostgreSQL \
            database.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "The service.") var service: String
    @Option(help: "The label that splits the arms, e.g. arm or version.") var label: String
    @Option(help: "The control arm's value.") var control: String
    @Option(help: "The treatment arm's value (the canary).") var treatment: String
    @Option(help: "The fixed function, for a canary check.") var function: String?
    @Option(help: "self or total share.") var metric: String = "self"
    @Option(help: "From this time (ISO-8601 or Unix seconds).") var since: String?
    @Option(help: "To this time.") var until: String?
    @Option(help: "Functions listed.") var limit: Int = 20

    func run() async throws {
        guard let metric = CostMetric(rawValue: metric) else {
            throw HeadroomError(.badInput, "--metric must be self or total")
        }
        guard limit >= 0 else { throw HeadroomError(.badInput, "--limit must be ≥ 0") }
        let (from, to) = (try parseTime(since, option: "since"), try parseTime(until, option: "until"))
        let (service, label, control, treatment, function, limit) = (
            service, label, control, treatment, function, limit
        )
        let report = try await databaseOptions.program(storeOptions) {
            try ExperimentService(store: $0).compare(
                service: service, key: label, control: control, treatment: treatment, from: from, to: to,
                metric: metric, function: function, limit: limit)
        }
        if formatOptions.format == .json {
            try printJSON(report)
        } else {
            print(
                "\(report.service): \(report.label)=\(report.control) (\(report.controlBuckets) buckets, "
                    + "\(report.controlSamples) samples) against \(report.label)=\(report.treatment) "
                    + "(\(report.treatmentBuckets) buckets, \(report.treatmentSamples) samples); \(report.test) test")
            for f in report.functions {
                print(
                    String(
                        format: "  %@ %@: %.4f → %.4f (q = %.3g)",
                        f.direction.padding(toLength: 11, withPad: " ", startingAt: 0), f.function,
                        f.controlShare, f.treatmentShare, f.qValue))
            }
            print("verdict: \(report.verdict) — \(report.reasons.joined(separator: "; "))")
        }
        if report.verdict == "fail" { throw ExitCode(1) }
    }
}
