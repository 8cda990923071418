import Foundation
import HeadroomCore
import Logging
import MCP

/// Builds MCP servers over a `MCPSurface` and runs them over stdio.
public enum HeadroomMCPServer {
    /// A server with every handler registered; one per stdio process or per HTTP session.
    public static func make(_ surface: MCPSurface) async -> Server {
        let server = Server(
            name: "headroom", version: surface.version, title: "Headroom", instructions: MCPSurface.instructions,
            capabilities: .init(
                prompts: .init(listChanged: false), resources: .init(subscribe: false, listChanged: false),
                tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: surface.tools) }
        await server.withMethodHandler(CallTool.self) { params in try await surface.call(params) }
        await server.withMethodHandler(ListPrompts.self) { _ in .init(prompts: surface.prompts) }
        await server.withMethodHandler(GetPrompt.self) { params in try surface.prompt(params) }
        await server.withMethodHandler(ListResources.self) { _ in .init(resources: try await surface.resources()) }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in .init(templates: surface.resourceTemplates) }
        await server.withMethodHandler(ReadResource.self) { params in try await surface.read(params.uri) }
        return server
    }

    /// Serves one client over stdin/stdout until stdin closes. Only protocol goes to stdout; logs go to stderr.
    public static func serveStdio(_ surface: MCPSurface, logger: Logger) async throws {
        let server = await make(surface)
        try await server.start(transport: DrainingTransport(StdioTransport(logger: logger), logger: logger))
        logger.info("headroom mcp: serving \(surface.registry.tools.count) tools over stdio")
        await server.waitUntilCompleted()
    }
}

/// Logs to stderr only (stdout belongs to the protocol in stdio mode).
public enum StderrLogging {
    public static func logger(_ label: String, level: Logger.Level = .notice) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
