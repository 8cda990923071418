import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomSkills
import HeadroomSource

/// `headroom lsp`: a Language Server (LSP 3.17) that shows Headroom's findings where the code is. Diagnostics on
/// functions with open regressions (Warning) and opportunities (Information), code lenses with hot functions' cost,
/// and code actions: each delivered patch for the open file is a quick fix whose edit is exactly the validated diff
/// (computed lazily in `codeAction/resolve`, offered only against the text it was validated on), and an open
/// opportunity can be fixed through `workspace/executeCommand` with progress reports.
public final class LanguageServer: @unchecked Sendable {
    /// Runs `headroom resolve ID` for the `headroom.resolveOpportunity` command; reports progress lines.
    public typealias Resolver = @Sendable (Int64, @escaping @Sendable (String) -> Void) async throws -> JSONValue

    struct Document {
        var uri: String
        var path: String?
        var version: Int
        var text: String
        /// Computed for `text` when `version` is current; from an earlier version while a computation is queued.
        var findings: FileFindings?
    }

    let findings: EditorFindingsService
    let resolver: Resolver?
    let send: @Sendable (JSONValue) -> Void
    private let lock = NSLock()
    /// Findings are computed here, one at a time, off the thread that reads requests.
    private let work = DispatchQueue(label: "headroom.lsp.findings", qos: .userInitiated)
    private var root: String?
    private var documents: [String: Document] = [:]
    private var initialized = false
    private var shuttingDown = false
    private var capabilities: JSONValue = .null
    private var nextRequest = 1
    /// Set when `exit` arrives: the exit status the process should end with.
    public private(set) var exitStatus: Int32?

    public init(
        findings: EditorFindingsService, root: String? = nil, resolver: Resolver? = nil,
        send: @escaping @Sendable (JSONValue) -> Void
    ) {
        self.findings = findings
        self.root = root
        self.resolver = resolver
        self.send = send
    }

    // MARK: dispatch

    /// Handles one message from the client; replies go through `send`.
    public func handle(_ data: Data) {
        guard let message = try? JSONDecoder().decode(JSONValue.self, from: data), message.objectValue != nil else {
            send(Self.error(id: .null, code: -32700, message: "parse error: not a JSON-RPC message"))
            return
        }
        handle(message)
    }

    public func handle(_ message: JSONValue) {
        let id = message["id"]
        guard let method = message["method"]?.stringValue else { return }  // a response to one of our requests
        let params = message["params"] ?? .null
        guard let id else {
            notification(method, params)
            return
        }
        do {
            send(["jsonrpc": "2.0", "id": id, "result": try request(method, params, id: id)])
        } catch let error as LSPError {
            send(Self.error(id: id, code: error.code, message: error.message))
        } catch {
            send(Self.error(id: id, code: -32603, message: HeadroomError.oneLine(error)))
        }
    }

    struct LSPError: Error {
        var code: Int
        var message: String
    }

