import Foundation
import HeadroomAgent
import HeadroomCore
import HeadroomProfiles
import HeadroomSkills
import HeadroomStore

/// The whole defense loop on a bundled example: history → deploys profiled (py-spy for the Python shop; the Go links
/// service profiles itself with runtime/pprof) → detection → root cause → the skill's fix on a new branch → tests and
/// A/B benchmark → PR description. No stage is simulated.
public struct DemoPipeline: Sendable {
    /// What the demo runs on and where.
    public var options: DemoOptions
    /// Marks a workdir as made by the demo, so a re-run may clear it (and no other folder).
    static let marker = ".headroom-demo"

    /// A demo with `options`.
    public init(options: DemoOptions) { self.options = options }

    /// Runs the whole loop on the bundled example and reports each stage.
    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> DemoReport {
        let clock = Date()
        var stages: [DemoReport.Stage] = []
        func stage<T>(_ number: Int, _ name: String, _ title: String, _ body: () async throws -> T) async throws -> T {
            progress("[\(number)/6] \(title)")
            let started = Date()
            do {
                let value = try await body()
                stages.append(.init(name: name, seconds: Date().timeIntervalSince(started)))
                return value
            } catch {
                throw HeadroomError(.process, "demo stage '\(name)' failed: \(HeadroomError.oneLine(error))")
            }
        }
        guard Shell.which("python3") != nil else {
            throw HeadroomError(.missingTool, "python3 is not installed; the demo builds its example's history with it")
        }
        let example = try locateExample()
        let isGo = FileManager.default.fileExists(
            atPath: (example as NSString).appendingPathComponent("service/go.mod"))
        if isGo {
            guard Shell.which("go") != nil else {
                throw HeadroomError(
                    .missingTool,
                    "the Go toolchain is not installed; the Go example needs it (apt-get install golang-go)")
            }
        } else {
            guard Shell.which("py-spy") != nil else {
                throw HeadroomError(
                    .missingTool,
                    "py-spy is not installed: run the README's demo command (scripts/demo.sh installs it with pip)")
            }
        }
        let workdir = try prepareWorkdir()
        let repository = (workdir as NSString).appendingPathComponent(isGo ? "links" : "shop")
        let storePath = options.store ?? (workdir as NSString).appendingPathComponent(".headroom/headroom.sqlite")
        let store = try Store.open(path: storePath)

        try await stage(1, "example", "building the example's git history") { () throws in
            let result = try Shell.run(
                [
                    "python3", (example as NSString).appendingPathComponent("make_history.py"),
                    repository,
                ], timeout: 120)
            guard result.succeeded else {
                throw HeadroomError(.process, result.stderr.trimmingCharacters(in: .newlines))
            }
        }
        let commits = try await stage(2, "changes", "importing the commits and the functions each changed") {
            try ChangeHistoryService(store: store).importRepository(repository).commits
        }
        let settings = try ProjectSettings.load(repository: repository)
        let service = settings.serviceName ?? (isGo ? "links" : "shop")
        let samples = try await stage(
            3, "profile",
            "deploying each commit and profiling \(String(format: "%.0f", options.profileSeconds))s of load with "
                + (isGo ? "runtime/pprof" : "py-spy")
        ) { () throws -> Int in
            try profileDeploys(
                commits, repository: repository, workdir: workdir, service: service, store: store,
                settings: settings, progress: progress)
        }
        let regression = try await stage(4, "detect", "detecting regressions in function-level CPU share") {
            () throws -> Regression in
            let found = try DetectionService(store: store).run(service: service)
            guard let top = found.first(where: { $0.kind == .regression }) else {
                throw HeadroomError(.notFound, "no regression found in \(commits.count) deploys")
            }
            return top
        }
        let candidates = try await stage(5, "rootcause", "ranking the commits deployed around the onset") {
            () throws -> [RootCauseCandidate] in
            let ranked = try RootCauseService(store: store).run(regression: regression.id!).candidates
            guard !ranked.isEmpty else { throw HeadroomError(.notFound, "no candidate change in the onset window") }
            return ranked
        }
        let patch = try await stage(6, "fix", "fixing, testing and A/B benchmarking on a new branch") {
            () throws -> PatchRecord in
            guard settings.testCommand != nil, settings.benchCommand != nil else {
                throw HeadroomError(.config, "the example's headroom.toml lacks [commands] test or bench")
            }
            let context = ToolContext(
                store: store, skillsRoot: try SkillCatalog.locate(options.skills),
                outputDirectory: (workdir as NSString).appendingPathComponent("prs"),
                validation: ValidationConfiguration(runs: options.abRuns))
            let result = try await AgentService(context: context).fix(regression: regression.id!) {
                progress("      \($0)")
            }
            guard result.status == .delivered, let id = result.patch else {
                throw HeadroomError(.refused, result.reason ?? "the fix was \(result.status.rawValue)")
            }
            return try store.patch(id: id)
        }
        let top = candidates[0]
        let v = patch.validation!
        return DemoReport(
            status: patch.status.rawValue, reason: patch.reason, workdir: workdir, repository: repository,
            store: storePath, deploys: commits.count, samples_per_deploy: samples,
            regression: .init(
                id: regression.id!, function: regression.function.name, file: regression.function.file,
                metric: regression.metric.rawValue, before: regression.before, after: regression.after,
                relative_change: regression.relativeChange.finite, timestamp: Timestamps.format(regression.timestamp),
                p_value: regression.pValue,
                members: regression.members.map { "\($0.function.name) (\($0.metric.rawValue))" }),
            root_cause: .init(
                commit: top.ref, author: top.author, email: top.email, message: top.message, score: top.score,
                evidence: top.evidence, runner_up: candidates.dropFirst().first?.ref,
                runner_up_score: candidates.dropFirst().first?.score),
            skill: patch.skill, branch: patch.branch, diff: patch.diff, pr_description: patch.prDescription,
            validation: .init(
                tests_passed: v.testsPassed, speedup: v.speedup, ci95: v.ci95, p_value: v.pValue,
                before_median_seconds: Descriptive.median(v.beforeSeconds),
                after_median_seconds: Descriptive.median(v.afterSeconds), runs: v.beforeSeconds.count),
            stages: stages, wall_seconds: Date().timeIntervalSince(clock), patch: patch.id, service: service,
            profiler: isGo ? "runtime/pprof" : "py-spy")
    }

