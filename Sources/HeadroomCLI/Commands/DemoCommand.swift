import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole defense loop on the bundled example service, for real.",
        discussion: """
            Builds the example's git history, deploys and profiles every commit, detects the regression, ranks its \
            culprit, fixes it with the matching skill on a new headroom/... branch, runs tests and an A/B benchmark, \
            and writes a PR description. The default example is the Python shop (profiled with py-spy; \
            scripts/demo.sh installs it); --example go runs the Go links service (profiled with runtime/pprof; needs \
            the Go toolchain).
            """)

    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "A fresh folder for everything the demo makes.") var workdir: String = "headroom-demo"
    @Option(help: "The store; default WORKDIR/.headroom/headroom.sqlite.") var store: String?
    @Option(help: "The bundled example (shop, or go for the Go links service) or an example folder; default shop.")
    var example: String?
    @Option(help: "Seconds of load profiled per deploy.") var seconds: Double = 4
    @Option(help: "A/B benchmark runs of each side per look (up to three looks while the answer is open).") var runs:
        Int = 12

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard runs >= 5, runs <= 200 else { throw ValidationError("--runs must be between 5 and 200") }
    }

    func run() async throws {
        let options = DemoOptions(
            workdir: workdir, example: example, store: store, profileSeconds: seconds,
            abRuns: runs)
        let report = try await DemoPipeline(options: options).run(progress: progressLine)
        if formatOptions.format == .json { return try printJSON(report) }
        print(DemoText.render(report))
    }
}

/// The demo's human-readable report.
enum DemoText {
    static func render(_ r: DemoReport) -> String {
        var lines: [String] = []
        let reg = r.regression
        lines.append(
            "Headroom demo — \(r.deploys) deploys of the \(r.service ?? "shop") service, ~\(r.samples_per_deploy) "
                + "\(r.profiler ?? "py-spy") samples each")
        lines.append("")
        lines.append("REGRESSION #\(reg.id)")
        lines.append(
            "  \(reg.function) (\(reg.file ?? "?")): \(reg.metric) share of service CPU "
                + String(format: "%.2f%% → %.2f%% (", reg.before * 100, reg.after * 100)
                + Regression.relativeChangeText(reg.relative_change, decimals: 0)
                + String(format: "), p = %.2g", reg.p_value))
        lines.append("  first seen in the bucket at \(reg.timestamp)")
        if !reg.members.isEmpty { lines.append("  same event in: \(reg.members.prefix(5).joined(separator: ", "))") }
        lines.append("")
        lines.append("ROOT CAUSE")
        lines.append(
            "  \(r.root_cause.commit.prefix(10)) by \(r.root_cause.author) <\(r.root_cause.email)> — "
                + "\"\(r.root_cause.message)\" (evidence score \(String(format: "%.2f", r.root_cause.score)), the weighted "
                + "sum of the ranker's features; higher is stronger)")
        for line in r.root_cause.evidence { lines.append("    - \(line)") }
        if let next = r.root_cause.runner_up, let score = r.root_cause.runner_up_score {
            lines.append("  runner-up: \(next.prefix(10)) (evidence score \(String(format: "%.2f", score)))")
        }
        lines.append("")
        lines.append("FIX (skill \(r.skill))")
        lines.append("  branch \(r.branch ?? "-") in \(Self.here(r.repository))")
        for line in r.diff.split(separator: "\n")
        where line.hasPrefix("+") || line.hasPrefix("-") || line.hasPrefix("@@") {
            lines.append("    \(line)")
        }
        if let v = r.validation {
            lines.append("")
            lines.append("VALIDATION")
            lines.append("  tests: \(v.tests_passed ? "passed" : "FAILED")")
            lines.append(
                String(
                    format: "  A/B (%d interleaved runs each): median %.1f ms → %.1f ms, speed-up %.2f× "
                        + "(95%% CI %.2f–%.2f), Mann–Whitney p = %.2g", v.runs, v.before_median_seconds * 1000,
                    v.after_median_seconds * 1000, v.speedup, v.ci95.first ?? .nan, v.ci95.last ?? .nan,
                    v.p_value))
        }
        lines.append("")
        lines.append("PR description: \(r.pr_description.map(Self.here) ?? "-")")
        lines.append("store: \(Self.here(r.store))")
        let stageText = r.stages.map { "\($0.name) \(String(format: "%.1f", $0.seconds))s" }.joined(separator: ", ")
        lines.append("wall time " + String(format: "%.1f", r.wall_seconds) + "s (\(stageText))")
        lines += ["", "NEXT (these work from here)"]
        for (what, command) in Self.nextCommands(r) { lines += ["  \(what):", "    \(command)"] }
        lines.append("  (inside \(Self.here(r.workdir)), or below it, the store is found without --store)")
        return lines.joined(separator: "\n")
    }

    /// The follow-up commands, as the user can type them where they stand: the binary as it was invoked and the
    /// store relative to the current folder.
    static func nextCommands(_ r: DemoReport) -> [(what: String, command: String)] {
        let invoked = CommandLine.arguments.first ?? "headroom"
        let binary = invoked.contains("/") ? here(URL(fileURLWithPath: invoked).standardizedFileURL.path) : invoked
        let store = "--store " + here(URL(fileURLWithPath: r.store).standardizedFileURL.path)
        let patch = r.patch.map(String.init) ?? "1"
        return [
            ("the patch, the agent's transcript and the A/B runs", "\(binary) review show \(patch) \(store)"),
            (
                "apply it: cherry-pick onto \(here(r.repository))'s checked-out branch",
                "\(binary) review apply \(patch) \(store)"
            ),
            ("where the service's CPU goes", "\(binary) top --service \(r.service ?? "shop") \(store)"),
            ("the culprit ranking with its evidence", "\(binary) rootcause \(r.regression.id) \(store)"),
            ("the same tools for an MCP client (stdio)", "\(binary) mcp \(store)"),
        ]
    }

    /// A path relative to the current folder when it is inside it.
    static func here(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
