import Foundation
import HeadroomAgent
import HeadroomCore
import HeadroomLLM
import HeadroomMCP
import HeadroomSkills
import HeadroomTesting
import Testing

@Suite("MCP and LLM building blocks", .ownThreads)
struct MCPAndLLMTests {
    @Test("stdio: many concurrent answers over a full pipe each arrive whole (no interleaved bytes)")
    func stdioAnswersStayWhole() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let file = try dir.write("p.folded", "main (m.py:1);hot (m.py:5) 7\n")
        #expect(try Checkout.headroom(["ingest", file, "--service", "svc", "--store", store]).status == 0)
        let run = try Shell.run(
            [
                "python3", Checkout.root + "/Tests/mcp/stdio_interleave_test.py", "--headroom", Checkout.binary,
                "--store", store, "--calls", "80",
            ], timeout: 300)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("arrived whole"))
    }

    @Test("the redactor removes configured secrets, .env values and credential-shaped text")
    func redaction() throws {
        let dir = try TemporaryDirectory(prefix: "headroom-redact")
        defer { dir.cleanup() }
        try "# comment\nDB_PASSWORD=\"pa55word-xyz\"\nEMPTY=\nexport_ok=1\n".write(
            toFile: dir.file(".env"), atomically: true, encoding: .utf8)
        var redactor = Redactor(secrets: ["configured-secret-1"])
        redactor.addDotEnv(repository: dir.path)
        redactor.addEnvironment(["MY_API_TOKEN": "tok-123456789", "HOME": "/root"])
        let text = """
            key configured-secret-1, db pa55word-xyz, env tok-123456789, home /root,
            sk-ant-abcdefghijklmnopqrstuvwx ghp_abcdefghijklmnopqrstuvwxyz0123 AKIAABCDEFGHIJKLMNOP
            Authorization: Bearer abc.def-ghi_jkl123 password = hunter22hunter
            -----BEGIN RSA PRIVATE KEY-----
            MIIE
            -----END RSA PRIVATE KEY-----
            """
        let out = redactor.redact(text)
        for secret in [
            "configured-secret-1", "pa55word-xyz", "tok-123456789", "sk-ant-", "ghp_", "AKIAABCD", "abc.def-ghi",
            "hunter22", "MIIE",
        ] {
            #expect(!out.contains(secret), "\(secret) leaked: \(out)")
        }
        #expect(out.contains("home /root"))
        #expect(out.contains("password = [REDACTED]"))
    }

    @Test("a proposed edit replaces exactly one function, re-indents, and places module lines after the imports")
    func proposedEdit() throws {
        let source = """
            \"\"\"Module doc.\"\"\"
            import os
            from typing import (
                List,
            )

            X = 1


            class A:
                def f(self):
                    return os.getcwd()

                def g(self):
                    return 2
            """
        let edit = try ProposedEdit.build(
            path: "m.py", source: source, function: "A.f", span: 11...12,
            replacement: "def f(self):\n    return _CWD\n", moduleLines: ["_CWD = os.getcwd()"], summary: ["hoist"])
        let lines = edit.patched.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[5] == "_CWD = os.getcwd()", "\(edit.patched)")
        #expect(edit.insertionPoints == [6])
        #expect(lines.contains("    def f(self):") && lines.contains("        return _CWD"))
        #expect(lines.contains("        return 2"))
        try Guardrails().check(edit)
        #expect(throws: Refusal.self) {
            try ProposedEdit.build(
                path: "m.py", source: source, function: "A.f", span: 11...12,
                replacement: "  def f(self):\n      return 1", moduleLines: [], summary: [])
        }
        #expect(throws: Refusal.self) {
            try ProposedEdit.build(
                path: "m.py", source: source, function: "A.f", span: 11...12,
                replacement: "def f(self):\n    return 1", moduleLines: ["    indented()"], summary: [])
        }
        // A second definition next to the function, or a different function, is refused.
        for replacement in [
            "def f(self):\n    return 1\n\ndef g(self):\n    return 3", "def h(self):\n    return 1",
            "def f(self):\n    return 1\nprint('side effect')", "def f(self):\n    return (",
        ] {
            #expect(throws: Refusal.self, "\(replacement)") {
                try ProposedEdit.build(
                    path: "m.py", source: source, function: "A.f", span: 11...12, replacement: replacement,
                    moduleLines: [], summary: [])
            }
        }
    }

    @Test("LLM configuration: env and flags, nothing configured means the rule brain, bad settings are one error")
    func configuration() throws {
        #expect(try LLMConfiguration.resolve(environment: [:]) == nil)
        let c = try #require(
            try LLMConfiguration.resolve(environment: [
                "HEADROOM_LLM_MODEL": "llama3", "HEADROOM_LLM_BASE_URL": "http://127.0.0.1:11434/v1",
                "OPENAI_API_KEY": "k",
                "HEADROOM_LLM_MAX_STEPS": "7",
            ]))
        #expect(c.provider == .openai && c.apiKey == "k" && c.maxSteps == 7)
        let a = try #require(
            try LLMConfiguration.resolve(
                model: "claude", environment: ["HEADROOM_LLM_PROVIDER": "anthropic", "ANTHROPIC_API_KEY": "x"]))
        #expect(a.baseURL == "https://api.anthropic.com" && a.apiKey == "x")
        #expect(
            errorCode {
                _ = try LLMConfiguration.resolve(provider: "gemini", model: "m", environment: [:])
            } == .config)
        #expect(
            errorCode {
                _ = try LLMConfiguration.resolve(baseURL: "ftp://x", model: "m", environment: [:])
            } == .config)
        #expect(errorCode { _ = try LLMConfiguration.resolve(baseURL: "http://x", environment: [:]) } == .config)
    }

    /// Issue 25's prompt-injection corpus (Tests/llm/injection_test.py): instructions planted in code comments,
    /// docstrings, a README, commit subjects and a profile frame name, obeyed by the fake provider, get no command,
    /// no path outside the registered repository and no secret.
    @Test("a model that obeys planted instructions gets no command, no foreign repository and no secret")
    func promptInjection() throws {
        let run = try Shell.run(
            ["python3", Checkout.root + "/Tests/llm/injection_test.py", "--headroom", Checkout.binary],
            timeout: 600)
        #expect(run.status == 0, "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("all injection checks passed"))
    }

    @Test("HTTP beyond loopback needs a token of at least 16 characters")
    func httpBinding() throws {
        let surface = MCPSurface(registry: ToolRegistry(), catalog: nil)
        #expect(
            errorCode {
                _ = try MCPHTTPServer(surface: surface, host: "0.0.0.0", port: 0, token: nil)
            } == .config)
        #expect(
            errorCode {
                _ = try MCPHTTPServer(surface: surface, host: "10.0.0.5", port: 0, token: "short")
            } == .config)
        #expect(throws: Never.self) {
            try MCPHTTPServer(surface: surface, host: "0.0.0.0", port: 0, token: String(repeating: "t", count: 16))
        }
        #expect(throws: Never.self) { try MCPHTTPServer(surface: surface, host: "127.0.0.1", port: 0, token: nil) }
    }

    @Test("ask recognises the common questions")
    func askIntents() {
        #expect(AskBrain.intents("what regressed yesterday?") == [.regressed])
        #expect(AskBrain.intents("how many cores did we recover this month?") == [.savings])
        #expect(AskBrain.intents("what is our false positive rate?") == [.savings])
        #expect(AskBrain.intents("what will shop need in 90 days?") == [.plan])
        #expect(AskBrain.intents("capacity forecast for checkout next quarter") == [.plan])
        #expect(AskBrain.intents("what is waiting for carol?") == [.inbox])
        #expect(AskBrain.intents("why did checkout get slower?") == [.regressed, .why])
        #expect(AskBrain.intents("what should we do about regression 3?") == [.regressed, .whatToDo])
        #expect(AskBrain.intents("where are the biggest opportunities?") == [.opportunities])
        #expect(AskBrain.intents("how much does parse_line cost?") == [.cost])
        #expect(AskBrain.intents("hi") == [.regressed, .opportunities])
    }
}
