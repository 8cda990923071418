import Foundation
import HeadroomCore
import PostgresNIO

/// Where a PostgreSQL database is, from a `postgres://` URL (`--database`, `HEADROOM_DATABASE`):
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, or a unix socket directory as the `host` query item
/// (`postgres://USER@/DATABASE?host=/run/postgresql`), as libpq reads them. The password never appears in errors.
public struct PostgresLocation: Sendable, Equatable {
    /// The role to connect as.
    public var user: String
    /// Its password, when the server asks for one.
    public var password: String?
    /// The database.
    public var database: String
    /// A TCP host and port, or nil for a unix socket.
    public var host: String?
    public var port: Int
    /// The directory holding the server's unix socket (`.s.PGSQL.PORT` inside it).
    public var socketDirectory: String?

    /// Reads `text`; a URL that is not a PostgreSQL one is one clear error.
    public init(_ text: String) throws {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw HeadroomError(.badInput, "--database: expected postgres://USER@HOST[:PORT]/DATABASE")
        }
        user = url.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = url.password
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !path.isEmpty, !path.contains("/") else {
            throw HeadroomError(.badInput, "--database: the URL names no database (postgres://USER@HOST/DATABASE)")
        }
        database = path
        port = url.port ?? 5432
        let socket = url.queryItems?.first { $0.name == "host" }?.value
        if let socket, socket.hasPrefix("/") {
            socketDirectory = socket
            host = nil
        } else {
            socketDirectory = nil
            host = (url.host?.isEmpty == false ? url.host : nil) ?? "127.0.0.1"
        }
    }

    /// The location without its password, for messages.
    public var redacted: String {
        if let socketDirectory { return "postgres://\(user)@/\(database)?host=\(socketDirectory)" }
        return "postgres://\(user)@\(host ?? "127.0.0.1"):\(port)/\(database)"
    }

    /// The client configuration. No TLS yet: a socket, loopback, or a tunnel to the server.
    var configuration: PostgresClient.Configuration {
        if let socketDirectory {
            return PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        }
        return PostgresClient.Configuration(
            host: host ?? "127.0.0.1", port: port, username: user, password: password, database: database,
            tls: .disable)
    }
}
