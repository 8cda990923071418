import Foundation
import HeadroomCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// JSON requests to a forge's REST API with a bearer-style token. The token goes in a header only; it is never part
/// of an error line, a log message or anything stored.
public struct ForgeHTTP: Sendable {
    /// A forge's answer.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The response headers, lower-cased names.
        public var headers: [String: String]
        /// The JSON body (`null` when empty).
        public var body: JSONValue
    }

    /// The API's base URL.
    public var base: URL
    /// Header name and value that carry the token.
    var authorization: (name: String, value: String)
    var extraHeaders: [String: String]
    /// The forge's name, for error lines.
    public var forgeName: String
    /// Where the token came from (its variable's name), for error lines.
    public var tokenSource: String
    /// Seconds before a request is abandoned.
    public var timeout: Double = 30

    /// A client of the API at `base`.
    public init(
        base: URL, authorization: (name: String, value: String), extraHeaders: [String: String] = [:],
        forgeName: String, tokenSource: String
    ) {
        self.base = base
        self.authorization = authorization
        self.extraHeaders = extraHeaders
        self.forgeName = forgeName
        self.tokenSource = tokenSource
    }

    /// Sends one request; 2xx returns the parsed body, anything else throws a `ForgeError` naming `action`.
    @discardableResult
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        action: String
    ) async throws -> Response {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)
        if !query.isEmpty {
            components?.percentEncodedQueryItems = query.map {
                URLQueryItem(name: $0.0, value: $0.1.addingPercentEncoding(withAllowedCharacters: Self.queryAllowed))
            }
        }
        // The path is set encoded as given: GitLab's project path is an already encoded segment (`a%2Fb`).
        components?.percentEncodedPath = base.path.trimmingSuffix("/") + "/" + path.drop(while: { $0 == "/" })
        guard let url = components?.url else {
            throw ForgeError(status: 0, line: "\(forgeName): cannot build a URL for \(path)", alreadyExists: false)
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("headroom/\(HeadroomVersion.string)", forHTTPHeaderField: "User-Agent")
        request.setValue(authorization.value, forHTTPHeaderField: authorization.name)
        for (name, value) in extraHeaders { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            request.httpBody = try encoder.encode(body)
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            let why = (error as? URLError).map { "URL error \($0.code.rawValue)" } ?? "\(type(of: error))"
            throw ForgeError(
                status: 0, line: "\(forgeName): \(action): no answer from \(base.absoluteString) (\(why))",
                alreadyExists: false)
        }
        guard let http = response as? HTTPURLResponse else {
            throw ForgeError(status: 0, line: "\(forgeName): \(action): not an HTTP answer", alreadyExists: false)
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        let parsed = data.isEmpty ? JSONValue.null : ((try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null)
        guard (200..<300).contains(http.statusCode) else {
            throw error(status: http.statusCode, headers: headers, body: parsed, action: action)
        }
        return Response(status: http.statusCode, headers: headers, body: parsed)
    }

    /// One line for a refusal: what failed, the forge's own words, and what to do.
    func error(status: Int, headers: [String: String], body: JSONValue, action: String) -> ForgeError {
        let said = Self.message(body)
        let words = said.isEmpty ? "" : ": \(said)"
        let line: String
        let rateLimited =
            status == 429
            || (status == 403 && (headers["x-ratelimit-remaining"] == "0" || headers["retry-after"] != nil))
        switch status {
        case _ where rateLimited:
            let reset = headers["x-ratelimit-reset"].flatMap { Int64($0) }.map { " until \(Timestamps.format($0))" }
            let after = headers["retry-after"].map { " (retry after \($0) s)" }
            line =
                "\(forgeName) rate limit reached\(reset ?? "")\(after ?? "") while trying to \(action); try again later"
        case 401:
            line =
                "\(forgeName) rejected the token in $\(tokenSource) (401 Unauthorized) while trying to \(action); set it to a valid token"
        case 403:
            line =
                "\(forgeName) refused to \(action) (403 Forbidden\(words)); the token in $\(tokenSource) lacks the permission"
        case 404:
            line =
                "\(forgeName) answered 404 Not Found to \(action)\(words); check forge.repo and that the token in $\(tokenSource) can see the repository"
        case 409, 422:
            line = "\(forgeName) refused to \(action) (\(status)\(words))"
        default:
            line = "\(forgeName) failed to \(action) (HTTP \(status)\(words))"
        }
        let exists = (status == 422 || status == 409) && said.lowercased().contains("already exists")
        return ForgeError(status: status, line: line, alreadyExists: exists)
    }

    /// The forge's message: GitHub's `message` plus its `errors[].message`, GitLab's `message` (string, list or
    /// object of lists) or `error`.
    static func message(_ body: JSONValue) -> String {
        var parts: [String] = []
        func collect(_ value: JSONValue?) {
            switch value {
            case .string(let text)?: parts.append(text)
            case .array(let items)?: items.forEach { collect($0) }
            case .object(let fields)?:
                if let text = fields["message"]?.stringValue {
                    parts.append(text)
                } else {
                    for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                        if let list = value.arrayValue {
                            parts.append("\(key) " + list.compactMap(\.stringValue).joined(separator: ", "))
                        }
                    }
                }
            default: break
            }
        }
        collect(body["message"])
        collect(body["errors"])
        collect(body["error"])
        let line = parts.joined(separator: "; ").replacingOccurrences(of: "\n", with: " ")
        return String(line.prefix(300))
    }

    static let queryAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#")
        return set
    }()
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
