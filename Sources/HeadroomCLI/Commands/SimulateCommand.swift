import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomDetection

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a synthetic fleet with known regressions (series.csv, truth.csv, optionally profiles/).",
        discussion: """
            Each service's samples per bucket are split multinomially over its functions' CPU shares, with
            over-dispersion and a daily load cycle. Series carry one scenario each: clean, regression or
            improvement (steps sized in MDE units), transient, spike, shift (cost moved between siblings under one
            parent), or drift; a fraction also carries a daily cycle. truth.csv records what was planted.
            `headroom detect --series DIR/series.csv` reads the fleet; --profiles also writes folded profiles for
            `headroom ingest` and the store path.
            """)

    @Option(help: "Output directory.") var out: String
    @Option(help: "Services.") var services = 20
    @Option(help: "Functions per service.") var functions = 50
    @Option(help: "Points (buckets) per series.") var points = 336
    @Option(help: "Seconds between points.") var interval: Int64 = 3600
    @Option(help: "Mean samples per service per bucket.") var samples: Int64 = 100_000
    @Option(help: "Relative over-dispersion of each share between buckets.") var dispersion = 0.02
    @Option(help: "Fraction of series with a daily cycle.") var seasonal = 0.3
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Flag(help: "Also write folded profiles per service and bucket under OUT/profiles.") var profiles = false

    func run() throws {
        guard services > 0, functions > 0, points >= 10, interval > 0, samples > 0 else {
            throw HeadroomError(.badInput, "--services, --functions, --samples must be positive; --points at least 10")
        }
        guard (0...1).contains(seasonal), dispersion >= 0, dispersion < 1 else {
            throw HeadroomError(.badInput, "--seasonal must be in [0, 1] and --dispersion in [0, 1)")
        }
        var configuration = SimulationConfiguration()
        configuration.services = services
        configuration.functions = functions
        configuration.points = points
        configuration.interval = interval
        configuration.samples = samples
        configuration.dispersion = dispersion
        configuration.seasonalFraction = seasonal
        configuration.seed = seed
        let summary = try FleetSimulationWriter(configuration: configuration, writeProfiles: profiles).write(to: out)
        let kinds = SimulatedKind.allCases.map { "\($0.rawValue) \(summary.kinds[$0, default: 0])" }
        print("\(out): \(summary.series) series × \(points) points (\(kinds.joined(separator: ", ")))")
    }
}
