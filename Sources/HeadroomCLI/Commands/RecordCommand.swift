import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract:
            "Run a command under a profiler (py-spy for Python, go test -cpuprofile for Go, perf record -g otherwise) and ingest the profile, or fetch one from a Go service's pprof endpoint."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The service the profile belongs to.") var service: String
    @Option(help: "auto, py-spy, go (go test -cpuprofile) or perf.") var profiler: String = "auto"
    @Option(
        name: .customLong("pprof-url"),
        help:
            "Fetch the profile from a Go service's pprof endpoint instead of running a command (http://127.0.0.1:6060/debug/pprof/profile?seconds=10)."
    ) var pprofURL: String?
    @Option(help: "Sampling rate in Hz.") var rate: Int = 100
    @Option(help: "Seconds before the command is stopped.") var timeout: Double = 3600
    @Option(help: "Also keep the recorded profile at this path.") var keep: String?
    @Argument(parsing: .postTerminator, help: "The command to run, after --.") var command: [String] = []

    func run() throws {
        guard let chosen = ProfileRecorder.Profiler(rawValue: profiler) else {
            throw HeadroomError(.badInput, "--profiler must be auto, py-spy, go or perf")
        }
        if pprofURL != nil, !command.isEmpty {
            throw HeadroomError(.badInput, "give either --pprof-url or a command after --, not both")
        }
        let store = try storeOptions.open(create: true)
        let recorder = ProfileRecorder(store: store)
        let outcome =
            try pprofURL.map {
                try recorder.record(pprofURL: $0, service: service, timeout: timeout, keepProfile: keep)
            }
            ?? recorder.record(
                command: command, service: service, profiler: chosen, rate: rate, timeout: timeout, keepProfile: keep)
        let report = outcome.report
        switch report.outcome {
        case .ingested(let bucket):
            print(
                "recorded \(pprofURL ?? command.joined(separator: " ")) under \(outcome.profiler.rawValue): \(report.totalSamples) samples in \(report.uniqueStacks) stacks, ingested into \(service) at \(Timestamps.format(bucket))"
            )
        case .duplicate: print("recorded, but the same profile was already ingested for \(service)")
        }
    }
}
