import Foundation
import HeadroomCore
import HeadroomTesting
import Testing

/// `headroom top|diff|flamegraph --database`: team mode's PostgreSQL database answers the profile queries as the
/// SQLite store does from the same profiles — the same JSON and the same SVG, byte for byte, over every range,
/// ranking and label — with the same refusals.
@Suite("team mode: profile queries on PostgreSQL", .ownThreads)
struct TeamTopTests {
    /// Folded profiles of one service in four one-minute buckets, even buckets from the stable version, odd ones
    /// from the canary: `shop.db.query` grows, `shop.render` shrinks, and the shares of the others move, so each
    /// range and label ranks them differently.
    static func profiles(_ dir: TemporaryDirectory) throws -> [(path: String, at: Int64, version: String)] {
        let start: Int64 = 1_793_606_400
        return try (0..<4).map { bucket in
            let text = """
                main;shop.handler;shop.db.query \(40 + 30 * bucket)
                main;shop.handler;shop.render \(120 - 25 * bucket)
                main;shop.handler;shop.json.encode \(55 + (bucket % 2) * 20)
                main;shop.handler \(10 + bucket)
                main;shop.cache.get \(33 - bucket)

                """
            let path = dir.file("p\(bucket).folded")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return (path, start + Int64(bucket) * 60 + 5, bucket % 2 == 0 ? "stable" : "canary")
        }
    }

    @Test("top, diff and flamegraph --database: the same JSON and SVG as the SQLite store for every range and label")
    func topMatchesSQLite() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let files = try Self.profiles(dir)
        try await TeamWorkerTests.withTeam { _, url in
            for file in files {
                for target in [["--store", store], ["--database", url]] {
                    // 100 Hz over 10 s: the profiles measure their cores.
                    let arguments = [
                        "ingest", file.path, "--service", "shop", "--at", "\(file.at)", "--sample-rate", "100",
                        "--duration", "10", "--label", "version=\(file.version)",
                    ]
                    let run = try Checkout.headroom(arguments + target)
                    try #require(run.succeeded, "\(run.stderr)")
                }
            }
            let start = files[0].at
            let queries: [[String]] = [
                [], ["--by", "total"], ["-n", "2"], ["--by", "total", "-n", "3"],
                ["--from", "\(start + 60)", "--to", "\(start + 150)"], ["--from", "\(start + 120)"],
                ["--to", "\(start)"], ["--from", "\(start + 600)"],
                ["--label", "version=canary"], ["--label", "version=stable", "--by", "total", "-n", "4"],
                ["--label", "version=canary", "--to", "\(start + 100)"], ["--label", "version=nightly"],
            ]
            /// Runs a read command on both engines; both must succeed with the same output, which is returned.
            func sameOnBoth(_ arguments: [String]) throws -> String {
                let sqlite = try Checkout.headroom(arguments + ["--store", store])
                let postgres = try Checkout.headroom(arguments + ["--database", url])
                try #require(
                    sqlite.succeeded && postgres.succeeded, "\(arguments): \(sqlite.stderr) \(postgres.stderr)")
                #expect(postgres.stdout == sqlite.stdout, "\(arguments)")
                return sqlite.stdout
            }
            for query in queries {
                _ = try sameOnBoth(["top", "--service", "shop", "--format", "json"] + query)
            }
            // The answers are not empty ones that match trivially: cores measured, functions (callers too) ranked by
            // the range (the last bucket starts 175 s after the first profile) and by label.
            func top(_ query: [String]) throws -> [String: Any] {
                let run = try Checkout.headroom(
                    ["top", "--service", "shop", "--format", "json", "--database", url] + query)
                return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            }
            let all = try top([])
            #expect((all["functions"] as? [Any])?.count == 6 && all["cores_basis"] as? String == "profile")
            let late = try top(["--from", "\(start + 170)", "-n", "1"])
            #expect((late["functions"] as? [[String: Any]])?.first?["function"] as? String == "shop.db.query")
            // The canary's buckets (1 and 3): 70 + 95 + 75 + 11 + 32 and 130 + 45 + 75 + 13 + 30 samples.
            #expect(try top(["--label", "version=canary"])["total_samples"] as? Int == 283 + 293)
            // diff: the same JSON for ranges, rankings and labels.
            // (Ranges are over bucket starts: the first bucket starts 5 s before its profile.)
            let (b0, b1, b3) = ("\(start - 5)..\(start + 54)", "\(start + 55)..\(start + 114)", "\(start + 175)..")
            let diffs: [[String]] = [
                ["--before", b0, "--after", b3], ["--before", b0, "--after", b3, "--by", "total", "-n", "3"],
                ["--before", b1, "--after", b3, "--label", "version=canary"],
                ["--before", "..\(start + 100)", "--after", "\(start + 101)..", "--alpha", "0.05"],
            ]
            for query in diffs {
                let output = try sameOnBoth(["diff", "--service", "shop", "--format", "json"] + query)
                #expect(output.contains("shop.db.query"), "\(query)")
            }
            // flamegraph: the same SVG, plain, differential and by label.
            let graphs: [[String]] = [
                [], ["--from", "\(start + 55)"], ["--diff", "--before", b0, "--after", b3],
                ["--label", "version=stable"],
            ]
            for (index, query) in graphs.enumerated() {
                let (sqliteSVG, postgresSVG) = (dir.file("s\(index).svg"), dir.file("p\(index).svg"))
                let arguments = ["flamegraph", "--service", "shop"] + query
                let sqlite = try Checkout.headroom(arguments + ["--store", store, "--out", sqliteSVG])
                let postgres = try Checkout.headroom(arguments + ["--database", url, "--out", postgresSVG])
                try #require(sqlite.succeeded && postgres.succeeded, "\(query): \(sqlite.stderr) \(postgres.stderr)")
                let drawn = try String(contentsOfFile: sqliteSVG, encoding: .utf8)
                #expect(try String(contentsOfFile: postgresSVG, encoding: .utf8) == drawn, "\(query)")
                #expect(drawn.contains("shop.render") && drawn.contains("<svg"), "\(query)")
            }
            let empty = ["flamegraph", "--service", "shop", "--from", "\(start + 600)", "--out", dir.file("none.svg")]
            let emptySQLite = try Checkout.headroom(empty + ["--store", store])
            let emptyPostgres = try Checkout.headroom(empty + ["--database", url])
            #expect(!emptyPostgres.succeeded && emptyPostgres.stderr == emptySQLite.stderr)
            // An unknown service: the same one line from both engines.
            let unknown = try Checkout.headroom(["top", "--service", "cart", "--database", url])
            let unknownSQLite = try Checkout.headroom(["top", "--service", "cart", "--store", store])
            #expect(
                !unknown.succeeded && unknown.stderr == unknownSQLite.stderr && unknown.stderr.contains("known: shop"))
        }
    }
}
