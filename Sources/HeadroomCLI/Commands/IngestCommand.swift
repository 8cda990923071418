import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Add profiles (folded stacks, py-spy raw) to a service's timeline.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "Profile files.") var files: [String]
    @Option(help: "The service the profiles belong to.") var service: String
    @Option(help: "When the profiles were taken (ISO-8601 or Unix seconds); default now.") var at: String?
    @Option(name: .customLong("profile-format"), help: "Force the format: folded.") var profileFormat: String?

    func run() throws {
        guard !service.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw HeadroomError(.badInput, "--service must not be empty")
        }
        let time = try parseTime(at, option: "at") ?? Timestamps.now()
        let format = try profileFormat.map { name -> ProfileIngestor.Format in
            guard let format = ProfileIngestor.Format(rawValue: name) else {
                throw HeadroomError(.badInput, "--profile-format: unknown format '\(name)' (known: folded)")
            }
            return format
        }
        let store = try Store.open(path: storeOptions.store)
        let ingestor = ProfileIngestor(store: store)
        for file in files {
            switch try ingestor.ingest(file: file, service: service, at: time, format: format) {
            case .ingested(let bucket): print("ingested \(file) into \(service) at \(Timestamps.format(bucket))")
            case .duplicate: print("skipped \(file): already ingested for \(service)")
            }
        }
    }
}
