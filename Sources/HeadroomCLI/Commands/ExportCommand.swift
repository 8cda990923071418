import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export findings for other tools.", subcommands: [Sarif.self])

    struct Sarif: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Open regressions and opportunities as SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers), with delivered patches as fixes."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Only this service's findings.") var service: String?
        @Option(help: "The repository to place findings in (default: every registered repository, a run each).")
        var repo: String?
        @Option(help: "Cores behind a share of 1.0 (default 1000), for the cores and watts properties.")
        var fleetCores: Double?
        @Option(name: .shortAndLong, help: "Write to this file instead of stdout.") var output: String?
        @Flag(
            help:
                "Upload each repository's run to GitHub code scanning ([forge] in its headroom.toml; the commit and branch checked out)."
        )
        var upload = false

        func run() async throws {
            if let fleetCores, !(fleetCores.isFinite && fleetCores > 0) {
                throw HeadroomError(.badInput, "--fleet-cores must be a positive number")
            }
            let exporter = SarifExporter(
                store: try storeOptions.open(), costs: CostModel(fleetCores: fleetCores ?? 1000))
            let export = try exporter.export(service: service, repository: repo)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let data = try encoder.encode(export.log) + Data("\n".utf8)
            if let output {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            } else if !upload {
                FileHandle.standardOutput.write(data)
            }
            if upload {
                for sent in try await SarifUploader().upload(export.log) {
                    print(
                        "uploaded \(sent.results) result(s) for \(sent.repo) at \(sent.commit.prefix(12)) (\(sent.ref)): upload \(sent.id) \(sent.url)"
                    )
                }
            }
            var summary = "sarif: \(export.results) result(s), \(export.fixes) fix(es)"
            if !export.unlocated.isEmpty {
                summary +=
                    "; \(export.unlocated.count) not found in the repository's HEAD and left out: "
                    + export.unlocated.prefix(5).joined(separator: ", ")
            }
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        }
    }
}
