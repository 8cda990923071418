import Foundation
import HeadroomCore
import HeadroomTesting
import Testing

/// The program's commands as a user runs them: `ingest --label`, `experiment`, `detect`, `triage … snoozed`,
/// `digest`, `inbox` and `metrics`, each read back from its `--format json` answer.
@Suite("program commands, end to end", .ownThreads)
struct ProgramCommandTests {
    func json(_ arguments: [String]) throws -> [String: Any] {
        let run = try Checkout.headroom(arguments + ["--format", "json"])
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test("labelled profiles compared by experiment; a regression snoozed, digested and in nobody's inbox")
    func commands() async throws {
        let dir = try TemporaryDirectory(prefix: "headroom-program")
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        // Five minutes of each arm: the canary's `price` costs about half the stable one's.
        let start: Int64 = 1_790_000_000  // in the past: the digest runs up to now
        for minute in 0..<5 {
            for (arm, price) in [("stable", 250 + minute), ("canary", 120 + minute)] {
                let file = try dir.write(
                    "\(arm)-\(minute).folded", "main;price \(price)\nmain;other \(700 + minute)\n")
                let run = try Checkout.headroom([
                    "ingest", file, "--service", "shop", "--store", store, "--at", "\(start + Int64(minute) * 60)",
                    "--label", "version=\(arm)",
                ])
                #expect(run.status == 0, "\(run.stderr)")
            }
        }
        let bad = try Checkout.headroom([
            "ingest", dir.file("stable-0.folded"), "--service", "shop", "--store", store, "--label", "version",
        ])
        #expect(bad.status != 0 && bad.stderr.contains("expected KEY=VALUE"))

        let check = try json([
            "experiment", "--service", "shop", "--label", "version", "--control", "stable", "--treatment", "canary",
            "--function", "price", "--store", store,
        ])
        #expect(check["verdict"] as? String == "pass", "\(check)")
        #expect(check["control_buckets"] as? Int == 5 && check["test"] as? String == "mann-whitney")
        let target = try #require(check["target"] as? [String: Any])
        let stableShare = Double((0..<5).map { 250 + $0 }.reduce(0, +)) / Double(check["control_samples"] as? Int ?? 1)
        #expect(abs((target["control_share"] as? Double ?? 0) - stableShare) < 1e-12)
        // A failing check exits 1, so a pipeline can gate on it.
        let worse = try Checkout.headroom([
            "experiment", "--service", "shop", "--label", "version", "--control", "canary", "--treatment", "stable",
            "--function", "price", "--store", store,
        ])
        #expect(worse.status == 1 && worse.stdout.contains("verdict: fail"))

        // Later, a collector appears from nothing (a new root, not cost moving between siblings): a regression; a
        // person snoozes it for a week.
        for minute in 5..<12 {
            let file = try dir.write(
                "late-\(minute).folded",
                "main;price \(250 + minute)\nmain;other \(700 + minute)\ngc;sweep \(400 + minute)\n")
            _ = try Checkout.headroom([
                "ingest", file, "--service", "shop", "--store", store, "--at", "\(start + Int64(minute) * 60)",
            ])
        }
        let detected = try json(["detect", "--service", "shop", "--store", store, "--fleet-cores", "1"])
        let regression = try #require(
            (detected["regressions"] as? [[String: Any]])?.first { $0["function"] as? String == "sweep" })
        let id = try #require(regression["id"] as? Int)
        let snoozed = try json(["triage", "\(id)", "snoozed", "--for", "7d", "--note", "freeze", "--store", store])
        let triage = try #require(snoozed["triage"] as? [String: Any])
        #expect(triage["verdict"] as? String == "snoozed" && triage["snooze_until"] is String)
        // The digest sees it quiet; the metrics count it snoozed, not untriaged.
        let digest = try json(["digest", "--since", "\(start)", "--store", store, "--fleet-cores", "1"])
        #expect((digest["counts"] as? [String: Int])?["quiet"] ?? 0 >= 1, "\(digest)")
        let quiet = (digest["regressions"] as? [[String: Any]] ?? []).first {
            ($0["regression"] as? [String: Any])?["id"] as? Int == id
        }
        #expect(quiet?["route"] as? String == "quiet" && (quiet?["reason"] as? String)?.contains("freeze") == true)
        let metrics = try json(["metrics", "--store", store])
        #expect((metrics["regressions"] as? [String: Any])?["snoozed"] as? Int == 1)
        // Nobody owns it (no repository, no ranked culprit): an empty inbox, every list present.
        let inbox = try json(["inbox", "--for", "carol@example.com", "--store", store])
        #expect(inbox["person"] as? String == "carol@example.com")
        #expect((inbox["regressions"] as? [Any])?.isEmpty == true && (inbox["patches"] as? [Any])?.isEmpty == true)
    }
}
