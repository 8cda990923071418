import Foundation
import HeadroomCore
import HTTPTypes
import Hummingbird
import Logging
import MCP

/// Streamable HTTP: the MCP SDK's stateful server transport (one per session) behind a small Hummingbird adapter.
///
/// - Listens on `127.0.0.1` unless told otherwise; any other address requires a bearer token.
/// - With a token, every request must carry `Authorization: Bearer TOKEN` (compared in constant time).
/// - Loopback listeners keep the SDK's Host/Origin checks (DNS-rebinding protection).
/// - Sessions idle for `sessionTimeout` are closed; at most `maxSessions` live at once: past that a new session is
///   refused with 503 (a live session is never evicted for a newcomer).
public struct MCPHTTPServer: Sendable {
    public var surface: MCPSurface
    public var host: String
    public var port: Int
    public var token: String?
    public var endpoint = "/mcp"
    public var maxBodyBytes = 4 << 20
    public var maxSessions = 256
    public var sessionTimeout: TimeInterval = 3600

    public init(surface: MCPSurface, host: String, port: Int, token: String?) throws {
        try ListenerAccess.check(host: host, token: token, what: "binding MCP to", how: "--token or HEADROOM_MCP_TOKEN")
        self.surface = surface
        self.host = host
        self.port = port
        self.token = token
    }

    public static func isLoopback(_ host: String) -> Bool { ListenerAccess.isLoopback(host) }

    /// Runs until the process is stopped; `onListening` receives the bound port (useful with port 0).
    public func run(logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let sessions = MCPSessions(
            surface: surface, loopback: Self.isLoopback(host), maxSessions: maxSessions,
            timeout: sessionTimeout, logger: logger)
        let router = Router()
        let token = self.token
        let maxBody = maxBodyBytes
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            if let token, !ListenerAccess.authorized(request.headers[.authorization], token: token) {
                return Self.plain(
                    401, "unauthorized: send Authorization: Bearer TOKEN",
                    extra: [HTTPField.Name.wwwAuthenticate: "Bearer realm=\"headroom\""])
            }
            var body: Data?
            if request.method == .post {
                do {
                    let buffer = try await request.body.collect(upTo: maxBody)
                    body = Data(buffer.readableBytesView)
                } catch {
                    return Self.plain(413, "request body larger than \(maxBody) bytes")
                }
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let mcpRequest = MCP.HTTPRequest(
                method: request.method.rawValue, headers: headers, body: body, path: request.uri.path)
            return Self.response(await sessions.handle(mcpRequest))
        }
        router.post(RouterPath(endpoint), use: handler)
        router.get(RouterPath(endpoint), use: handler)
        router.delete(RouterPath(endpoint), use: handler)
        router.get("/healthz") { _, _ in "ok" }

        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "headroom-mcp"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.notice("headroom mcp: listening on http://\(host):\(bound)\(endpoint)")
                onListening(bound)
            },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            group.addTask { await sessions.reapLoop() }
            try await group.next()
            group.cancelAll()
        }
    }

    static func plain(_ status: Int, _ text: String, extra: [HTTPField.Name: String] = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        for (name, value) in extra { headers[name] = value }
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func response(_ response: MCP.HTTPResponse) -> Response {
        var headers = HTTPFields()
        for (key, value) in response.headers {
            if let name = HTTPField.Name(key) { headers[name] = value }
        }
        if case .stream(let stream, _) = response {
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                })
        }
        let body = response.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
        return Response(status: .init(code: response.statusCode), headers: headers, body: body)
    }
}

/// The live HTTP sessions: one MCP server and transport each, created by an `initialize` POST.
actor MCPSessions {
    struct Session {
        let server: Server
        let transport: StatefulHTTPServerTransport
        var lastSeen: Date
    }

    let surface: MCPSurface
    let loopback: Bool
    let maxSessions: Int
    let timeout: TimeInterval
    let logger: Logger
    var sessions: [String: Session] = [:]

    init(surface: MCPSurface, loopback: Bool, maxSessions: Int, timeout: TimeInterval, logger: Logger) {
        self.surface = surface
        self.loopback = loopback
        self.maxSessions = maxSessions
        self.timeout = timeout
        self.logger = logger
    }

    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        let id = request.header(HTTPHeaderName.sessionID)
        if let id, var session = sessions[id] {
            session.lastSeen = Date()
            sessions[id] = session
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE", response.statusCode == 200 {
                sessions[id] = nil
                await session.server.stop()
            }
            return response
        }
        if request.method.uppercased() == "POST", let body = request.body, Self.isInitialize(body) {
            return await open(request)
        }
        if id != nil { return .error(statusCode: 404, .invalidRequest("Not Found: session not found or expired")) }
        return .error(statusCode: 400, .invalidRequest("Bad Request: missing \(HTTPHeaderName.sessionID) header"))
    }

    private func open(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        if sessions.count >= maxSessions {
            // Expired sessions make room; a live one is never evicted for a newcomer.
            let cutoff = Date().addingTimeInterval(-timeout)
            for (id, session) in sessions where session.lastSeen < cutoff { await close(id) }
            guard sessions.count < maxSessions else {
                logger.warning("MCP session refused: at the limit", metadata: ["sessions": "\(sessions.count)"])
                return .error(
                    statusCode: 503,
                    .internalError(
                        "Service Unavailable: \(sessions.count) live sessions, the limit; close one (DELETE) or retry later"
                    ))
            }
        }
        let validators: [any HTTPRequestValidator] = [
            loopback ? OriginValidator.localhost() : OriginValidator.disabled,
            AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(), ProtocolVersionValidator(),
            SessionValidator(),
        ]
        let transport = StatefulHTTPServerTransport(
            validationPipeline: StandardValidationPipeline(validators: validators),
            logger: logger)
        let server = await HeadroomMCPServer.make(surface)
        do {
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("could not start a session: \(error)"))
        }
        let response = await transport.handleRequest(request)
        if let id = response.headers[HTTPHeaderName.sessionID]
            ?? response.headers.first(where: {
                $0.key.lowercased() == HTTPHeaderName.sessionID.lowercased()
            })?.value
        {
            sessions[id] = Session(server: server, transport: transport, lastSeen: Date())
        } else {
            await server.stop()
        }
        return response
    }

    private func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    func reapLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            let cutoff = Date().addingTimeInterval(-timeout)
            for (id, session) in sessions where session.lastSeen < cutoff { await close(id) }
        }
    }

    static func isInitialize(_ body: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return object["method"] as? String == "initialize"
    }
}
