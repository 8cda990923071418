import Foundation
import HeadroomCore
import HeadroomTesting
import Testing

/// The JSON contract every adapter keeps: one result type per answer, non-finite numbers as `null`, times as
/// ISO-8601 UTC.
@Suite("JSON contracts", .ownThreads)
struct ContractTests {
    /// Twelve 10-minute buckets of folded profiles; `new_path` appears from nothing at bucket 6 with ~20% of the
    /// samples, the most common real regression (a new code path).
    static func storeWithNewFunction(_ dir: TemporaryDirectory) throws -> String {
        let store = dir.file("s.sqlite")
        var rng = BinomialSampler(seed: 7)
        for bucket in 0..<12 {
            let rest = 2000 + rng.draw(n: 200, p: 0.5)
            var text =
                "main (app.py:1);serve (app.py:10) \(rest)\nmain (app.py:1);parse (app.py:20) \(1000 + rng.draw(n: 100, p: 0.5))\n"
            if bucket >= 6 {
                text += "main (app.py:1);serve (app.py:10);new_path (app.py:30) \(700 + rng.draw(n: 100, p: 0.5))\n"
            }
            let file = try dir.write("p\(bucket).folded", text)
            let at = "\(1_793_606_400 + bucket * 600)"
            let ingested = try Checkout.headroom(["ingest", file, "--service", "svc", "--store", store, "--at", at])
            try #require(ingested.succeeded, "\(ingested.stderr)")
        }
        return store
    }

