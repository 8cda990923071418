import Foundation
import HTTPTypes
import HeadroomCore
import HeadroomEngine
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
///     POST /api/v1/regressions/{id}/snooze        body: {"seconds": N, "note": "…"}; quiet for that long
///     GET /api/v1/inbox/{person}                  one person's queue (get_inbox)
///     GET /api/v1/program/metrics[?since=&until=] the program's figures (get_metrics)
///     GET /api/v1/services/{name}/plan[?horizon=&step=]   capacity plan (plan_capacity)
///     GET /api/v1/services/{name}/experiment?label=&control=&treatment=[&function=&metric=&since=&until=]
///                                                 profiles compared by label (get_experiment)
enum APIRoutes {
    /// The longest snooze the API takes: ten years.
    static let longestSnooze: Double = 315_360_000

    static func add(to router: Router<BasicRequestContext>, registry: ToolRegistry, logger: Logger) {
        func route(
            _ path: RouterPath, method: HTTPRequest.Method = .get, tool: ToolName,
            _ input: @escaping @Sendable (Request, BasicRequestContext) async throws -> JSONValue
        ) {
            router.on(path, method: method) { request, context in
                guard registry.tool(named: tool.rawValue) != nil else {
                    return try HeadroomServer.error(
                        501,
                        "\(request.uri.path): this server has no \(tool.rawValue) tool (a registry built without it)")
                }
                if method == .post, let refusal = try writeRefusal(request) { return refusal }
                let arguments: JSONValue
                do {
                    arguments = try await input(request, context)
                } catch {
                    return try HeadroomServer.error(400, HeadroomError.oneLine(error))
                }
                do {
                    let output = try await AsyncBridge.offPool { try registry.call(tool.rawValue, arguments) }
                    return try HeadroomServer.json(200, output, convertKeys: false)
                } catch let error as HeadroomError {
                    let status =
                        switch error.code {
                        case .notFound: 404
                        case .badInput: 400
                        case .refused: 409
                        default: 500
                        }
                    if status == 500 { logger.warning("api \(tool.rawValue) failed", metadata: ["error": "\(error)"]) }
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
        /// The optional `{"note": "…"}` body of a verdict.
        @Sendable func note(_ request: Request) async throws -> String? {
            try await Self.string(Self.bodyObject(request), "note")
        }
        @Sendable func id(_ context: BasicRequestContext) throws -> Double {
            guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
                throw HeadroomError(.badInput, "the id must be a positive integer")
            }
            return Double(id)
        }
        route("/api/v1/services", tool: .listServices) { _, _ in .object([:]) }
        route("/api/v1/regressions", tool: .listRegressions) { request, _ in query(request, ["service", "kind"]) }
        route("/api/v1/regressions/:id", tool: .getRegression) { _, context in
            .object(["id": .number(try id(context))])
        }
        route("/api/v1/regressions/:id/rootcause", tool: .rankRootCauses) { _, context in
            .object(["regression": .number(try id(context))])
        }
        route("/api/v1/opportunities", tool: .listOpportunities) { request, _ in query(request, ["service"]) }
        route("/api/v1/patches", tool: .listPatches) { request, _ in query(request, ["status", "skill"]) }
        route("/api/v1/regressions/:id/snooze", method: .post, tool: .triageRegression) { request, context in
            let fields = try await Self.bodyObject(request)
            guard case .number(let seconds)? = fields["seconds"], seconds.rounded() == seconds,
                (60...Self.longestSnooze).contains(seconds)
            else {
                throw HeadroomError(
                    .badInput, "a snooze needs seconds: an integer from 60 to \(Int(Self.longestSnooze))")
            }
            var arguments: [String: JSONValue] = [
                "id": .number(try id(context)), "verdict": .string(Triage.Verdict.snoozed.rawValue),
                "until": .number(Double(Timestamps.now()) + seconds),
            ]
            if let note = try Self.string(fields, "note") { arguments["note"] = .string(note) }
            return .object(arguments)
        }
        route("/api/v1/inbox/:person", tool: .getInbox) { _, context in
            .object(["person": .string(context.parameters.get("person")?.removingPercentEncoding ?? "")])
        }
        route("/api/v1/program/metrics", tool: .getMetrics) { request, _ in query(request, ["since", "until"]) }
        @Sendable func service(_ context: BasicRequestContext) -> JSONValue {
            .string(context.parameters.get("name")?.removingPercentEncoding ?? "")
        }
        route("/api/v1/services/:name/plan", tool: .planCapacity) { request, context in
            guard case .object(var fields) = query(request, ["step"]) else { return [:] }
            fields["service"] = service(context)
            if let text = request.uri.queryParameters["horizon"] {
                guard let horizon = Int(text) else { throw HeadroomError(.badInput, "horizon must be an integer") }
                fields["horizon"] = .number(Double(horizon))
            }
            return .object(fields)
        }
        route("/api/v1/services/:name/experiment", tool: .getExperiment) { request, context in
            guard
                case .object(var fields) = query(
                    request, ["label", "control", "treatment", "function", "metric", "since", "until"])
            else { return [:] }
            fields["service"] = service(context)
            return .object(fields)
        }
        for (path, verdict) in [("ack", Triage.Verdict.acknowledged), ("invalid", .invalid)] {
            route(RouterPath("/api/v1/regressions/:id/\(path)"), method: .post, tool: .triageRegression) {
                request, context in
                var arguments: [String: JSONValue] = [
                    "id": .number(try id(context)), "verdict": .string(verdict.rawValue),
                ]
                if let note = try await note(request) { arguments["note"] = .string(note) }
                return .object(arguments)
            }
        }
    }

    /// Writes from a browser page of another site are refused, with or without a token a browser may have cached:
    /// a body must be declared `application/json` (which a cross-site form or no-CORS fetch cannot send), and an
    /// `Origin`, when sent, must be this server's own host.
    static func writeRefusal(_ request: Request) throws -> Response? {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            return try HeadroomServer.error(415, "write requests take a JSON body (Content-Type: application/json)")
        }
        if let origin = request.headers[.origin],
            ListenerAccess.isForeignOrigin(origin, authority: request.head.authority)
        {
            return try HeadroomServer.error(403, "cross-origin writes are refused (Origin \(origin))")
        }
        return nil
    }

    /// A request's optional JSON object body (at most 16 KiB; empty: no fields).
    static func bodyObject(_ request: Request) async throws -> [String: JSONValue] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 16 << 10)
        } catch {
            throw HeadroomError(.badInput, "the body is larger than 16 KiB")
        }
        guard buffer.readableBytes > 0 else { return [:] }
        guard case .object(let fields) = try JSONValue.parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
        else {
            throw HeadroomError(.badInput, "the body must be a JSON object")
        }
        return fields
    }

    static func string(_ fields: [String: JSONValue], _ key: String) throws -> String? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw HeadroomError(.badInput, "\(key) must be a string") }
        return text
    }

    static func bool(_ fields: [String: JSONValue], _ key: String) throws -> Bool {
        guard let value = fields[key], value != .null else { return false }
        guard case .bool(let flag) = value else { throw HeadroomError(.badInput, "\(key) must be true or false") }
        return flag
    }

    /// A positive integer path id.
    static func pathID(_ context: BasicRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw HeadroomError(.badInput, "the id must be a positive integer")
        }
        return id
    }

    /// `POST /api/v1/patches/{id}/apply|reject|publish`: a person's review of a patch (`PatchReview`), or its
    /// publication as a pull request (the forge's refusal is a 502 with its one line).
    static func addReview(to router: Router<BasicRequestContext>, review: PatchReview, logger: Logger) {
        for action in ["apply", "reject", "publish"] {
            router.post(RouterPath("/api/v1/patches/:id/\(action)")) { request, context in
                if let refusal = try writeRefusal(request) { return refusal }
                do {
                    let id = try pathID(context)
                    let fields = try await bodyObject(request)
                    let answer: JSONValue
                    if action == "publish" {
                        let remote = try string(fields, "remote")
                        answer = try await review.publish(id, remote: remote)
                    } else if action == "apply" {
                        let (markOnly, note) = (try bool(fields, "mark_only"), try string(fields, "note"))
                        answer = try JSONValue(
                            encoding: try await AsyncBridge.offPool {
                                try review.apply(id, markOnly: markOnly, note: note)
                            })
                    } else {
                        let (keep, reason) = (try bool(fields, "keep_branch"), try string(fields, "reason"))
                        answer = try JSONValue(
                            encoding: try await AsyncBridge.offPool {
                                try review.reject(id, reason: reason, keepBranch: keep)
                            })
                    }
                    return try HeadroomServer.json(200, answer, convertKeys: false)
                } catch let error as HeadroomError {
                    let status =
                        switch error.code {
                        case .notFound: 404
                        case .badInput, .config: 400
                        case .refused: action == "publish" ? 502 : 409
                        case .git: action == "publish" ? 502 : 500
                        default: 500
                        }
                    if status == 500 { logger.warning("patch \(action) failed", metadata: ["error": "\(error)"]) }
                    return try HeadroomServer.error(status, HeadroomError.oneLine(error))
                }
            }
        }
    }
}
