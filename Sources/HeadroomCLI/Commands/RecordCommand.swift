import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run a command under a profiler (py-spy for Python, perf record -g otherwise) and ingest the profile."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The service the profile belongs to.") var service: String
    @Option(help: "auto, py-spy or perf.") var profiler: String = "auto"
    @Option(help: "Sampling rate in Hz.") var rate: Int = 100
    @Option(help: "Seconds before the command is stopped.") var timeout: Double = 3600
    @Option(help: "Also keep the recorded profile at this path.") var keep: String?
    @Argument(parsing: .postTerminator, help: "The command to run, after --.") var command: [String] = []

    func run() throws {
        guard let chosen = ProfileRecorder.Profiler(rawValue: profiler) else {
            throw HeadroomError(.badInput, "--profiler must be auto, py-spy or perf")
        }
        let store = try storeOptions.open(create: true)
        let outcome = try ProfileRecorder(store: store).record(
            command: command, service: service, profiler: chosen, rate: rate, timeout: timeout, keepProfile: keep)
        let report = outcome.report
        switch report.outcome {
        case .ingested(let bucket):
            print(
                "recorded \(command.joined(separator: " ")) under \(outcome.profiler.rawValue): \(report.totalSamples) samples in \(report.uniqueStacks) stacks, ingested into \(service) at \(Timestamps.format(bucket))"
            )
        case .duplicate: print("recorded, but the same profile was already ingested for \(service)")
        }
    }
}