    static func error(id: JSONValue, code: Int, message: String) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .number(Double(code)), "message": .string(message)]]
    }

    private func request(_ method: String, _ params: JSONValue, id: JSONValue) throws -> JSONValue {
        if method == "initialize" { return initialize(params) }
        guard isInitialized else { throw LSPError(code: -32002, message: "server not initialized") }
        switch method {
        case "shutdown":
            lock.withLock { shuttingDown = true }
            return .null
        case "textDocument/codeAction": return try codeActions(params)
        case "codeAction/resolve": return try resolveAction(params)
        case "textDocument/codeLens": return try codeLenses(params)
        case "workspace/executeCommand": return try executeCommand(params)
        default: throw LSPError(code: -32601, message: "method not found: \(method)")
        }
    }

    private func notification(_ method: String, _ params: JSONValue) {
        switch method {
        case "exit":
            exitStatus = lock.withLock { shuttingDown } ? 0 : 1
        case "textDocument/didOpen":
            let item = params["textDocument"]
            guard let uri = item?["uri"]?.stringValue, let text = item?["text"]?.stringValue else { return }
            update(uri: uri, version: item?["version"]?.intValue ?? 0, text: text)
        case "textDocument/didChange":
            guard let uri = params["textDocument"]?["uri"]?.stringValue,
                let text = params["contentChanges"]?.arrayValue?.last?["text"]?.stringValue
            else { return }
            update(uri: uri, version: params["textDocument"]?["version"]?.intValue ?? 0, text: text)
        case "textDocument/didSave":
            guard let uri = params["textDocument"]?["uri"]?.stringValue,
                let document = lock.withLock({ documents[uri] })
            else { return }
            update(uri: uri, version: document.version, text: document.text)
        case "textDocument/didClose":
            guard let uri = params["textDocument"]?["uri"]?.stringValue else { return }
            lock.withLock { _ = documents.removeValue(forKey: uri) }
            work.async { [self] in publish(uri: uri, diagnostics: []) }
        default:
            break
        }
    }

    private var isInitialized: Bool { lock.withLock { initialized } }

    // MARK: lifecycle

    private func initialize(_ params: JSONValue) -> JSONValue {
        let folder =
            params["workspaceFolders"]?[0]?["uri"]?.stringValue.flatMap(Self.path(ofURI:))
            ?? params["rootUri"]?.stringValue.flatMap(Self.path(ofURI:)) ?? params["rootPath"]?.stringValue
        lock.withLock {
            if root == nil, let folder { root = (try? Git(path: folder))?.root ?? folder }
            capabilities = params["capabilities"] ?? .null
            initialized = true
        }
        return [
            "capabilities": [
                "positionEncoding": "utf-16",
                "textDocumentSync": ["openClose": true, "change": 1, "save": ["includeText": false]],
                "codeActionProvider": ["codeActionKinds": ["quickfix", "refactor.rewrite"], "resolveProvider": true],
                "codeLensProvider": ["resolveProvider": false],
                "executeCommandProvider": [
                    "commands": [.string(Self.resolveCommand), .string(Self.explainCommand)]
                ],
            ],
            "serverInfo": ["name": "headroom", "version": .string(HeadroomVersion.string)],
        ]
    }

    static let resolveCommand = "headroom.resolveOpportunity"
    static let explainCommand = "headroom.explain"

    // MARK: documents and diagnostics

    static func path(ofURI uri: String) -> String? {
        guard let url = URL(string: uri), url.isFileURL else { return nil }
        return url.path
    }

    /// The document's path relative to the workspace's repository, or nil when it is outside.
    private func relativePath(uri: String) -> String? {
        guard let file = Self.path(ofURI: uri), let root = lock.withLock({ root }) else { return nil }
        let base = URL(fileURLWithPath: root).resolvingSymlinksInPath().path + "/"
        let full = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
        guard full.hasPrefix(base) else { return nil }
        return String(full.dropFirst(base.count))
    }

    /// Takes the editor's text at once (code actions compare against it), and computes the file's findings on the
    /// findings queue: parsing a Python file takes a subprocess (~80 ms), which must not hold up the requests behind
    /// it. A computation whose version was superseded before it ran, or before it finished, is dropped.
    private func update(uri: String, version: Int, text: String) {
        let path = relativePath(uri: uri)
        lock.withLock {
            var document = documents[uri] ?? Document(uri: uri, path: path, version: version, text: text)
            document.version = version
            document.text = text
            documents[uri] = document
        }
        work.async { [self] in
            guard let current = lock.withLock({ documents[uri] }), current.version == version, current.text == text
            else { return }
            var findings: FileFindings?
            if let path, let root = lock.withLock({ root }) {
                findings = try? self.findings.findings(path: path, text: text, root: root)
            }
            let published = lock.withLock { () -> Document? in
                guard var document = documents[uri], document.version == version, document.text == text else {
                    return nil
                }
                document.findings = findings
                documents[uri] = document
                return document
            }
            if let published { publish(uri: uri, diagnostics: diagnostics(published)) }
        }
    }

    /// Waits until every queued findings computation has run (tests, and `exit`).
    public func waitUntilIdle() { work.sync {} }

    private func publish(uri: String, diagnostics: [JSONValue]) {
        send([
            "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
            "params": ["uri": .string(uri), "diagnostics": .array(diagnostics)],
        ])
    }

    /// Re-reads the store for every open document (after a fix was made, or on request).
    public func refresh() {
        let open = lock.withLock { Array(documents.values) }
        for document in open { update(uri: document.uri, version: document.version, text: document.text) }
    }

    /// The range of a function's first line (its `def`/`func` line), 0-based.
    static func headerRange(_ span: FunctionSpan, in text: String) -> JSONValue {
        let lines = LineHunks.lines(text)
        let line = max(0, span.start - 1)
        let length = line < lines.count ? lines[line].trimmingSuffixNewline.utf16.count : 0
        return range(line, 0, line, length)
    }

    static func spanRange(_ span: FunctionSpan) -> JSONValue { range(max(0, span.start - 1), 0, span.end, 0) }

    static func range(_ l1: Int, _ c1: Int, _ l2: Int, _ c2: Int) -> JSONValue {
        [
            "start": ["line": .number(Double(l1)), "character": .number(Double(c1))],
            "end": ["line": .number(Double(l2)), "character": .number(Double(c2))],
        ]
    }

    func diagnostics(_ document: Document) -> [JSONValue] {
        guard let findings = document.findings else { return [] }
        var out: [JSONValue] = []
        for finding in findings.regressions {
            let r = finding.regression
            var message = String(
                format: "+%.1f pt CPU (%@ share %.2f%% → %.2f%%)", (r.after - r.before) * 100, r.metric.rawValue,
                r.before * 100, r.after * 100)
            if let culprit = finding.culprit { message += " since \(culprit.ref.prefix(7))" }
            message += String(format: " (≈ %.0f cores) — Headroom regression #%lld", finding.cores, r.id ?? 0)
            var diagnostic: [String: JSONValue] = [
                "range": Self.headerRange(finding.span, in: document.text), "severity": 2, "source": "headroom",
                "code": .string("regression/\(r.id ?? 0)"), "message": .string(message),
                "data": ["regression": .number(Double(r.id ?? 0))],
            ]
            if let culprit = finding.culprit {
                diagnostic["relatedInformation"] = [
                    [
                        "location": ["uri": .string(document.uri), "range": Self.spanRange(finding.span)],
                        "message": .string(
                            "culprit \(culprit.kind.rawValue) \(culprit.ref.prefix(12)) by \(culprit.author) <\(culprit.email)>: \"\(culprit.message)\" (confidence \(Int((culprit.confidence * 100).rounded()))%)"
                        ),
                    ]
                ]
            }
            if let url = finding.pullRequest { diagnostic["codeDescription"] = ["href": .string(url)] }
            out.append(.object(diagnostic))
        }
        for finding in findings.opportunities {
            let o = finding.opportunity
            var message = String(
                format:
                    "%@ costs %.2f%% of %@'s CPU (≈ %.1f cores); a fix saves ≈ %.1f cores — Headroom opportunity #%lld",
                o.pattern, o.share * 100, o.service, o.cores, o.savingsCores, o.id ?? 0)
            if let blocked = o.blocked { message += " (not attempted: \(blocked))" }
            out.append([
                "range": Self.headerRange(finding.span, in: document.text), "severity": 3, "source": "headroom",
                "code": .string("opportunity/\(o.id ?? 0)"), "message": .string(message),
                "data": ["opportunity": .number(Double(o.id ?? 0))],
            ])
        }
        return out
    }

    // MARK: code lenses

    private func codeLenses(_ params: JSONValue) throws -> JSONValue {
        guard let uri = params["textDocument"]?["uri"]?.stringValue,
            let document = lock.withLock({ documents[uri] }), let findings = document.findings
        else { return [] }
        return .array(
            findings.costs.map { cost in
                let title = String(
                    format: "Headroom: %.1f%% total · %.1f%% self · ≈ %.1f cores (%@, last 24 h)",
                    cost.totalShare * 100,
                    cost.selfShare * 100, cost.cores, cost.service)
                return [
                    "range": Self.headerRange(cost.span, in: document.text),
                    "command": [
                        "title": .string(title), "command": .string(Self.explainCommand),
                        "arguments": [.string(title)],
                    ],
                ]
            })
    }

    // MARK: code actions

    private var resolveSupported: Bool {
        let properties =
            lock.withLock { capabilities }["textDocument"]?["codeAction"]?["resolveSupport"]?[
                "properties"]?.arrayValue ?? []
        return properties.contains("edit")
    }

    private var disabledSupported: Bool {
        lock.withLock { capabilities }["textDocument"]?["codeAction"]?["disabledSupport"]?.boolValue ?? false
    }

    private func codeActions(_ params: JSONValue) throws -> JSONValue {
        guard let uri = params["textDocument"]?["uri"]?.stringValue,
            let document = lock.withLock({ documents[uri] }), let findings = document.findings
        else { return [] }
        var actions: [JSONValue] = []
        let published = diagnostics(document)
        for finding in findings.patches {
            let patch = finding.patch
            let id = patch.id ?? 0
            var title = "Apply Headroom fix #\(id) (\(patch.skill))"
            if let v = patch.validation {
                title += String(format: ": %.2f× faster, p = %.2g", v.speedup, v.pValue)
            }
            var action: [String: JSONValue] = [
                "title": .string(title), "kind": "quickfix", "isPreferred": true,
                "data": [
                    "patch": .number(Double(id)), "uri": .string(uri), "version": .number(Double(document.version)),
                ],
            ]
            let related = published.filter {
                $0["data"]?["regression"]?.intValue.map(Int64.init) == patch.regressionID
                    && patch.regressionID != nil
            }
            if !related.isEmpty { action["diagnostics"] = .array(related) }
            if document.text != finding.edit.original {
                let reason =
                    "\(finding.edit.path) changed since fix #\(id) was validated; Headroom applies it only to the validated text (branch \(patch.branch ?? "?"))"
                if disabledSupported {
                    action["disabled"] = ["reason": .string(reason)]
                } else {
                    action["title"] = .string(
                        "Headroom fix #\(id) does not apply: the file changed since it was validated")
                    action["kind"] = "quickfix"
                    action["command"] = [
                        "title": .string(reason), "command": .string(Self.explainCommand),
                        "arguments": [.string(reason)],
                    ]
                    action.removeValue(forKey: "isPreferred")
                }
            } else if !resolveSupported {
                action["edit"] = workspaceEdit(finding, document: document)
            }
            actions.append(.object(action))
        }
        let wanted = params["range"]
        for finding in findings.opportunities where !finding.patched && finding.opportunity.blocked == nil {
            let span = finding.span
            let startLine = wanted?["start"]?["line"]?.intValue ?? 0
            let endLine = wanted?["end"]?["line"]?.intValue ?? Int.max
            guard endLine >= span.start - 1, startLine <= span.end - 1, let id = finding.opportunity.id else {
                continue
            }
            actions.append([
                "title": .string(
                    "Headroom: fix opportunity #\(id) (\(finding.opportunity.pattern)) — make and validate a patch"),
                "kind": "refactor.rewrite",
                "command": [
                    "title": .string("Resolve opportunity #\(id)"), "command": .string(Self.resolveCommand),
                    "arguments": [.number(Double(id))],
                ],
            ])
        }
        return .array(actions)
    }

    private func resolveAction(_ params: JSONValue) throws -> JSONValue {
        guard var action = params.objectValue, let id = params["data"]?["patch"]?.intValue,
            let uri = params["data"]?["uri"]?.stringValue
        else { return params }
        let document = lock.withLock { documents[uri] }
        guard let document, let finding = document.findings?.patches.first(where: { $0.patch.id == Int64(id) }) else {
            action["disabled"] = ["reason": "the document is not open in the language server"]
            return .object(action)
        }
        // Only against the text the fix was validated on, and the version the action was computed for.
        guard document.version == params["data"]?["version"]?.intValue, document.text == finding.edit.original else {
            action["disabled"] = [
                "reason": "the document changed since this action was offered; ask for code actions again"
            ]
            action.removeValue(forKey: "edit")
            return .object(action)
        }
        action["edit"] = workspaceEdit(finding, document: document)
        return .object(action)
    }

    /// The validated diff as edits to the open document: one edit per changed hunk, annotated (needs confirmation,
    /// shows the A/B result) when the client supports change annotations, versioned when it supports
    /// `documentChanges`.
    func workspaceEdit(_ finding: FileFindings.PatchFinding, document: Document) -> JSONValue {
        let hunks = LineHunks.diff(finding.edit.original, finding.edit.patched)
        let annotationID = "headroom-fix-\(finding.patch.id ?? 0)"
        let workspace = lock.withLock { capabilities }["workspace"]?["workspaceEdit"]
        let versioned = workspace?["documentChanges"]?.boolValue ?? false
        let annotated = versioned && (workspace?["changeAnnotationSupport"]?.objectValue != nil)
        let edits: [JSONValue] = hunks.map { hunk in
            let start = LineHunks.position(ofLine: hunk.start, in: document.text)
            let end = LineHunks.position(ofLine: hunk.start + hunk.count, in: document.text)
            var edit: [String: JSONValue] = [
                "range": Self.range(start.line, start.utf16Column, end.line, end.utf16Column),
                "newText": .string(hunk.text),
            ]
            if annotated { edit["annotationId"] = .string(annotationID) }
            return .object(edit)
        }
        guard versioned else { return ["changes": [document.uri: .array(edits)]] }
        var result: [String: JSONValue] = [
            "documentChanges": [
                [
                    "textDocument": ["uri": .string(document.uri), "version": .number(Double(document.version))],
                    "edits": .array(edits),
                ]
            ]
        ]
        if annotated {
            var description = "Headroom fix #\(finding.patch.id ?? 0), skill \(finding.patch.skill)"
            if let v = finding.patch.validation {
                description += String(
                    format: ": tests pass; A/B %.2f× faster (95%% CI %.2f–%.2f, p = %.2g, %d runs each)", v.speedup,
                    v.ci95.first ?? .nan, v.ci95.last ?? .nan, v.pValue, v.beforeSeconds.count)
            }
            result["changeAnnotations"] = [
                annotationID: [
                    "label": .string("Headroom fix #\(finding.patch.id ?? 0)"), "needsConfirmation": true,
                    "description": .string(description),
                ]
            ]
        }
        return .object(result)
    }

    // MARK: commands

    private func executeCommand(_ params: JSONValue) throws -> JSONValue {
        let command = params["command"]?.stringValue ?? ""
        switch command {
        case Self.explainCommand:
            let text = params["arguments"]?[0]?.stringValue ?? ""
            send(["jsonrpc": "2.0", "method": "window/showMessage", "params": ["type": 3, "message": .string(text)]])
            return .null
        case Self.resolveCommand:
            guard let id = params["arguments"]?[0]?.intValue else {
                throw LSPError(code: -32602, message: "\(command) takes the opportunity's id")
            }
            guard let resolver else { throw LSPError(code: -32603, message: "this server cannot run fixes") }
            startResolve(Int64(id), resolver: resolver, token: params["workDoneToken"])
            return ["started": true, "opportunity": .number(Double(id))]
        default:
            throw LSPError(code: -32602, message: "unknown command \(command)")
        }
    }

    /// Runs the resolve in the background with `$/progress` reports; when it ends, the outcome is shown and every
    /// open document's findings are refreshed (a delivered fix becomes a quick fix).
    private func startResolve(_ id: Int64, resolver: @escaping Resolver, token given: JSONValue?) {
        let progressSupported =
            lock.withLock { capabilities }["window"]?["workDoneProgress"]?.boolValue ?? false
        var chosen = given
        if chosen == nil || chosen == .null, progressSupported {
            let created: JSONValue = .string("headroom-resolve-\(id)-\(UUID().uuidString.prefix(8))")
            let requestID = lock.withLock { () -> Int in
                nextRequest += 1
                return nextRequest
            }
            send([
                "jsonrpc": "2.0", "id": .number(Double(requestID)), "method": "window/workDoneProgress/create",
                "params": ["token": created],
            ])
            chosen = created
        }
        let send = self.send
        let token = chosen
        @Sendable func progress(_ value: JSONValue) {
            guard let token, token != .null else { return }
            send(["jsonrpc": "2.0", "method": "$/progress", "params": ["token": token, "value": value]])
        }
        progress(["kind": "begin", "title": .string("Headroom: fixing opportunity #\(id)"), "cancellable": false])
        Task {
            var message: String
            do {
                let result = try await resolver(id) { line in progress(["kind": "report", "message": .string(line)]) }
                let status = result["status"]?.stringValue ?? "?"
                message = "Headroom: opportunity #\(id): \(status)"
                if let patch = result["patch"]?.intValue, status == "delivered" {
                    message += " as fix #\(patch); it is now a quick fix in the file"
                } else if let reason = result["reason"]?.stringValue {
                    message += ": \(reason)"
                }
            } catch {
                message = "Headroom: opportunity #\(id) failed: \(HeadroomError.oneLine(error))"
            }
            progress(["kind": "end", "message": .string(message)])
            self.refresh()
            send([
                "jsonrpc": "2.0", "method": "window/showMessage", "params": ["type": 3, "message": .string(message)],
            ])
        }
    }
}

extension Substring {
    fileprivate var trimmingSuffixNewline: Substring {
        var s = self
        while let last = s.unicodeScalars.last, last == "\n" || last == "\r" { s = s.dropLast() }
        return s
    }
}
