import Foundation
import HeadroomCore
import HeadroomProfiles
import HeadroomStore

/// Runs a command under a real profiler and ingests what it recorded.
///
/// Python programs go under py-spy (`record -f raw`, frames `func (file.py:line)`); `go test` runs with Go's own
/// profiler (`-cpuprofile`, a pprof file with its sampling period and duration); anything else under
/// `perf record -g` (frame-pointer call graphs), converted with `perf script`.
public struct ProfileRecorder: Sendable {
    /// The profiler a recording uses.
    public enum Profiler: String, Sendable, CaseIterable {
        case auto, pySpy = "py-spy", perf, goTest = "go"
    }

    /// The store recordings are ingested into.
    public let store: Store
    /// A recorder into `store`.
    public init(store: Store) { self.store = store }

    /// What a recording did.
    public struct Outcome: Sendable {
        /// The profiler that ran.
        public var profiler: Profiler
        /// The ingest of what it recorded.
        public var report: ProfileIngestor.Report
        /// The profiled command's exit status.
        public var commandStatus: Int32
    }

    /// Runs `command` under a profiler and ingests the profile for `service`.
    public func record(
        command: [String], service: String, profiler: Profiler = .auto, rate: Int = 100, timeout: Double = 3600,
        keepProfile: String? = nil
    ) throws -> Outcome {
        guard let program = command.first else {
            throw HeadroomError(.badInput, "no command to record (give it after --)")
        }
        guard rate > 0 && rate <= 10_000 else {
            throw HeadroomError(.badInput, "--rate must be between 1 and 10000 Hz")
        }
        let chosen = profiler == .auto ? Self.choose(for: command) : profiler
        let scratch = try PrivateTemporary.directory(prefix: "headroom-record")
        defer { PrivateTemporary.remove(scratch) }
        let started = Timestamps.now()
        let profilePath: String
        let format: ProfileFormat
        let status: Int32
        var measures: (rate: Double, duration: Double)?
        switch chosen {
        case .pySpy, .auto:
            guard Shell.which("py-spy") != nil else {
                throw HeadroomError(
                    .missingTool, "py-spy is not installed (pip install py-spy, or run scripts/ensure-tools.sh)")
            }
            profilePath = scratch.appendingPathComponent("profile.folded").path
            let clock = ContinuousClock.now
            let result = try Shell.run(
                ["py-spy", "record", "-r", String(rate), "-f", "raw", "-o", profilePath, "--"] + command,
                timeout: timeout)
            try Self.check(result, profiler: "py-spy", program: program, output: profilePath)
            status = result.status
            format = .folded
            // py-spy samples each running thread `rate` times a CPU-second and leaves idle ones out: its samples
            // over the rate are CPU seconds, over the run's wall time.
            let elapsed = ContinuousClock.now - clock
            measures = (
                Double(rate), elapsed.seconds
            )
        case .goTest:
            guard command.count >= 2, (program as NSString).lastPathComponent == "go", command[1] == "test" else {
                throw HeadroomError(.badInput, "--profiler go records `go test …` (a benchmark of one package)")
            }
            profilePath = scratch.appendingPathComponent("cpu.pprof").path
            let binary = scratch.appendingPathComponent("package.test").path
            // The profile and the test binary go to the scratch folder, never into the work tree.
            let arguments = [command[0], "test", "-cpuprofile", profilePath, "-o", binary] + command.dropFirst(2)
            let result = try Shell.run(Array(arguments), timeout: timeout)
            if result.status != 0, result.stderr.contains("cannot use -cpuprofile flag with multiple packages") {
                throw HeadroomError(.badInput, "go test profiles one package at a time: name one (./pkg), not ./...")
            }
            try Self.check(result, profiler: "go test -cpuprofile", program: program, output: profilePath)
            status = result.status
            format = .pprof
        case .perf:
            guard Shell.which("perf") != nil else {
                throw HeadroomError(.missingTool, "perf is not installed (apt-get install linux-perf)")
            }
            let data = scratch.appendingPathComponent("perf.data").path
            let result = try Shell.run(
                ["perf", "record", "-g", "-F", String(rate), "-o", data, "--"] + command, timeout: timeout)
            try Self.check(result, profiler: "perf record", program: program, output: data)
            status = result.status
            let script = try Shell.run(["perf", "script", "-i", data], timeout: timeout)
            guard script.succeeded else {
                throw HeadroomError(.process, "perf script failed: \(script.stderr.split(separator: "\n").last ?? "")")
            }
            profilePath = scratch.appendingPathComponent("perf.script").path
            try PrivateTemporary.write(script.stdout, to: profilePath)
            format = .perf
        }
        if let keepProfile {
            try? FileManager.default.removeItem(atPath: keepProfile)
            try FileManager.default.copyItem(atPath: profilePath, toPath: keepProfile)
        }
        var options = ProfileReadOptions(format: format)
        options.sampleRate = measures?.rate
        options.duration = measures?.duration
        let report = try ProfileIngestor(store: store).ingest(
            file: profilePath, service: service, at: started, options: options)
        return Outcome(profiler: chosen, report: report, commandStatus: status)
    }

    /// py-spy for Python (`python…` or a `.py` script), perf for everything else.
    static func choose(for command: [String]) -> Profiler {
        let program = (command[0] as NSString).lastPathComponent
        if program.hasPrefix("python") || program.hasSuffix(".py") { return .pySpy }
        if program == "go", command.count >= 2, command[1] == "test" { return .goTest }
        return .perf
    }

    static func check(_ result: ProcessResult, profiler: String, program: String, output: String) throws {
        if result.timedOut {
            throw HeadroomError(.process, "\(program) did not finish before the timeout; nothing ingested")
        }
        guard FileManager.default.fileExists(atPath: output) else {
            // py-spy starts the program, then attaches to it: a program that is gone by then (a short run on a busy
            // machine) leaves it nothing to read, and its last stderr line is a backtrace frame, not the reason.
            if result.stderr.contains("Check that the process is running") {
                throw HeadroomError(
                    .process,
                    "\(profiler) could not attach: \(program) had already exited (\(String(format: "%.2f", result.seconds)) s); "
                        + "nothing ingested: profile a longer run")
            }
            let reason =
                result.stderr.split(separator: "\n").first { $0.hasPrefix("Error:") }.map(String.init)
                ?? result.stderr.split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
            throw HeadroomError(.process, "\(profiler) recorded nothing: \(reason)")
        }
        guard result.status == 0 else {
            throw HeadroomError(
                .process, "\(program) exited with status \(result.status) under \(profiler); nothing ingested")
        }
    }
}
