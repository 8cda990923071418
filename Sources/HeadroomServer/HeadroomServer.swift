import Foundation
import HTTPTypes
import HeadroomCore
import HeadroomEngine
import Hummingbird
import Logging

/// `headroom serve`: the always-on HTTP side of Headroom. Today it takes profiles the way Pyroscope does
/// (`/ingest`, and the agents' Connect push) and answers `/healthz`; every write is committed before the 200.
///
/// - Listens on 127.0.0.1 unless told otherwise; any other address needs a bearer token.
/// - With a token, every route but `/healthz` needs `Authorization: Bearer TOKEN` (compared in constant time).
/// - Bodies above `maxBodyBytes` get 413; bad input gets 400; both with a JSON `{"error": …}` and nothing stored.
/// - SIGTERM/SIGINT: stop accepting, finish the requests in flight, return.
public struct HeadroomServer: Sendable {
    public var ingest: PyroscopeIngest
    /// Answers `/api/v1/…` (the same tools as MCP); nil: no API routes.
    public var registry: ToolRegistry?
    public var host: String
    public var port: Int
    public var token: String?
    public var maxBodyBytes = 64 << 20
    /// Runs beside the listener (detection as profiles arrive); nil: ingest only.
    public var loop: DetectionLoop?
    /// Delivers the notification outbox to webhooks; nil: none configured.
    public var webhooks: WebhookDelivery?
    /// Reads the store-derived gauges of `/metrics` and the jobs of `/api/v1/jobs`; nil: neither.
    public var status: ServerStatus?
    /// The web dashboard's figures; nil: no pages.
    public var dashboard: Dashboard?
    /// Answers `POST /api/v1/patches/{id}/apply|reject`; nil: no review routes.
    public var review: PatchReview?
    /// Rescans registered repositories for opportunities on a schedule; nil: never.
    public var rescan: (schedule: OpportunityRescan, scan: OpportunityRescan.Scan)?
    /// Takes queued fix jobs one at a time and runs them with `attempt`; nil: no fix worker.
    public var fixes: (queue: FixQueue, attempt: FixQueue.Attempt)?
    /// Records the weekly digest event; nil: never.
    public var digest: DigestSchedule?

    public init(ingest: PyroscopeIngest, host: String, port: Int, token: String?) throws {
        try Self.checkAccess(host: host, token: token)
        self.ingest = ingest
        self.host = host
        self.port = port
        self.token = token
    }

    /// Refuses a listener beyond loopback without a token (callers check before they open anything).
    public static func checkAccess(host: String, token: String?) throws {
        try ListenerAccess.check(
            host: host, token: token, what: "serving on",
            how: "--token-file FILE (clients send Authorization: Bearer)")
    }

