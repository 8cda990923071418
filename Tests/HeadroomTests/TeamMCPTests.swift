import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomMCP
import HeadroomSkills
import HeadroomStore
import HeadroomTesting
import MCP
import Testing

/// `headroom mcp --database`: team mode's tools over MCP answer as the SQLite store's from the same repositories,
/// deploys and profiles, and the tools team mode does not have yet (the program's) are not listed.
@Suite("team mode: MCP on PostgreSQL", .ownThreads)
struct TeamMCPTests {
    /// An MCP client connected in process to `registry`'s surface.
    static func connect(_ registry: ToolRegistry, catalog: SkillCatalog?) async throws -> (Client, Server) {
        let server = await HeadroomMCPServer.make(MCPSurface(registry: registry, catalog: catalog))
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "headroom-tests", version: "1")
        _ = try await client.connect(transport: clientSide)
        return (client, server)
    }

    /// A tool call's text, as JSON without ids (the two engines number rows independently) and verdict times (two
    /// calls, two clocks).
    static func call(_ client: Client, _ tool: String, _ arguments: [String: Value]) async throws -> String {
        let (content, isError) = try await client.callTool(name: tool, arguments: arguments)
        guard case .text(let text, _, _)? = content.first else { throw HeadroomError(.contract, "\(tool): no text") }
        #expect(isError != true, "\(tool) \(arguments): \(text)")
        return try withoutIDs(text)
    }

    static func withoutIDs(_ text: String) throws -> String {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !["id", "regression", "decided_at"].contains($0.key) }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        let data = try JSONSerialization.data(withJSONObject: strip(parsed), options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    @Test(
        "mcp --database: services, regressions, verdicts, root causes, changes, profile queries and skills as on SQLite"
    )
    func sameAnswersAsSQLite() async throws {
        try await TeamRootCauseTests.withHistory { dir, history in
            let path = dir.file("s.sqlite")
            let profiles = try history.profiles(dir)
            try await TeamWorkerTests.withTeam { team, url in
                for target in [["--store", path], ["--database", url]] {
                    try history.load(profiles, into: target)
                    let run = try Checkout.headroom(["detect", "--service", "shop"] + target)
                    try #require(run.succeeded, "\(run.stderr)")
                }
                let skills = (Checkout.root as NSString).appendingPathComponent("Skills")
                let catalog = try SkillCatalog.load(root: skills)
                let sqliteRegistry = HeadroomTools.registry(
                    ToolContext(store: try Store.open(path: path), skillsRoot: skills, outputDirectory: dir.path))
                let database = TeamDatabase(queue: team[0].queue, profiles: team[0].profiles)
                let (sqlite, sqliteServer) = try await Self.connect(sqliteRegistry, catalog: catalog)
                let (postgres, postgresServer) = try await Self.connect(
                    database.toolRegistry(skillsRoot: skills), catalog: catalog)
                defer {
                    Task {
                        await sqlite.disconnect(); await sqliteServer.stop()
                        await postgres.disconnect(); await postgresServer.stop()
                    }
                }

                // Team mode lists the tools it has, each declared as on SQLite; the others are absent.
                let sqliteTools = try await sqlite.listTools().tools
                let postgresTools = try await postgres.listTools().tools
                let names = Set(postgresTools.map(\.name))
                #expect(
                    names == [
                        "query_profile", "list_services", "list_regressions", "get_regression", "triage_regression",
                        "rank_root_causes", "get_change", "config_history", "search_code", "list_opportunities",
                        "list_skills", "read_docs", "get_experiment_results", "generate_patch", "propose_patch",
                        "validate_patch", "deliver_patch", "list_patches", "reject_patch", "get_metrics",
                        "get_experiment", "plan_capacity", "get_inbox",
                    ])
                for tool in postgresTools {
                    let same = sqliteTools.first { $0.name == tool.name }
                    #expect(
                        same?.inputSchema == tool.inputSchema && same?.description == tool.description, "\(tool.name)")
                }

                func regressionID(_ client: Client) async throws -> Int {
                    let (content, _) = try await client.callTool(
                        name: "list_regressions", arguments: ["service": "shop"])
                    guard case .text(let text, _, _)? = content.first else { return 0 }
                    let list = try ToolRegistry.decode(try JSONValue.parse(text), as: .listRegressions)
                    return Int(try #require(list.regressions.first { $0.function == "query" }?.id))
                }
                let ids = (sqlite: try await regressionID(sqlite), postgres: try await regressionID(postgres))
                let start = history.start
                let calls: [(String, (Int) -> [String: Value])] = [
                    ("list_services", { _ in [:] }),
                    ("list_regressions", { _ in ["service": "shop"] }),
                    ("get_regression", { ["id": .int($0)] }),
                    ("rank_root_causes", { ["regression": .int($0)] }),
                    ("get_regression", { ["id": .int($0)] }),  // now with its stored candidates
                    ("get_change", { _ in ["sha": .string(String(history.culprit.prefix(10)))] }),
                    ("config_history", { _ in ["key": "max_rows"] }),
                    ("search_code", { _ in ["repository": "shop", "query": "rows.append"] }),
                    ("query_profile", { _ in ["service": "shop", "limit": 5] }),
                    ("query_profile", { _ in ["service": "shop", "by": "total", "function": "query"] }),
                    (
                        "query_profile",
                        { _ in
                            [
                                "service": "shop", "mode": "diff", "before_to": .int(Int(start) + 15 * 60),
                                "after_from": .int(Int(start) + 16 * 60),
                            ]
                        }
                    ),
                    ("query_profile", { _ in ["service": "shop", "mode": "flame", "limit": 3] }),
                    ("list_skills", { _ in [:] }),
                    ("read_docs", { _ in ["skill": "memoize"] }),
                    ("triage_regression", { ["id": .int($0), "verdict": "acknowledged", "note": "known"] }),
                    ("list_regressions", { _ in ["service": "shop"] }),
                ]
                for (tool, arguments) in calls {
                    let a = try await Self.call(sqlite, tool, arguments(ids.sqlite))
                    let b = try await Self.call(postgres, tool, arguments(ids.postgres))
                    #expect(a == b, "\(tool) \(arguments(0))")
                    #expect(a.count > 20, "\(tool): \(a)")
                }
                // A bad call is the same error on both engines.
                let refused = try await postgres.callTool(name: "get_regression", arguments: ["id": 9_999])
                #expect(refused.isError == true)

                // Resources: regressions and opportunities (none scanned yet: an empty list, as on SQLite).
                let (resources, _) = try await postgres.listResources()
                #expect(resources.contains { $0.uri == "headroom://regressions/\(ids.postgres)" })
                #expect(resources.contains { $0.uri == "headroom://opportunities" })
                let read = try await postgres.readResource(uri: "headroom://regressions/\(ids.postgres)")
                #expect(read.first?.text?.contains("\"query\"") == true, "\(read)")
                let listed = try await postgres.readResource(uri: "headroom://opportunities")
                let expected = try await sqlite.readResource(uri: "headroom://opportunities")
                #expect(listed.first?.text != nil && listed.first?.text == expected.first?.text, "\(listed)")

                // The command itself, driven by the official Python MCP SDK over stdio.
                let client = """
                    import asyncio, json, sys
                    from mcp import ClientSession, StdioServerParameters
                    from mcp.client.stdio import stdio_client
                    async def main():
                        arguments = ["mcp", "--database", sys.argv[2], "--skills", sys.argv[3]]
                        server = StdioServerParameters(command=sys.argv[1], args=arguments)
                        async with stdio_client(server) as (read, write):
                            async with ClientSession(read, write) as session:
                                await session.initialize()
                                tools = await session.list_tools()
                                listed = await session.call_tool("list_regressions", {"service": "shop"})
                                print(json.dumps({"tools": sorted(t.name for t in tools.tools),
                                                  "regressions": listed.content[0].text}))
                    asyncio.run(main())
                    """
                let script = try dir.write("client.py", client)
                let run = try await AsyncBridge.onOwnThread {
                    try Shell.run(["python3", script, Checkout.binary, url, skills], timeout: 120)
                }
                try #require(run.succeeded, "\(run.stderr)")
                let answer = try #require(
                    try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
                #expect((answer["tools"] as? [String]).map(Set.init) == names)
                let direct = try await Self.call(postgres, "list_regressions", ["service": "shop"])
                #expect(try Self.withoutIDs(try #require(answer["regressions"] as? String)) == direct)
            }
        }
    }
}
