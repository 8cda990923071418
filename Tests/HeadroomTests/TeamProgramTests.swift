import Foundation
import HeadroomCore
import HeadroomTesting
import Testing

/// The program's read side in team mode: `experiment`, `plan` and `inbox --database` answer from the shared
/// PostgreSQL database what they answer from a SQLite store holding the same profiles.
@Suite("team mode: experiments, plans and inboxes on PostgreSQL", .ownThreads)
struct TeamProgramTests {
    /// The JSON a command prints.
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let run = try Checkout.headroom(arguments + ["--format", "json"])
        try #require(run.succeeded, "\(arguments): \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test("labelled, measured profiles: the same experiment, plan and (empty) inbox from both engines")
    func sameAnswers() async throws {
        try await TeamWorkerTests.withTeam { _, url in
            let dir = try TemporaryDirectory()
            defer { dir.cleanup() }
            let store = dir.file("program.sqlite")
            // Six days; each day one profile per arm, one minute long at 100 samples a second. The canary's
            // `price` costs about half the stable one's.
            let start: Int64 = 1_800_000_000
            var stableSamples: Int64 = 0
            for day in 0..<6 {
                for (arm, price) in [("stable", 250 + day), ("canary", 120 + 3 * day)] {
                    let file = dir.file("\(arm)-\(day).folded")
                    try "main;price \(price)\nmain;price;compile 20\nmain;other \(700 + 10 * day)\n"
                        .write(toFile: file, atomically: true, encoding: .utf8)
                    if arm == "stable" { stableSamples += Int64(price + 20 + 700 + 10 * day) }
                    let at = start + Int64(day) * 86_400 + (arm == "stable" ? 0 : 120)
                    for target in [["--store", store], ["--database", url]] {
                        let run = try Checkout.headroom(
                            [
                                "ingest", file, "--service", "shop", "--at", "\(at)", "--label", "version=\(arm)",
                                "--sample-rate", "100", "--duration", "60",
                            ] + target)
                        try #require(run.succeeded, "\(run.stderr)")
                    }
                }
            }
            let experiment = [
                "experiment", "--service", "shop", "--label", "version", "--control", "stable", "--treatment",
                "canary", "--function", "price",
            ]
            let (a, b) = (
                try Self.json(experiment + ["--store", store]), try Self.json(experiment + ["--database", url])
            )
            #expect(NSDictionary(dictionary: a).isEqual(to: b), "\(a)\n\(b)")
            #expect(b["control_samples"] as? Int == Int(stableSamples) && b["control_buckets"] as? Int == 6, "\(b)")
            #expect(b["verdict"] as? String == "pass", "\(b)")
            let target = try #require(b["target"] as? [String: Any])
            #expect(target["direction"] as? String == "improvement", "\(target)")

            let plan = ["plan", "--service", "shop", "--horizon", "14"]
            let (p, q) = (try Self.json(plan + ["--store", store]), try Self.json(plan + ["--database", url]))
            #expect(NSDictionary(dictionary: p).isEqual(to: q), "\(p)\n\(q)")
            // Six days of measured cores: each day two one-minute profiles of (samples / 100) CPU seconds.
            #expect(q["history"] as? Int == 6 && (q["forecast"] as? [Any])?.count == 14, "\(q)")
            let lastDay = Double(250 + 5 + 20 + 700 + 50 + 120 + 15 + 20 + 700 + 50) / 100 / 120
            #expect(abs((q["last"] as? Double ?? 0) - lastDay) < 1e-9, "\(q["last"] ?? "none") vs \(lastDay)")

            let inbox = ["inbox", "--for", "ann@example.com"]
            let (i, j) = (try Self.json(inbox + ["--store", store]), try Self.json(inbox + ["--database", url]))
            #expect(NSDictionary(dictionary: i).isEqual(to: j), "\(i)\n\(j)")
            // An unknown service is the same refusal from both.
            let missing = try Checkout.headroom(
                ["plan", "--service", "nope", "--database", url, "--format", "json"])
            #expect(!missing.succeeded && missing.stderr.contains("unknown service"), "\(missing.stderr)")
        }
    }
}
