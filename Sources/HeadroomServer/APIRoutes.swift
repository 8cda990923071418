import Foundation
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
enum APIRoutes {
    static func add(to router: Router<BasicRequestContext>, registry: ToolRegistry, logger: Logger) {
        func route(
            _ path: RouterPath, tool: String,
            _ input: @escaping @Sendable (Request, BasicRequestContext) throws -> JSONValue
        ) {
            router.get(path) { request, context in
                let arguments: JSONValue
                do {
                    arguments = try input(request, context)
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
    }
}
