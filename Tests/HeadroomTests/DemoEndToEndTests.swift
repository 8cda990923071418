import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import HeadroomCore
import HeadroomTesting
import Testing

/// One demo run shared by the suite: the whole loop through the built binary with a short profiling window.
struct DemoRun: Sendable {
    var workdir: String
    var stdout: String
    var stderr: String
    var status: Int32
    var store: String { workdir + "/.headroom/headroom.sqlite" }

    static let shared: Result<DemoRun, any Error> = Result {
        let dir = try TemporaryDirectory(prefix: "headroom-demo-test")
        let workdir = dir.file("work")
        let result = try Checkout.headroom(
            ["demo", "--workdir", workdir, "--seconds", "1.5", "--runs", "10", "--format", "json"], in: Checkout.root,
            timeout: 900)
        return DemoRun(workdir: workdir, stdout: result.stdout, stderr: result.stderr, status: result.status)
    }
}

/// The whole loop, then every client of the demo's store: the MCP server under the Python MCP SDK, `headroom ask`
/// offline, and the LLM brain against the fake provider. Skipped only where py-spy is missing (scripts/test.sh
/// installs it, so CI always runs it).
@Suite("demo end to end", .serialized, .ownThreads)
struct DemoEndToEndTests {
    struct Expected: Decodable {
        var culprit_message: String
        var culprit_author: String
        var regressed_function: String
        var regressed_file: String
    }

