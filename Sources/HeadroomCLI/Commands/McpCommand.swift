import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomMCP
import HeadroomSkills
import Logging

/// `headroom mcp`: every registry tool, skill and store record for any MCP client, over stdio or Streamable HTTP.
struct McpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve Headroom's tools, skills (as prompts) and records (as resources) over MCP.",
        discussion: """
            stdio (default): for Claude Code, Claude Desktop, Cursor and other clients that start the server \
            themselves; only protocol goes to stdout, logs go to stderr.
            --http HOST:PORT: Streamable HTTP at http://HOST:PORT/mcp. Loopback unless told otherwise; any other \
            address needs --token or HEADROOM_MCP_TOKEN, which clients send as `Authorization: Bearer TOKEN`.
            --database (team mode): the shared PostgreSQL database's services, regressions, verdicts, root causes, \
            change history and profile queries, and the skills' documents; patches, opportunities and the program's \
            records are not kept there yet, so their tools are not listed.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var skills: SkillsOptions
    @Option(help: "Serve Streamable HTTP on HOST:PORT (e.g. 127.0.0.1:8765; port 0 picks a free one).") var http:
        String?
    @Option(help: "Bearer token HTTP clients must send (default: $HEADROOM_MCP_TOKEN).") var token: String?
    @Option(help: "Where PR descriptions of delivered patches go (default: next to the store).") var output: String?
    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error.") var logLevel: String = "notice"
    @Option(
        name: .customLong("max-sessions"),
        help: "HTTP: live sessions at most; past that a new one gets 503 (default 256).")
    var maxSessions: Int = 256

    func run() async throws {
        let logger = StderrLogging.logger("headroom.mcp", level: .init(rawValue: logLevel) ?? .notice)
        if let url = databaseOptions.url {
            let skillsRoot = try? skills.root()
            let catalog = try skillsRoot.map { try SkillCatalog.load(root: $0) }
            try await TeamDatabase.with(url: url) { database in
                let surface = MCPSurface(
                    registry: database.toolRegistry(skillsRoot: skillsRoot, outputDirectory: output),
                    catalog: catalog,
                    version: HeadroomVersion.string)
                try await serve(surface, logger: logger)
            }
            return
        }
        let context = try toolContext(store: storeOptions, skills: skills, output: output)
        let catalog = try context.skillsRoot.map { try SkillCatalog.load(root: $0) }
        let surface = MCPSurface(
            registry: HeadroomTools.registry(context), catalog: catalog, version: HeadroomVersion.string)
        try await serve(surface, logger: logger)
    }

    /// Serves `surface` over stdio, or Streamable HTTP with `--http`.
    func serve(_ surface: MCPSurface, logger: Logger) async throws {
        guard let http else {
            try await HeadroomMCPServer.serveStdio(surface, logger: logger)
            return
        }
        let (host, port) = try Self.hostPort(http)
        let token =
            self.token ?? ProcessInfo.processInfo.environment["HEADROOM_MCP_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        guard maxSessions > 0 else { throw HeadroomError(.badInput, "--max-sessions must be positive") }
        var server = try MCPHTTPServer(surface: surface, host: host, port: port, token: token)
        server.maxSessions = maxSessions
        try await server.run(logger: logger)
    }

    static func hostPort(_ text: String) throws -> (String, Int) {
        var host = "127.0.0.1"
        var portText = text
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw HeadroomError(.badInput, "--http: '\(text)' is not HOST:PORT (e.g. 127.0.0.1:8765)")
        }
        return (host, port)
    }
}
