// Ingest into the profile store on SQLite and on PostgreSQL, side by side in one run: the same pushes (a fleet's
// ~200-stack folded profiles, 20 services, 10 s windows) committed in batches into the ingest log and compacted,
// as `headroom serve` does. Prints pushes/s per engine and the ratio. Used by Benchmarks/store/run.sh.
//
// Then detection: --services × --functions function series over --buckets buckets ingested into both engines and
// detected - SQLite in one process, PostgreSQL by two team workers - with the times, their ratio and the regressions
// found compared.
//
//   headroom-store-bench [PUSHES] [--database postgres://…] [--services N] [--functions N] [--buckets N]
//   (default 4,000 pushes; 100 services × 500 functions × 336 buckets, i.e. 100,000 series; a throwaway cluster)
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting

let arguments = CommandLine.arguments.dropFirst()
let pushes = arguments.first.flatMap(Int.init) ?? 4_000
let detectionBench = DetectionBench(
    services: option("--services", 100), functions: option("--functions", 500), buckets: option("--buckets", 336))
let databaseURL = arguments.firstIndex(of: "--database").map { arguments[$0 + 1] }
func option(_ name: String, _ fallback: Int) -> Int {
    arguments.firstIndex(of: name).flatMap { Int(arguments[$0 + 1]) } ?? fallback
}
let batch = 16
let services = 20

// One payload shape, as the serve benchmark's: 240 functions, ~200 stacks of 8-24 frames.
var generator = SplitMix(seed: 7)
let functions = (0..<12).flatMap { m in (0..<20).map { "module\(m).handler_\($0) (app/module\(m).py:\(10 + $0))" } }
var lines: [String] = []
while lines.count < 200 {
    let depth = 8 + Int(generator.next() % 17)
    lines.append(
        (0..<depth).map { _ in functions[Int(generator.next() % UInt64(functions.count))] }.joined(separator: ";"))
}
let scratch = try TemporaryDirectory()
defer { scratch.cleanup() }
let parser = ProfileIngestor(store: try Store.open(path: ":memory:"))
var built: [ProfileContribution] = []
for push in 0..<pushes {
    let text =
        lines.enumerated().map { "\($1) \(1 + ($0 + push) % 9)" }.joined(separator: "\n") + "\nown;push_\(push) 1\n"
    var options = ProfileReadOptions(format: .folded)
    options.sampleRate = 100
    options.duration = 10
    let prepared = try parser.prepare(
        data: Data(text.utf8), source: "push \(push)", service: "fleet\(push % services)",
        at: 1_793_606_400 + Int64(push / services) * 10, identity: "\(push)", options: options)
    built.append(prepared.contribution)
}
let contributions = built
let samples = contributions.map(\.totalSamples).reduce(0, +)

func timed(_ store: any ProfileStore, _ contributions: [ProfileContribution], samples: Int64) async throws -> Double {
    let start = ContinuousClock.now
    var index = 0
    while index < contributions.count {
        let results = try await store.ingest(
            batch: Array(contributions[index..<min(index + 16, contributions.count)]), deferred: true)
        precondition(results.allSatisfy { if case .success(.ingested) = $0 { true } else { false } })
        index += 16
        if index % 1_024 < 16 { _ = try await store.compactIngestLog() }
    }
    _ = try await store.compactIngestLog()
    let elapsed = ContinuousClock.now - start
    // Counted back: every sample in the buckets, once.
    var stored: Int64 = 0
    for service in 0..<20 {
        stored += try await store.timeline(service: "fleet\(service)", from: nil, to: nil).buckets.map(\.total)
            .reduce(0, +)
    }
    precondition(stored == samples, "counted back \(stored) samples of \(samples)")
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

let sqlite = try Store.open(path: scratch.file("bench.sqlite"))
try sqlite.useWriteAheadLog()
let sqliteSeconds = try await timed(sqlite, contributions, samples: samples)

let cluster = databaseURL == nil ? try PostgresCluster() : nil
defer { cluster?.stop() }
let postgres = PostgresProfileStore(location: try PostgresLocation(databaseURL ?? cluster!.url))
let postgresSeconds = try await withThrowingTaskGroup(of: Double.self) { group in
    group.addTask {
        await postgres.run()
        return 0
    }
    try await postgres.migrate()
    let seconds = try await timed(postgres, contributions, samples: samples)
    group.cancelAll()
    return seconds
}
print("| engine | pushes | seconds | pushes/s |")
print("|---|---:|---:|---:|")
for (name, seconds) in [("SQLite", sqliteSeconds), ("PostgreSQL", postgresSeconds)] {
    print(String(format: "| %@ | %d | %.2f | %.0f |", name, pushes, seconds, Double(pushes) / seconds))
}
print(String(format: "PostgreSQL / SQLite ingest rate: %.2f (target >= 0.5)", sqliteSeconds / postgresSeconds))
print(
    "(SQLite compacts functions, stacks, lines and call edges; PostgreSQL functions, stacks, call edges and bucket totals)"
)

// Detection, on a fresh database of the same cluster (or the one given).
try await detectionBench.run(
    postgres: try PostgresLocation(databaseURL ?? cluster!.url), scratch: scratch.file("detect.sqlite"))

/// A small deterministic generator, so every run pushes the same bytes.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