    /// Runs until SIGTERM/SIGINT (then drains gracefully); `onListening` gets the bound port (for port 0).
    public func run(logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let router = Router()
        let metrics = ServerMetrics()
        router.add(middleware: CountingMiddleware(metrics: metrics))
        router.add(middleware: MethodMiddleware())
        router.add(middleware: BearerMiddleware(token: token))
        router.get("/healthz") { _, _ in
            try Self.json(200, ["status": "ok", "version": HeadroomVersion.string])
        }
        let ingest = self.ingest
        let limit = maxBodyBytes
        router.post("/ingest") { request, _ in
            guard let body = try await Self.body(request, limit: limit) else {
                return try Self.error(413, "request body larger than \(limit >> 20) MiB")
            }
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            let query = parameters
            let contentType = request.headers[.contentType]
            return try await Self.answer(logger: logger, metrics: metrics) {
                try await ingest.ingest(query: query, body: body, contentType: contentType)
            }
        }
        router.post("/push.v1.PusherService/Push") { request, _ in
            let type = (request.headers[.contentType] ?? "").lowercased()
            guard type.hasPrefix("application/proto") || type.hasPrefix("application/x-protobuf") else {
                return try Self.error(415, "push bodies are protobuf (Content-Type: application/proto)")
            }
            guard let body = try await Self.body(request, limit: limit) else {
                return try Self.error(413, "request body larger than \(limit >> 20) MiB")
            }
            let gzip = (request.headers[.contentEncoding] ?? "").lowercased().contains("gzip")
            let answer = try await Self.answer(logger: logger, metrics: metrics) {
                try await ingest.push(body: body, gzip: gzip)
            }
            guard answer.status == .ok else { return answer }
            // Connect's unary success: an empty PushResponse.
            return Response(status: .ok, headers: [.contentType: "application/proto"], body: .init())
        }
        let status = self.status
        router.get("/metrics") { _, _ in
            var snapshot: ServerStatus.Snapshot?
            if let status { snapshot = try? await status.snapshot() }
            let text = metrics.render(status: snapshot, queued: ingest.batcher.queued)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        if let registry { APIRoutes.add(to: router, registry: registry, logger: logger) }
        if let review { APIRoutes.addReview(to: router, review: review, logger: logger) }
        if let dashboard { try DashboardRoutes(dashboard: dashboard, logger: logger).add(to: router) }
        let openAPI = OpenAPIDocument.document()
        router.get("/api/v1/openapi.json") { _, _ in try Self.json(200, openAPI, convertKeys: false) }
        if let status {
            router.get("/api/v1/jobs") { request, _ in
                let text = request.uri.queryParameters["state"].map(String.init)
                let state = text.flatMap(Job.State.init(rawValue:))
                if text != nil, state == nil {
                    return try Self.error(
                        400, "state must be one of \(Job.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let jobs = try await status.jobs(state: state)
                return try Self.json(200, ["jobs": jobs.map(\.report)], convertKeys: false)
            }
        }
        let host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "headroom"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                logger.notice("headroom serve: listening on http://\(host):\(bound)")
                onListening(bound)
            },
            logger: logger)
        var loop = self.loop
        loop?.onRun = { seconds, succeeded, regressions in
            metrics.detectionRun(seconds: seconds, succeeded: succeeded, regressions: regressions)
        }
        let runningLoop = loop
        let webhooks = self.webhooks
        if let webhooks { try await AsyncBridge.offPool { try webhooks.register() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let sink = ingest.batcher
            group.addTask { await sink.run() }
            if let runningLoop { group.addTask { await runningLoop.run() } }
            if let webhooks {
                let poster = WebhookPoster()
                group.addTask { await webhooks.run(post: { await poster.post($0, $1) }) }
            }
            if let fixes { group.addTask { await fixes.queue.run(attempt: fixes.attempt) } }
            if let rescan { group.addTask { await rescan.schedule.run(scan: rescan.scan) } }
            if let digest { group.addTask { await digest.run() } }
            // The listener returns after SIGTERM/SIGINT has drained it; then the loop stops between runs.
            try await group.next()
            group.cancelAll()
        }
        // What was accepted but not compacted yet is written before exit (a crash leaves it for the next open).
        do { try await ingest.batcher.flush() } catch {
            logger.error("ingest log not compacted at shutdown", metadata: ["error": "\(HeadroomError.oneLine(error))"])
        }
    }

    /// The request body, or nil when it is larger than `limit`.
    static func body(_ request: Request, limit: Int) async throws -> Data? {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch {
            return nil
        }
    }

    /// Runs an ingest (its parsing and store work happen off the event loop); a Headroom error becomes a 4xx/5xx
    /// with a JSON error.
    static func answer(
        logger: Logger, metrics: ServerMetrics, _ work: @Sendable () async throws -> PyroscopeIngest.Outcome
    ) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let outcome = try await work()
            metrics.ingested(outcome, after: ContinuousClock.now - started)
            return try json(200, outcome)
        } catch let error as HeadroomError {
            logger.info("ingest refused", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            let status =
                switch error.code {
                case .badInput, .notFound: 400
                case .refused: 409
                default: 500
                }
            return try Self.error(status, HeadroomError.oneLine(error))
        }
    }

    static func error(_ status: Int, _ message: String) throws -> Response {
        try json(status, ["error": message])
    }

    /// `convertKeys`: Swift property names become snake_case; off for values whose keys are already the wire's
    /// (tool outputs).
    static func json<T: Encodable>(_ status: Int, _ value: T, convertKeys: Bool = true) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if convertKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        var data = try encoder.encode(value)
        data.append(0x0a)
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// With a token, every route but `/healthz` needs `Authorization: Bearer TOKEN` (or Basic with the token as the
/// password).
struct BearerMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let token, request.uri.path != "/healthz" else { return try await next(request, context) }
        guard ListenerAccess.authorized(request.headers[.authorization], token: token, basic: true) else {
            var response = try HeadroomServer.error(401, "unauthorized: send Authorization: Bearer TOKEN")
            // Pages ask a browser for the token as a Basic password (any user name); the rest ask for a bearer.
            let page = !["/api/", "/ingest", "/push.", "/metrics"].contains { request.uri.path.hasPrefix($0) }
            response.headers[.wwwAuthenticate] = page ? "Basic realm=\"headroom\"" : "Bearer realm=\"headroom\""
            return response
        }
        return try await next(request, context)
    }
}

/// Counts every answered request by route and status for `/metrics`.
struct CountingMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let response = try await next(request, context)
        metrics.request(Self.route(request.uri.path), status: response.status.code)
        return response
    }

    /// A bounded label: the route family, never the raw path (ids and junk paths would grow the series).
    static func route(_ path: String) -> String {
        switch path {
        case "/ingest": "ingest"
        case "/push.v1.PusherService/Push": "push"
        case "/healthz": "healthz"
        case "/metrics": "metrics"
        default: path.hasPrefix("/api/v1/") ? "api" : "other"
        }
    }
}

/// A known path asked with a method it does not take gets 405 with `Allow` and a JSON error (the router alone
/// answers 404, as for an unknown path). The known paths and methods are the OpenAPI document's.
struct MethodMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// Path templates (`{id}` matching one segment) and their methods.
    static let routes: [(segments: [String?], methods: [String])] = {
        guard case .object(let paths) = OpenAPIDocument.paths else { return [] }
        return paths.map { path, item in
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            let methods = item.objectValue.map { $0.keys.map { $0.uppercased() }.sorted() } ?? []
            return (segments, methods)
        }
    }()

    static func allowed(_ path: String) -> [String]? {
        let parts = path.split(separator: "/").map(String.init)
        return routes.first { route in
            route.segments.count == parts.count && zip(route.segments, parts).allSatisfy { $0 == nil || $0 == $1 }
        }?.methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // The router's own "no such route".
            guard let methods = Self.allowed(request.uri.path), !methods.contains(request.method.rawValue) else {
                return try HeadroomServer.error(404, "no such route: \(request.method.rawValue) \(request.uri.path)")
            }
            return try Self.notAllowed(request, methods)
        }
        guard response.status == .notFound, let methods = Self.allowed(request.uri.path),
            !methods.contains(request.method.rawValue)
        else { return response }
        return try Self.notAllowed(request, methods)
    }

    static func notAllowed(_ request: Request, _ methods: [String]) throws -> Response {
        var answer = try HeadroomServer.error(
            405, "\(request.method.rawValue) is not allowed here (\(methods.joined(separator: ", ")))")
        answer.headers[.allow] = methods.joined(separator: ", ")
        return answer
    }
}
