import Foundation
import HTTPTypes
import HeadroomCore
import Hummingbird
import Logging

/// `/api/v1/…`: the store's records as JSON, answered by the same tools (and so the same Codable results) as MCP
/// and the CLI's `--format json`.
///
///     GET /api/v1/services
///     GET /api/v1/regressions[?service=S&kind=regression|improvement]
///     GET /api/v1/regressions/{id}                (with its stored root-cause candidates)
///     GET /api/v1/regressions/{id}/rootcause      (ranks the culprits, as `headroom rootcause ID`)
///     GET /api/v1/opportunities[?service=S]
///     GET /api/v1/patches[?status=…]
///     POST /api/v1/regressions/{id}/ack           body (optional): {"note": "…"}; a person says "known"
///     POST /api/v1/regressions/{id}/invalid       the same for "not a regression" (both: triage_regression)
enum APIRoutes {
    static func add(to router: Router<BasicRequestContext>, registry: ToolRegistry, logger: Logger) {
        func route(
            _ path: RouterPath, method: HTTPRequest.Method = .get, tool: String,
            _ input: @escaping @Sendable (Request, BasicRequestContext) async throws -> JSONValue
        ) {
            router.on(path, method: method) { request, context in
                let arguments: JSONValue
                do {
                    arguments = try await input(request, context)
                } catch {
                    return try HeadroomServer.error(400, HeadroomError.oneLine(error))
                }
                do {
                    let output = try await AsyncBridge.offPool { try registry.call(tool, arguments) }
                    return try HeadroomServer.json(200, output, convertKeys: false)
                } catch let error as HeadroomError {
                    let status =
                        switch error.code {
                        case .notFound: 404
                        case .badInput: 400
                        case .refused: 409
                        default: 500
                        }
                    if status == 500 { logger.warning("api \(tool) failed", metadata: ["error": "\(error)"]) }
                    return try HeadroomServer.error(status, HeadroomError.oneLine(error))
                }
            }
        }
        @Sendable func query(_ request: Request, _ names: [String]) -> JSONValue {
            var object: [String: JSONValue] = [:]
            for name in names {
                if let value = request.uri.queryParameters[name[...]] { object[name] = .string(String(value)) }
            }
            return .object(object)
        }
        /// The optional `{"note": "…"}` body of a verdict (at most 16 KiB).
        @Sendable func note(_ request: Request) async throws -> String? {
            let buffer = try await request.body.collect(upTo: 16 << 10)
            guard buffer.readableBytes > 0 else { return nil }
            guard
                case .object(let fields) = try JSONValue.parse(
                    String(decoding: buffer.readableBytesView, as: UTF8.self))
            else {
                throw HeadroomError(.badInput, "the body must be a JSON object like {\"note\": \"…\"}")
            }
            guard let note = fields["note"] else { return nil }
            guard case .string(let text) = note else { throw HeadroomError(.badInput, "note must be a string") }
            return text
        }
        @Sendable func id(_ context: BasicRequestContext) throws -> Double {
            guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
                throw HeadroomError(.badInput, "the id must be a positive integer")
            }
            return Double(id)
        }
        route("/api/v1/services", tool: "list_services") { _, _ in .object([:]) }
        route("/api/v1/regressions", tool: "list_regressions") { request, _ in query(request, ["service", "kind"]) }
        route("/api/v1/regressions/:id", tool: "get_regression") { _, context in
            .object(["id": .number(try id(context))])
        }
        route("/api/v1/regressions/:id/rootcause", tool: "rank_root_causes") { _, context in
            .object(["regression": .number(try id(context))])
        }
        route("/api/v1/opportunities", tool: "list_opportunities") { request, _ in query(request, ["service"]) }
        route("/api/v1/patches", tool: "list_patches") { request, _ in query(request, ["status", "skill"]) }
        for (path, verdict) in [("ack", Triage.Verdict.acknowledged), ("invalid", .invalid)] {
            route(RouterPath("/api/v1/regressions/:id/\(path)"), method: .post, tool: "triage_regression") {
                request, context in
                var arguments: [String: JSONValue] = [
                    "id": .number(try id(context)), "verdict": .string(verdict.rawValue),
                ]
                if let note = try await note(request) { arguments["note"] = .string(note) }
                return .object(arguments)
            }
        }
    }
}
