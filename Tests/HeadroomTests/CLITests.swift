import ArgumentParser
import Foundation
@testable import HeadroomCLI
import HeadroomCore
import HeadroomTesting
import Testing

@Suite("CLI", .ownThreads)
struct CLITests {
    @Test("options parse in-process into the values the commands read; bad ones are usage errors naming the option")
    func parsesOptions() throws {
        let top = try #require(
            try HeadroomCommand.parseAsRoot([
                "top", "--service", "shop", "--by", "total", "-n", "5", "--format", "json", "--from",
                "2026-11-02T08:00:00Z",
            ]) as? TopCommand)
        #expect(top.query.service == "shop" && top.by == "total" && top.n == 5)
        #expect(top.formatOptions.format == .json && top.query.from == "2026-11-02T08:00:00Z")
        #expect(top.storeOptions.store == nil)

        let demo = try #require(
            try HeadroomCommand.parseAsRoot(["demo", "--workdir", "/tmp/x", "--seconds", "2", "--runs", "10"])
                as? DemoCommand)
        #expect(demo.workdir == "/tmp/x" && demo.seconds == 2 && demo.runs == 10 && demo.store == nil)

        let ingest = try #require(
            try HeadroomCommand.parseAsRoot([
                "ingest", "a.folded", "b.folded", "--service", "s", "--at", "2026-11-02T08:00:00Z", "--store",
                "/tmp/s.sqlite", "--profile-format", "folded",
            ]) as? IngestCommand)
        #expect(ingest.files == ["a.folded", "b.folded"] && ingest.service == "s")
        #expect(ingest.at == "2026-11-02T08:00:00Z" && ingest.profileFormat == "folded")
        #expect(ingest.storeOptions.path == "/tmp/s.sqlite" && ingest.maxProfileMB == 1024)

        // Usage errors: exit code 64 (EX_USAGE) and a message that names what was wrong.
        let bad: [([String], String)] = [
            (["top", "--format", "xml", "--service", "s"], "xml"),
            (["demo", "--runs", "2"], "--runs must be between 5 and 200"),
            (["ingest", "--service", "s"], "<files>"),
            (["top", "-n", "many", "--service", "s"], "many"),
        ]
        for (arguments, named) in bad {
            do {
                _ = try HeadroomCommand.parseAsRoot(arguments)
                Issue.record("\(arguments) parsed")
            } catch {
                #expect(HeadroomCommand.exitCode(for: error) == .validationFailure, "\(arguments)")
                let message = HeadroomCommand.message(for: error)
                #expect(message.contains(named), "\(arguments): \(message)")
            }
        }
    }

    /// Bytes of a file, or nil.
    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test("bad input through the binary: one error line, non-zero exit, store unchanged")
    func badInputEndToEnd() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let good = try dir.write("good.folded", "main (m.py:1);hot (m.py:5) 7\n")
        let ok = try Checkout.headroom(["ingest", good, "--service", "svc", "--store", store, "--at", "1793606400"])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("ingested"))
        let snapshot = bytes(store)

        let cases: [[String]] = [
            ["ingest", dir.file("missing.folded"), "--service", "svc", "--store", store],
            ["ingest", try dir.write("bad.folded", "a;b 1\nbroken line"), "--service", "svc", "--store", store],
            ["ingest", good, "--service", "svc", "--store", store, "--at", "not-a-time"],
            ["top", "--service", "nope", "--store", store],
            ["rootcause", "99", "--store", store],
        ]
        for arguments in cases {
            let result = try Checkout.headroom(arguments)
            #expect(result.status != 0, "\(arguments)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(result.stderr)")
            #expect(lines.first?.hasPrefix("headroom: error:") == true)
            #expect(bytes(store) == snapshot, "store changed by \(arguments)")
        }
        let corrupt = try dir.write("corrupt.sqlite", String(repeating: "garbage", count: 500))
        let result = try Checkout.headroom(["top", "--service", "svc", "--store", corrupt])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not a Headroom store (not a SQLite database); it was left untouched"))
        let missing = try Checkout.headroom(["detect", "--store", dir.file("none.sqlite")])
        #expect(missing.status == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.file("none.sqlite")))
    }

    @Test("top --format json has the contract's fields and shares")
    func topJSON() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let file = try dir.write("p.folded", "main (m.py:1);hot (m.py:5) 3\nmain (m.py:1) 1\n")
        _ = try Checkout.headroom(["ingest", file, "--service", "svc", "--store", store])
        let result = try Checkout.headroom(["top", "--service", "svc", "--store", store, "--format", "json"])
        #expect(result.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["total_samples"] as? Int == 4)
        let first = (json?["functions"] as? [[String: Any]])?.first
        #expect(first?["function"] as? String == "hot")
        #expect(first?["file"] as? String == "m.py")
        #expect(first?["self"] as? Double == 0.75)
        #expect(first?["total_samples"] as? Int == 3)
    }

    @Test("simulate, then detect --series: the JSON contract, and bad input is one line with exit 1")
    func simulateAndDetectSeries() throws {
        let dir = try TemporaryDirectory()
        let fleet = dir.file("fleet")
        let simulated = try Checkout.headroom([
            "simulate", "--out", fleet, "--services", "3", "--functions", "20", "--seed", "5",
        ])
        #expect(simulated.succeeded, "\(simulated.stderr)")
        #expect(simulated.stdout.contains("60 series × 336 points"))
        let result = try Checkout.headroom(["detect", "--series", fleet + "/series.csv", "--format", "json"])
        #expect(result.succeeded, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let regressions = json?["regressions"] as? [[String: Any]] ?? []
        #expect(!regressions.isEmpty)
        for key in [
            "id", "series", "index", "timestamp", "before", "after", "relative_change", "kind", "confidence",
            "p_value", "mde", "effect_mde", "members",
        ] {
            #expect(regressions.first?[key] != nil, "missing \(key)")
        }
        #expect((json?["summary"] as? [String: Any])?["series"] as? Int == 60)
        let bad = dir.file("bad.csv")
        try Data("series,timestamp,value\na,1,1\nb,1,1\na,2,1\n".utf8).write(to: URL(fileURLWithPath: bad))
        let refused = try Checkout.headroom(["detect", "--series", bad])
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains("bad.csv:4: series a appears again"))
    }
}