    @Test(
        "a function that appears from nothing: detect JSON has before 0 and relative_change null, and the MCP tool returns the same value"
    )
    func regressionFromZero() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Self.storeWithNewFunction(dir)
        let detect = try Checkout.headroom(["detect", "--store", store, "--format", "json"])
        try #require(detect.succeeded, "\(detect.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(detect.stdout.utf8)) as? [String: Any])
        let regressions = try #require(json["regressions"] as? [[String: Any]])
        let fresh = try #require(
            regressions.first { $0["function"] as? String == "new_path" && $0["metric"] as? String == "self" })
        #expect(fresh["before"] as? Double == 0)
        #expect(
            fresh["relative_change"] is NSNull,
            "relative_change should be null, got \(String(describing: fresh["relative_change"]))")
        #expect((fresh["absolute_change"] as? Double ?? 0) > 0.15)
        #expect((fresh["cores"] as? Double ?? 0) > 150)  // at the default 1000 fleet cores
        #expect(fresh["fleet_cores"] as? Double == 1000)
        #expect(fresh["timestamp"] as? String == "2026-11-02T09:00:00Z")
        #expect(fresh["previous_timestamp"] as? String == "2026-11-02T08:50:00Z")
        // Ranked by size: the new function's change is the largest, so it comes first.
        #expect(regressions.first?["function"] as? String == "new_path")
        // Text output says "new" rather than "+inf%".
        let text = try Checkout.headroom(["detect", "--store", store])
        #expect(text.stdout.contains("new_path (app.py) self share 0.00% → "), "\(text.stdout)")
        #expect(text.stdout.contains("(new)"))
        #expect(!text.stdout.contains("inf"))

        // The MCP tool encodes the same RegressionReport: identical objects, key for key.
        let listed = try Checkout.headroom(["tools", "call", "list_regressions", "{}", "--store", store])
        try #require(listed.succeeded, "\(listed.stderr)")
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let toolRows = try #require(tool["regressions"] as? [[String: Any]])
        #expect(toolRows.count == regressions.count)
        for (cli, mcp) in zip(regressions, toolRows) {
            #expect(NSDictionary(dictionary: cli).isEqual(to: mcp), "CLI \(cli) vs tool \(mcp)")
        }
        let id = try #require(fresh["id"] as? Int)
        let one = try Checkout.headroom(["tools", "call", "get_regression", "{\"id\": \(id)}", "--store", store])
        let single = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        #expect(single["relative_change"] is NSNull)
        #expect(single["timestamp"] as? String == "2026-11-02T09:00:00Z")
    }

    @Test("top: the CLI and the query_profile tool return the same TopReport, cores with the fleet size they assume")
    func topSameEverywhere() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Self.storeWithNewFunction(dir)
        let cli = try Checkout.headroom([
            "top", "--service", "svc", "--store", store, "--by", "total", "-n", "3", "--format", "json",
        ])
        try #require(cli.succeeded, "\(cli.stderr)")
        let tool = try Checkout.headroom([
            "tools", "call", "query_profile",
            "{\"service\": \"svc\", \"by\": \"total\", \"limit\": 3}", "--store", store,
        ])
        try #require(tool.succeeded, "\(tool.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(tool.stdout.utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: a).isEqual(to: b), "CLI \(a) vs tool \(b)")
        #expect(a["fleet_cores"] as? Double == 1000)
        let first = try #require((a["functions"] as? [[String: Any]])?.first)
        #expect(first["function"] as? String == "main")
        #expect(first["total"] as? Double == 1)
        #expect(first["cores"] as? Double == 1000)
        #expect(first["file"] as? String == "app.py")
    }

    @Test(
        "diff: the CLI and the query_profile tool return the same DiffReport; a new function's relative change is null")
    func diffSameEverywhere() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Self.storeWithNewFunction(dir)
        let cli = try Checkout.headroom([
            "diff", "--service", "svc", "--store", store, "--before", "..2026-11-02T08:50:00Z",
            "--after", "2026-11-02T09:00:00Z..", "-n", "5", "--format", "json",
        ])
        try #require(cli.succeeded, "\(cli.stderr)")
        let arguments =
            #"{"service": "svc", "mode": "diff", "before_to": "2026-11-02T08:50:00Z", "after_from": "2026-11-02T09:00:00Z", "limit": 5}"#
        let tool = try Checkout.headroom(["tools", "call", "query_profile", arguments, "--store", store])
        try #require(tool.succeeded, "\(tool.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(tool.stdout.utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: a).isEqual(to: b), "CLI \(a) vs tool \(b)")
        let first = try #require((a["functions"] as? [[String: Any]])?.first)
        #expect(first["function"] as? String == "new_path")
        #expect(first["before"] as? Double == 0)
        #expect(first["relative"] is NSNull)
        #expect(first["significant"] as? Bool == true)
        #expect((a["before"] as? [String: Any])?["total_samples"] as? Int == a["before_total"] as? Int)
    }

    @Test("a store locked by another process: one clear line after HEADROOM_STORE_BUSY_TIMEOUT, nothing written")
    func busyStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let first = try dir.write("a.folded", "main;work 5\n")
        try #require(
            try Checkout.headroom(["ingest", first, "--service", "svc", "--store", store, "--at", "0"]).succeeded)
        // Another process holds the write lock for a few seconds.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(6)
            """, store,
        ]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { holder.terminate() }
        _ = out.fileHandleForReading.availableData  // "locked"
        let second = try dir.write("b.folded", "main;other 7\n")
        let started = Date()
        let busy = try Shell.run(
            [Checkout.binary, "ingest", second, "--service", "svc", "--store", store, "--at", "60"],
            environment: ["HEADROOM_STORE_BUSY_TIMEOUT": "1"])
        #expect(busy.status == 1)
        #expect(busy.stderr.split(separator: "\n").count == 1)
        #expect(
            busy.stderr.contains("is busy: another headroom process held its lock for 1 s; nothing was written"),
            "\(busy.stderr)")
        #expect(Date().timeIntervalSince(started) < 5)
        holder.waitUntilExit()
        let top = try Checkout.headroom(["top", "--service", "svc", "--store", store, "--format", "json"])
        #expect(top.stdout.contains("\"total_samples\" : 5"), "\(top.stdout)")
    }

    @Test("a model server that accepts and never answers fails the run within its time budget, in one line")
    func deadModelServer() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Self.storeWithNewFunction(dir)
        // Accepts connections and never answers; stops by itself after 30 s.
        let server = try LoopbackListener(holding: true)
        defer { server.stop() }
        let port = server.port
        func ask(_ environment: [String: String]) throws -> (ProcessResult, Double) {
            let started = Date()
            let run = try Shell.run(
                [
                    Checkout.binary, "ask", "what regressed?", "--store", store, "--llm-provider", "openai",
                    "--llm-base-url", "http://127.0.0.1:\(port)/v1", "--llm-model", "m", "--llm-api-key", "k",
                ],
                environment: environment, timeout: 120)
            return (run, Date().timeIntervalSince(started))
        }
        // A request that times out is tried once more, not four times (the default 120 s each made 465 s).
        let (hung, hungSeconds) = try ask(["HEADROOM_LLM_TIMEOUT": "2"])
        #expect(hung.status != 0)
        #expect(hungSeconds < 15, "took \(hungSeconds) s")
        #expect(hung.stderr.split(separator: "\n").count == 1, "\(hung.stderr)")
        #expect(hung.stderr.contains("twice in a row"), "\(hung.stderr)")
        // Bounded by Headroom's own timer, not the HTTP library's: with 3 s an earlier URLSession version waited forever.
        let (hung3, hung3Seconds) = try ask(["HEADROOM_LLM_TIMEOUT": "3"])
        #expect(hung3.status != 0 && hung3Seconds < 20, "took \(hung3Seconds) s: \(hung3.stderr)")
        // The run's total budget bounds everything, whatever the per-request timeout.
        let (budget, budgetSeconds) = try ask(["HEADROOM_LLM_TIMEOUT": "60", "HEADROOM_LLM_TOTAL_TIMEOUT": "3"])
        #expect(budget.status != 0)
        #expect(budgetSeconds < 10, "took \(budgetSeconds) s")
        #expect(budget.stderr.contains("HEADROOM_LLM_TOTAL_TIMEOUT"), "\(budget.stderr)")
    }

    @Test("MCP over HTTP at its session limit: a newcomer gets 503, live sessions are not evicted")
    func mcpSessionLimit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Self.storeWithNewFunction(dir)
        let run = try Shell.run(
            ["python3", Checkout.root + "/Tests/mcp/session_limit_test.py", Checkout.binary, store],
            timeout: 120)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 2, "\(run.stdout) \(run.stderr)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["statuses"] as? [Int] == [200, 200, 503])
        #expect((first["third"] as? String)?.contains("2 live sessions, the limit") == true)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["pings"] as? [Int] == [200, 200])
    }

    @Test("RegressionReport: every key is written, non-finite numbers as null, and it decodes back")
    func reportEncoding() throws {
        let r = Regression(
            service: "s", function: FunctionRef(name: "f", file: nil), metric: .selfShare, index: 3,
            timestamp: 1_793_606_400, previousTimestamp: 1_793_606_000, before: 0, after: 0.2,
            pValue: 1e-9, confidence: 1, kind: .regression, mde: .nan, effect: .infinity)
        let report = RegressionReport(r, costs: CostModel(fleetCores: 50, wattsPerCore: 10))
        let text = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in ["id", "file", "relative_change", "mde", "effect_mde"] {
            #expect(object[key] is NSNull, "\(key) should be null in \(text)")
        }
        #expect(object["cores"] as? Double == 10)
        #expect(object["timestamp"] as? String == "2026-11-02T08:00:00Z")
        #expect(try JSONDecoder().decode(RegressionReport.self, from: Data(text.utf8)).cores == 10)
        #expect(try JSONValue(encoding: report)["relative_change"] == .null)
        #expect(JSONValue.number(.infinity).description == "null")
    }
}