    /// Deploys each commit in turn (a detached worktree), runs the load driver under py-spy and ingests the profile.
    /// Returns the mean samples per deploy.
    func profileDeploys(
        _ commits: [Commit], repository: String, workdir: String, service: String, store: Store,
        settings: ProjectSettings, progress: @Sendable (String) -> Void
    ) throws -> Int {
        let git = try Git(path: repository)
        let deployTree = (workdir as NSString).appendingPathComponent("deploy")
        let profiles = (workdir as NSString).appendingPathComponent("profiles")
        try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
        try git.run(["worktree", "add", "-q", "--detach", deployTree, commits[0].sha])
        defer { _ = try? git.run(["worktree", "remove", "--force", deployTree]) }
        let ingestor = ProfileIngestor(store: store)
        var total = 0
        for (i, commit) in commits.enumerated() {
            _ = try Shell.run(["git", "-C", deployTree, "checkout", "-q", "--detach", commit.sha], timeout: 60)
            let deployTime = commit.time + 30 * 60
            try store.addDeploy(Deploy(service: service, commit: commit.sha, time: deployTime))
            let deployed = try ProjectSettings.load(repository: deployTree)
            let load = (deployed.loadCommand ?? settings.loadCommand ?? "python3 load.py --seconds {seconds}")
                .replacingOccurrences(of: "{seconds}", with: String(format: "%g", options.profileSeconds))
            // A load command that names {profile} profiles itself (Go's runtime/pprof); others run under py-spy.
            let selfProfiling = load.contains("{profile}")
            let output = (profiles as NSString).appendingPathComponent(
                String(format: "%02d-", i + 1) + "\(commit.sha.prefix(7))" + (selfProfiling ? ".pprof" : ".folded"))
            let started = ContinuousClock.now
            let command =
                selfProfiling
                ? CommandLineWords.split(load).map { $0.replacingOccurrences(of: "{profile}", with: output) }
                : ["py-spy", "record", "-f", "raw", "-r", "\(options.sampleRate)", "-o", output, "--"]
                    + CommandLineWords.split(load)
            let run = try Shell.run(command, in: deployTree, timeout: options.profileSeconds * 4 + 120)
            let elapsed = ContinuousClock.now - started
            guard run.succeeded, FileManager.default.fileExists(atPath: output) else {
                let why = run.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(run.status)"
                throw HeadroomError(
                    .process,
                    "\(selfProfiling ? "the load driver" : "py-spy") on \(commit.sha.prefix(7)) failed: \(why)")
            }
            // py-spy's samples over its rate are the CPU seconds, over the run's wall time: measured cores. A pprof
            // profile carries its own period and duration.
            var read = ProfileReadOptions()
            if !selfProfiling {
                read.sampleRate = Double(options.sampleRate)
                read.duration = elapsed.seconds
            }
            // Tagged with the build, as agents tag their pushes: builds can be compared with get_experiment.
            try ingestor.ingest(
                file: output, service: service, at: deployTime + 15 * 60,
                labels: [Label(key: "version", value: String(commit.sha.prefix(7)))], options: read)
            let samples =
                (try? store.top(
                    service: service, from: Store.bucket(for: deployTime + 15 * 60),
                    to: Store.bucket(for: deployTime + 15 * 60), limit: 1
                ).totalSamples) ?? 0
            total += Int(samples)
            progress(
                "      deploy \(i + 1)/\(commits.count) \(commit.sha.prefix(7)) \(commit.author): "
                    + "\(samples) samples — \(commit.message)")
        }
        return total / max(commits.count, 1)
    }

