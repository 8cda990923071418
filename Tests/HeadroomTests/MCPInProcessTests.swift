import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomMCP
import MCP
import Testing

/// The MCP surface through the SDK's in-memory transport: the protocol without a process or a pipe, for what a
/// process is not the point of (the stdio and HTTP transports have their own tests with the Python SDK).
@Suite("MCP in process", .ownThreads)
struct MCPInProcessTests {
    @Test("tools list, a call's text is the tool's typed answer, a bad call is an error result, resources read")
    func inMemory() async throws {
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        let registry = HeadroomTools.registry(
            ToolContext(store: fixture.store, skillsRoot: nil, outputDirectory: fixture.dir.path))
        let server = await HeadroomMCPServer.make(MCPSurface(registry: registry, catalog: nil))
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "headroom-tests", version: "1")
        _ = try await client.connect(transport: clientSide)
        defer {
            Task {
                await client.disconnect(); await server.stop()
            }
        }

        let listed = try await client.listTools()
        #expect(Set(listed.tools.map(\.name)) == Set(ToolName.allCases.map(\.rawValue)))
        #expect(listed.tools.first { $0.name == "reject_patch" }?.annotations.destructiveHint == true)

        let id = Double(fixture.regression.id!)
        let (content, isError) = try await client.callTool(name: "get_regression", arguments: ["id": .double(id)])
        #expect(isError != true)
        guard case .text(let text, _, _)? = content.first else {
            Issue.record("get_regression answered without text: \(content)")
            return
        }
        let detail = try ToolRegistry.decode(try JSONValue.parse(text), as: .getRegression)
        #expect(detail.regression.function == "price" && detail.candidates.first?.author == "Alice")

        let refused = try await client.callTool(name: "get_regression", arguments: ["id": "seven"])
        #expect(refused.isError == true)
        guard case .text(let why, _, _)? = refused.content.first else {
            Issue.record("no reason in \(refused.content)")
            return
        }
        #expect(why.contains("get_regression.id: expected integer"), "\(why)")

        let resource = try await client.readResource(uri: "headroom://regressions/\(Int(id))")
        let body = try #require(resource.first?.text)
        #expect(try ToolRegistry.decode(try JSONValue.parse(body), as: .getRegression).regression.id == Int64(id))
    }
}