    @Test(
        "the demo finds the culprit's regression, names the commit and author, and delivers a validated branch",
        .enabled(if: Shell.which("py-spy") != nil, "py-spy is not installed"))
    func demo() throws {
        let result = try DemoRun.shared.get()
        let dir = try TemporaryDirectory(prefix: "headroom-demo-files")
        defer { dir.cleanup() }
        let workdir = result.workdir
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try JSONDecoder().decode(
            Expected.self,
            from: Data(contentsOf: URL(fileURLWithPath: Checkout.root + "/Examples/shop/expected.json")))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let regression = try #require(report["regression"] as? [String: Any])
        #expect(regression["function"] as? String == expected.regressed_function)
        #expect(regression["file"] as? String == expected.regressed_file)
        #expect((regression["after"] as? Double ?? 0) > (regression["before"] as? Double ?? 1))
        #expect((regression["relative_change"] as? Double ?? 0) > 0.5)

        let rootCause = try #require(report["root_cause"] as? [String: Any])
        #expect(rootCause["author"] as? String == expected.culprit_author)
        #expect(rootCause["message"] as? String == expected.culprit_message)
        let repository = try #require(report["repository"] as? String)
        let sha = try #require(rootCause["commit"] as? String)
        let subject = try Shell.run(["git", "-C", repository, "log", "-1", "--format=%s", sha]).stdout
        #expect(subject.trimmingCharacters(in: .newlines) == expected.culprit_message)

        let branch = try #require(report["branch"] as? String)
        #expect(branch.hasPrefix("headroom/"))
        let current = try Shell.run(["git", "-C", repository, "rev-parse", "--abbrev-ref", "HEAD"]).stdout
        #expect(current.trimmingCharacters(in: .newlines) == "main")
        // The branch's diff touches only apply_discounts: every hunk lies inside its span at main.
        let diff = try Shell.run(["git", "-C", repository, "diff", "-U0", "main", branch]).stdout
        #expect(diff.contains("isEnabledFor(logging.DEBUG)"))
        #expect(Set(diff.split(separator: "\n").filter { $0.hasPrefix("+++ ") }) == ["+++ b/shop/pricing.py"])
        let source = try Shell.run(["git", "-C", repository, "show", "main:shop/pricing.py"]).stdout
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("def apply_discounts") }) + 1
        let end = try #require(lines[start...].firstIndex { $0.hasPrefix("def ") })
        for header in diff.split(separator: "\n") where header.hasPrefix("@@") {
            let old = header.split(separator: " ")[1].dropFirst().split(separator: ",")
            let line = Int(old[0]) ?? 0
            #expect(line >= start && line < end, "hunk \(header) outside apply_discounts (\(start)-\(end))")
        }

        // diff across the culprit's deploy ranks the regressed function first; the flame graphs are well-formed SVG.
        let store = workdir + "/.headroom/headroom.sqlite"
        let onsetText = try #require(regression["timestamp"] as? String)
        let onset = try #require(Timestamps.parse(onsetText))
        let diffRun = try Checkout.headroom(
            [
                "diff", "--store", store, "--service", "shop", "--before", "..\(onset - 1)", "--after", "\(onset)..",
                "--format", "json",
            ])
        #expect(diffRun.status == 0, "\(diffRun.stderr)")
        let diffJSON = try #require(try JSONSerialization.jsonObject(with: Data(diffRun.stdout.utf8)) as? [String: Any])
        let firstRow = try #require((diffJSON["functions"] as? [[String: Any]])?.first)
        #expect(firstRow["function"] as? String == expected.regressed_function)
        #expect(firstRow["significant"] as? Bool == true)
        #expect((firstRow["change"] as? Double ?? 0) > 0.05)
        let svg = dir.file("diff.svg")
        let flame = try Checkout.headroom(
            [
                "flamegraph", "--store", store, "--service", "shop", "--diff", "--before", "..\(onset - 1)",
                "--after", "\(onset)..", "--out", svg,
            ])
        #expect(flame.status == 0, "\(flame.stderr)")
        let svgData = try Data(contentsOf: URL(fileURLWithPath: svg))
        #expect(XMLParser(data: svgData).parse(), "the SVG is not well-formed XML")
        let svgText = String(decoding: svgData, as: UTF8.self)
        #expect(svgText.contains("<title>\(expected.regressed_function) (\(expected.regressed_file))"))
        #expect(!svgText.contains("<script"))

        let validation = try #require(report["validation"] as? [String: Any])
        #expect(validation["tests_passed"] as? Bool == true)
        #expect((validation["p_value"] as? Double ?? 1) < 0.05)
        #expect((validation["speedup"] as? Double ?? 0) > 1.2)
        let ci = try #require(validation["ci95"] as? [Double])
        #expect(ci.count == 2 && ci[0] > 1)
        // The eager-logging opportunity is measured on the lines its fix changes (py-spy names them): it carries the
        // regression's cost, not a fixed factor of a few logging frames, and leads the unblocked list; the
        // loop-invariant lookup that measured no gain in validation costs little and is listed as blocked: the
        // unblocked list is what a fix can deliver.
        let scan = try Checkout.headroom(
            ["opportunities", "--store", store, "--repo", repository, "--service", "shop", "--format", "json"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let scanJSON = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let found = try #require(scanJSON["opportunities"] as? [[String: Any]])
        let logging = try #require(found.first { $0["pattern"] as? String == "logging" }, "\(found)")
        #expect(logging["function"] as? String == expected.regressed_function)
        #expect(logging["share_basis"] as? String == "source-lines")
        let rise = (regression["after"] as? Double ?? 0) - (regression["before"] as? Double ?? 0)
        #expect((logging["share"] as? Double ?? 0) >= rise * 0.6, "\(logging) against a rise of \(rise)")
        #expect(found.first { $0["blocked"] == nil || $0["blocked"] is NSNull }?["pattern"] as? String == "logging")
        if let invariant = found.first(where: { $0["pattern"] as? String == "loop-invariant" }) {
            #expect((invariant["share"] as? Double ?? 1) < 0.05, "\(invariant)")
            #expect((invariant["blocked"] as? String)?.contains("lookups") == true, "\(invariant)")
        }

        let pr = try #require(report["pr_description"] as? String)
        let text = try String(contentsOfFile: pr, encoding: .utf8)
        #expect(text.contains(expected.culprit_author))
        #expect(text.contains("## Validation"))
    }

    /// The offline rule brain answers the demo's questions with the store's own figures and cites its tool calls.
    @Test(
        "headroom ask answers what regressed, why, what to do, the opportunities and a function's cost, offline",
        .enabled(if: Shell.which("py-spy") != nil, "py-spy is not installed"))
    func askOffline() throws {
        let demo = try DemoRun.shared.get()
        try #require(demo.status == 0, "\(demo.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])
        let regression = try #require(report["regression"] as? [String: Any])
        let rootCause = try #require(report["root_cause"] as? [String: Any])
        func ask(_ question: String) throws -> (text: String, json: [String: Any]) {
            let run = try Checkout.headroom(["ask", question, "--store", demo.store, "--no-llm", "--format", "json"])
            #expect(run.status == 0, "\(run.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            return (json["text"] as? String ?? "", json)
        }
        func percent(_ share: Any?) -> String { String(format: "%.2f%%", (share as? Double ?? 0) * 100) }
        func tools(_ json: [String: Any]) -> [String] {
            (json["evidence"] as? [[String: Any]] ?? []).compactMap { $0["tool"] as? String }
        }

        let regressed = try ask("what regressed?")
        #expect(
            regressed.text.contains(
                "`apply_discounts` (shop/pricing.py) in shop: self share of CPU \(percent(regression["before"])) → \(percent(regression["after"]))"
            ),
            "\(regressed.text)")
        #expect(regressed.text.contains(regression["timestamp"] as? String ?? "?"))
        #expect(tools(regressed.json).contains("list_regressions"))

        let why = try ask("why did it regress?")
        let sha = try #require(rootCause["commit"] as? String)
        #expect(
            why.text.contains("commit \(sha.prefix(12)) by \(rootCause["author"] as? String ?? "?")"), "\(why.text)")
        #expect(why.text.contains(rootCause["message"] as? String ?? "?"))
        #expect(why.text.contains("Evidence:"))

        let todo = try ask("what should we do about regression 1?")
        // The newest delivered patch for the regression (the demo's, or a later test's) with its measured figures.
        let listed = try Checkout.headroom([
            "tools", "call", "list_patches", #"{"regression":1,"status":"delivered"}"#, "--store", demo.store,
        ])
        let patches = try #require(
            (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["patches"]
                as? [[String: Any]])
        let newest = try #require(patches.last)
        let speedup = (newest["validation"] as? [String: Any])?["speedup"] as? Double ?? 0
        #expect(todo.text.contains("patch #\(newest["patch"] as? Int ?? 0) (log-guard skill)"), "\(todo.text)")
        #expect(
            todo.text.contains(newest["branch"] as? String ?? "?")
                && todo.text.contains(String(format: "%.2f× faster", speedup)),
            "\(todo.text)")
        #expect(tools(todo.json).contains("list_patches"))

        let cost = try ask("what does apply_discounts cost?")
        let top = try Checkout.headroom([
            "tools", "call", "query_profile", #"{"service":"shop","function":"apply_discounts","by":"total"}"#,
            "--store", demo.store,
        ])
        let row = try #require(
            ((try JSONSerialization.jsonObject(with: Data(top.stdout.utf8)) as? [String: Any])?["functions"]
                as? [[String: Any]])?.first)
        #expect(
            cost.text.contains("\(percent(row["total"])) of CPU inclusive, \(percent(row["self"])) self"),
            "\(cost.text)")
        #expect(cost.text.contains(String(format: "≈ %.1f cores", row["cores"] as? Double ?? 0)))
        #expect(cost.text.contains("since the onset"))

        let opportunities = try ask("where are the biggest opportunities?")
        #expect(opportunities.text.contains("The biggest opportunities by estimated savings"), "\(opportunities.text)")
        #expect(opportunities.text.contains("saves ≈"))
        #expect(tools(opportunities.json).contains("list_opportunities"))

        let overview = try ask("hello?")
        #expect((overview.json["intents"] as? [String]) == ["regressed", "opportunities"])

        // The program's questions: the culprit's author's inbox, and what the service will need.
        let author = try #require(rootCause["author"] as? String)
        let inbox = try ask("what is waiting for \(author)?")
        #expect(inbox.text.contains("\(author): 1 regression to review"), "\(inbox.text)")
        #expect(inbox.text.contains("regression #1 `apply_discounts`") && inbox.text.contains("culprit author"))
        #expect(tools(inbox.json) == ["get_inbox"])
        let plan = try ask("what will shop need in 30 days?")
        #expect(plan.text.contains("shop is forecast at") && plan.text.contains("cores in 30 days"), "\(plan.text)")
        #expect(tools(plan.json).contains("plan_capacity"))
    }

    /// Production confirms the demo's fix (Benchmarks/program/confirm.py): apply it, deploy it, profile the fixed
    /// build with py-spy; metrics' saving turns from the A/B estimate into the measured drop.
    @Test(
        "after a deploy of the fix and new profiles, the saving is the measured drop, confirmed by a significance test",
        .enabled(if: Shell.which("py-spy") != nil, "py-spy is not installed"))
    func productionConfirmation() async throws {
        let dir = try TemporaryDirectory(prefix: "headroom-confirm")
        defer { dir.cleanup() }
        // Off the cooperative pool: on a 2-core machine a test blocking one of its two threads for minutes starves
        // the async tests (the fix queue's worker) running beside it.
        let work = dir.file("work")
        let run = try await AsyncBridge.offPool {
            try Shell.run(
                [
                    "python3", Checkout.root + "/Benchmarks/program/confirm.py", "--bin", Checkout.binary, "--workdir",
                    work,
                ], timeout: 1200)
        }
        #expect(run.status == 0, "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("basis ab-estimate, confirmation awaiting_deploy"))
        #expect(run.stdout.contains("basis production, confirmation confirmed (matched by commit"))
        #expect(run.stdout.contains("mitigated regressions: 0 -> 1"))
    }

    /// The official Python MCP SDK as an independent client, over stdio and Streamable HTTP (Tests/mcp).
    @Test(
        "the Python MCP SDK drives headroom mcp over stdio and HTTP",
        .enabled(if: Shell.which("py-spy") != nil, "py-spy is not installed"))
    func mcpClient() async throws {
        let demo = try DemoRun.shared.get()
        try #require(demo.status == 0, "\(demo.stderr)")
        let run = try await AsyncBridge.onOwnThread {
            try Shell.run(
                [
                    "python3", Checkout.root + "/Tests/mcp/mcp_client_test.py", "--headroom", Checkout.binary,
                    "--store", demo.store, "--transport", "both",
                ], timeout: 900)
        }
        #expect(run.status == 0, "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("all MCP client checks passed"))
    }

    /// The LLM brain against the fake provider (Tests/llm): a tool-calling fix through retries, malformed answers
    /// and a guardrail refusal; ask over the Anthropic format; budgets.
    @Test(
        "the LLM loop fixes the demo's regression against the fake provider and rejects bad answers",
        .enabled(if: Shell.which("py-spy") != nil, "py-spy is not installed"))
    func llmAgent() async throws {
        let demo = try DemoRun.shared.get()
        try #require(demo.status == 0, "\(demo.stderr)")
        let run = try await AsyncBridge.onOwnThread {
            try Shell.run(
                [
                    "python3", Checkout.root + "/Tests/llm/llm_agent_test.py", "--headroom", Checkout.binary,
                    "--store", demo.store,
                ], timeout: 900)
        }
        #expect(run.status == 0, "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("all LLM agent checks passed"))
    }
}
