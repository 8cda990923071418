import Foundation

/// Who may talk to a Headroom listener (`mcp --http`, `serve`): loopback without a token; any other address only
/// with a bearer token of at least 16 characters, which every request must present.
public enum ListenerAccess {
    public static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }

    /// Refuses a listener beyond loopback without a token, and a token too short to resist guessing; `how` says how
    /// the operator passes one.
    public static func check(host: String, token: String?, what: String, how: String) throws {
        if !isLoopback(host), (token ?? "").isEmpty {
            throw HeadroomError(.config, "\(what) \(host) (beyond loopback) needs a bearer token: \(how)")
        }
        if let token, token.count < 16 {
            throw HeadroomError(.config, "the bearer token must be at least 16 characters")
        }
    }

    /// Whether an `Authorization` header presents `token`: `Bearer TOKEN`, or, with `basic`, Basic auth with the
    /// token as the password (what agents that only speak basic auth send). Compared in constant time.
    public static func authorized(_ header: String?, token: String, basic: Bool = false) -> Bool {
        guard let header else { return false }
        let lower = header.lowercased()
        let presented: String
        if lower.hasPrefix("bearer ") {
            presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if basic, lower.hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        {
            presented = String(pair[pair.index(after: colon)...])
        } else {
            return false
        }
        let given = Array(presented.utf8)
        let expected = Array(token.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }

    /// Whether a request's `Origin` (when it sent one) names another site than the host it was sent to
    /// (`authority`, host[:port]): a browser page of that site posting through a visitor. A missing `Origin` (not a
    /// browser, or a same-origin GET) or host is not foreign; `Origin: null` is.
    public static func isForeignOrigin(_ origin: String?, authority: String?) -> Bool {
        guard let origin, let authority else { return false }
        guard let url = URL(string: origin), let host = url.host else { return true }
        return "\(host)\(url.port.map { ":\($0)" } ?? "")" != authority
    }
}