    /// The bundled examples by name: the Python shop (the default) and the Go links service.
    public static let bundledExamples = [
        "shop": "Examples/shop", "python": "Examples/shop", "go": "Examples/links",
        "links": "Examples/links",
    ]

    /// The example folder: `options.example` (a bundled example's name - `go`, `shop` - or a folder),
    /// `$HEADROOM_EXAMPLE`, or `Examples/shop` above the executable or the current directory.
    func locateExample() throws -> String {
        let fm = FileManager.default
        let isExample = { (path: String) in
            fm.fileExists(atPath: (path as NSString).appendingPathComponent("make_history.py"))
        }
        if let name = options.example, let bundled = Self.bundledExamples[name], !fm.fileExists(atPath: name) {
            if let found = BundledFiles.find(bundled, where: isExample) { return found }
            throw HeadroomError(.notFound, "cannot find \(bundled); run from the Headroom checkout")
        }
        if let given = options.example ?? ProcessInfo.processInfo.environment["HEADROOM_EXAMPLE"] {
            guard isExample(given) else {
                throw HeadroomError(.notFound, "\(given) is not a Headroom example (no make_history.py)")
            }
            return given
        }
        if let found = BundledFiles.find("Examples/shop", where: isExample) { return found }
        throw HeadroomError(
            .notFound, "cannot find Examples/shop; run from the Headroom checkout or pass --example DIR")
    }

    /// A fresh, empty workdir; an old demo workdir (with the marker) is cleared, any other non-empty folder refused.
    func prepareWorkdir() throws -> String {
        let fm = FileManager.default
        let path = URL(fileURLWithPath: options.workdir).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw HeadroomError(.badInput, "--workdir \(path) is a file; the demo needs a folder (it creates one)")
        }
        if fm.fileExists(atPath: path) {
            let contents = try fm.contentsOfDirectory(atPath: path)
            if contents.contains(Self.marker) {
                try fm.removeItem(atPath: path)
            } else if !contents.isEmpty {
                throw HeadroomError(
                    .badInput, "\(path) exists and was not made by headroom demo; choose another --workdir")
            }
        }
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = fm.createFile(atPath: (path as NSString).appendingPathComponent(Self.marker), contents: Data())
        return path
    }
}
