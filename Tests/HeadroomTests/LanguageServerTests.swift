import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomLSP
import HeadroomStore
import HeadroomTesting
import Synchronization
import Testing

@Suite("Language server", .ownThreads)
struct LanguageServerTests {
    /// The fixture's store with profiles for `shop`, so hot functions have a measured cost.
    static func withProfiles(_ fixture: DeliveryFixture) throws {
        let folded = try fixture.dir.write(
            "shop.folded",
            """
            handle (/srv/shop/app.py:20);price (/srv/shop/app.py:10) 70
            handle (/srv/shop/app.py:20);price (/srv/shop/app.py:10);total (/srv/shop/app.py:6) 30

            """)
        // Three days earlier the service spent its time elsewhere: lenses show the last day only.
        let old = try fixture.dir.write(
            "old.folded", "handle (/srv/shop/app.py:20);total (/srv/shop/app.py:6) 900\n")
        for (file, at) in [(old, "1789740800"), (folded, "1790000000")] {
            let r = try Checkout.headroom(
                ["ingest", file, "--service", "shop", "--at", at, "--store", fixture.storePath])
            guard r.succeeded else { throw HeadroomError(.process, "ingest: \(r.stderr)") }
        }
    }

    /// Neovim (Debian's, headless, its built-in client; Tests/lsp/apply_fix.lua) opens the file, gets the
    /// diagnostics, resolves the quick fix and applies its edit: the file on disk must equal the validated patched
    /// file. Then the changed document gets no edit from the same fix.
    @Test("Neovim applies a delivered fix through code actions; a stale document gets an explanation, not an edit")
    func neovimAppliesFix() throws {
        guard (try? Shell.run(["nvim", "--version"], timeout: 30))?.succeeded == true else {
            Issue.record("nvim is not installed (scripts/ensure-tools.sh installs neovim from Debian)")
            return
        }
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        try Self.withProfiles(fixture)
        let file = fixture.repository + "/app.py"
        let resultPath = fixture.dir.file("nvim-result.json")
        let run = try Shell.run(
            [
                "nvim", "--headless", "--clean", "-n", "-i", "NONE", "-c",
                "luafile \(Checkout.root)/Tests/lsp/apply_fix.lua",
            ],
            in: fixture.repository,
            environment: [
                "HEADROOM_BIN": Checkout.binary, "HEADROOM_STORE": fixture.storePath, "HEADROOM_FILE": file,
                "HEADROOM_RESULT": resultPath, "HEADROOM_SKILLS": Checkout.root + "/Skills",
            ], timeout: 120)
        let seen = try JSONValue.parse(String(contentsOfFile: resultPath, encoding: .utf8))
        #expect(seen["error"] == nil, "\(seen["error"]?.stringValue ?? "") \(run.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == fixture.patched)
        let diagnostics = seen["diagnostics"]?.arrayValue ?? []
        #expect(
            diagnostics.contains {
                $0["message"]?.stringValue?.contains("+22.6 pt CPU") == true
                    && $0["message"]?.stringValue?.contains("since \(fixture.culprit.prefix(7))") == true
                    && $0["lnum"]?.intValue == 9
            }, "\(diagnostics)")
        #expect(diagnostics.contains { $0["message"]?.stringValue?.contains("loop-invariant") == true })
        #expect(
            seen["actions"]?.arrayValue?.contains {
                $0.stringValue?.hasPrefix("Apply Headroom fix #1 (log-guard)") == true
            }
                == true)
        let lenses = seen["lenses"]?.arrayValue ?? []
        #expect(
            lenses.contains {
                $0["title"]?.stringValue?.contains("100.0% total · 70.0% self") == true && $0["line"]?.intValue == 9
            }, "\(lenses)")
        let stale = seen["stale_actions"]?.arrayValue ?? []
        #expect(!stale.isEmpty && stale.allSatisfy { $0["has_edit"]?.boolValue == false })
        #expect(seen["old_resolve_has_edit"]?.boolValue == false)
    }

    /// A client in-process: messages in, messages out.
    final class Sent: Sendable {
        private let items = Mutex<[JSONValue]>([])
        func append(_ message: JSONValue) { items.withLock { $0.append(message) } }
        func withLock<T>(_ body: ([JSONValue]) -> T) -> T { items.withLock { body($0) } }
    }

    final class Client: Sendable {
        let sent = Sent()
        let server: LanguageServer

        init(store: Store, root: String, resolver: LanguageServer.Resolver? = nil) {
            let sent = self.sent
            server = LanguageServer(
                findings: EditorFindingsService(store: store), root: root, resolver: resolver, send: { sent.append($0) }
            )
        }

        func request(_ id: Int, _ method: String, _ params: JSONValue) -> JSONValue? {
            server.handle(["jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method), "params": params])
            return sent.withLock { $0 }.last { $0["id"]?.intValue == id }
        }

        /// Sends a notification and waits for the findings it queued (as an editor would wait for diagnostics).
        func notify(_ method: String, _ params: JSONValue) {
            server.handle(["jsonrpc": "2.0", "method": .string(method), "params": params])
            server.waitUntilIdle()
        }

        func notifications(_ method: String) -> [JSONValue] {
            sent.withLock { $0 }.filter { $0["method"]?.stringValue == method }
        }
    }

    static func capabilities(resolve: Bool, documentChanges: Bool) -> JSONValue {
        [
            "textDocument": [
                "codeAction": resolve ? ["resolveSupport": ["properties": ["edit"]], "disabledSupport": true] : [:]
            ],
            "workspace": [
                "workspaceEdit": documentChanges ? ["documentChanges": true, "changeAnnotationSupport": [:]] : [:]
            ],
            "window": ["workDoneProgress": true],
        ]
    }

    @Test("protocol: lifecycle errors, edits by client capability, versioned annotated edits, stale refusal")
    func protocolLevel() throws {
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        let client = Client(store: fixture.store, root: fixture.repository)
        // Before initialize: -32002; unknown methods: -32601.
        #expect(client.request(1, "textDocument/codeAction", [:])?["error"]?["code"]?.intValue == -32002)
        let initialized = client.request(
            2, "initialize", ["capabilities": Self.capabilities(resolve: true, documentChanges: true)])
        #expect(initialized?["result"]?["capabilities"]?["codeActionProvider"]?["resolveProvider"]?.boolValue == true)
        #expect(client.request(3, "textDocument/hover", [:])?["error"]?["code"]?.intValue == -32601)

        let uri = URL(fileURLWithPath: fixture.repository + "/app.py").absoluteString
        client.notify(
            "textDocument/didOpen",
            [
                "textDocument": [
                    "uri": .string(uri), "languageId": "python", "version": 3, "text": .string(fixture.original),
                ]
            ])
        let published = client.notifications("textDocument/publishDiagnostics").last
        let diagnostics = published?["params"]?["diagnostics"]?.arrayValue ?? []
        #expect(diagnostics.count == 2)
        let regression = diagnostics.first { $0["severity"]?.intValue == 2 }
        #expect(regression?["range"]?["start"]?["line"]?.intValue == 9)
        #expect(regression?["relatedInformation"]?[0]?["message"]?.stringValue?.contains("Alice") == true)

        let params: JSONValue = [
            "textDocument": ["uri": .string(uri)], "range": LanguageServerTestsRange.line(10),
            "context": ["diagnostics": []],
        ]
        let actions = client.request(4, "textDocument/codeAction", params)?["result"]?.arrayValue ?? []
        let fix = try #require(actions.first { $0["kind"]?.stringValue == "quickfix" })
        #expect(fix["edit"] == nil && fix["diagnostics"]?.arrayValue?.count == 1)  // lazy: the edit comes on resolve
        #expect(actions.contains { $0["command"]?["command"]?.stringValue == "headroom.resolveOpportunity" } == false)
        let resolved = client.request(5, "codeAction/resolve", fix)?["result"]
        let change = resolved?["edit"]?["documentChanges"]?[0]
        #expect(change?["textDocument"]?["version"]?.intValue == 3)
        #expect(resolved?["edit"]?["changeAnnotations"]?["headroom-fix-1"]?["needsConfirmation"]?.boolValue == true)
        // Applying the edits to the document yields the validated file.
        var text = fixture.original
        for edit in (change?["edits"]?.arrayValue ?? []).reversed() {
            text = LanguageServerTestsRange.apply(edit, to: text)
        }
        #expect(text == fixture.patched)

        // A newer version of the document: the old action resolves to no edit, and new actions are disabled.
        client.notify(
            "textDocument/didChange",
            [
                "textDocument": ["uri": .string(uri), "version": 4],
                "contentChanges": [["text": .string(fixture.original + "# edited\n")]],
            ])
        #expect(client.request(6, "codeAction/resolve", fix)?["result"]?["edit"] == nil)
        let later = client.request(7, "textDocument/codeAction", params)?["result"]?.arrayValue ?? []
        #expect(later.first { $0["data"] != nil }?["disabled"]?["reason"]?.stringValue?.contains("changed") == true)

        // A client without resolve or documentChanges support gets the edit inline, as plain changes.
        let plain = Client(store: fixture.store, root: fixture.repository)
        _ = plain.request(1, "initialize", ["capabilities": Self.capabilities(resolve: false, documentChanges: false)])
        plain.notify(
            "textDocument/didOpen",
            [
                "textDocument": [
                    "uri": .string(uri), "languageId": "python", "version": 1, "text": .string(fixture.original),
                ]
            ])
        let inline = plain.request(2, "textDocument/codeAction", params)?["result"]?[0]
        #expect(inline?["edit"]?["changes"]?[uri]?.arrayValue?.isEmpty == false)
        #expect(plain.request(3, "shutdown", .null)?["result"] == .null)
        plain.notify("exit", .null)
        #expect(plain.server.exitStatus == 0)

        // Framing: two messages and a partial third in one read.
        var buffer =
            try LSPFraming.frame(["a": 1]) + LSPFraming.frame(["b": 2]) + Data("Content-Length: 10\r\n\r\n{\"c\"".utf8)
        #expect(try LSPFraming.take(from: &buffer).count == 2 && buffer.count == 26)
        var broken = Data("Content-Type: x\r\n\r\n{}".utf8)
        #expect(throws: HeadroomError.self) { try LSPFraming.take(from: &broken) }
    }

    @Test("executeCommand resolves an opportunity with $/progress begin, report and end, then refreshes")
    func resolveWithProgress() async throws {
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        let client = Client(
            store: fixture.store, root: fixture.repository,
            resolver: { id, progress in
                progress("validating")
                return ["status": "refused", "reason": "no significant gain", "opportunity": .number(Double(id))]
            })
        _ = client.request(1, "initialize", ["capabilities": Self.capabilities(resolve: true, documentChanges: true)])
        let uri = URL(fileURLWithPath: fixture.repository + "/app.py").absoluteString
        client.notify(
            "textDocument/didOpen",
            [
                "textDocument": [
                    "uri": .string(uri), "languageId": "python", "version": 1, "text": .string(fixture.original),
                ]
            ])
        let params: JSONValue = [
            "textDocument": ["uri": .string(uri)], "range": LanguageServerTestsRange.line(6),
            "context": ["diagnostics": []],
        ]
        let actions = client.request(2, "textDocument/codeAction", params)?["result"]?.arrayValue ?? []
        let command = try #require(
            actions.first { $0["command"]?["command"]?.stringValue == "headroom.resolveOpportunity" })
        let answer = client.request(3, "workspace/executeCommand", command["command"] ?? .null)
        #expect(answer?["result"]?["started"]?.boolValue == true)
        for _ in 0..<200 where client.notifications("window/showMessage").isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        let kinds = client.notifications("$/progress").compactMap { $0["params"]?["value"]?["kind"]?.stringValue }
        #expect(kinds == ["begin", "report", "end"])
        #expect(client.sent.withLock { $0 }.contains { $0["method"]?.stringValue == "window/workDoneProgress/create" })
        #expect(
            client.notifications("window/showMessage").first?["params"]?["message"]?.stringValue?.contains(
                "no significant gain") == true)
        client.server.waitUntilIdle()
        #expect(client.notifications("textDocument/publishDiagnostics").count >= 2)  // refreshed after the run
    }
}

/// Ranges and edits as the protocol writes them.
enum LanguageServerTestsRange {
    static func line(_ n: Int) -> JSONValue {
        ["start": ["line": .number(Double(n)), "character": 0], "end": ["line": .number(Double(n)), "character": 0]]
    }

    /// Applies one TextEdit (UTF-16 positions) to a text.
    static func apply(_ edit: JSONValue, to text: String) -> String {
        func offset(_ position: JSONValue?) -> String.Index {
            let lines = LineHunks.lines(text)
            let line = position?["line"]?.intValue ?? 0
            let character = position?["character"]?.intValue ?? 0
            guard line < lines.count else { return text.endIndex }
            let start = lines[line].startIndex
            return text.utf16.index(start, offsetBy: character)
        }
        let range = offset(edit["range"]?["start"])..<offset(edit["range"]?["end"])
        return text.replacingCharacters(in: range, with: edit["newText"]?.stringValue ?? "")
    }
}
