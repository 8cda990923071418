// swift-tools-version:6.1
import PackageDescription

// Our targets' warnings are errors where the test command asks for it (scripts/test.sh sets
// HEADROOM_WARNINGS_AS_ERRORS=1); dependencies are never held to it.
let strict: [SwiftSetting] =
    [.swiftLanguageMode(.v6)]
    + (Context.environment["HEADROOM_WARNINGS_AS_ERRORS"] == "1" ? [.unsafeFlags(["-warnings-as-errors"])] : [])

// The adapters (CLI, MCP, server, language server) parse input, call one engine service and encode its answer. None
// depends on HeadroomStore, and with MemberImportVisibility a store handle the engine gives them is opaque: its
// methods are out of reach, so every read and write goes through a service.
let adapter: [SwiftSetting] = strict + [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "Headroom",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "headroom", targets: ["headroom"]),
        .library(name: "HeadroomCore", targets: ["HeadroomCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "HeadroomCore", dependencies: ["CCrypto"], swiftSettings: strict),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "HeadroomProfiles", dependencies: ["HeadroomCore", "CZlib"], swiftSettings: strict),
        // The pprof message types generated from google/pprof's profile.proto. Only tests and the benchmark's
        // profile generator use them (as an independent encoder); the ingest path has its own streaming decoder.
        .target(
            name: "HeadroomPprof",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["profile.proto"],
            swiftSettings: strict),
        .target(
            name: "HeadroomStore",
            dependencies: [
                "HeadroomCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        // Team mode's PostgreSQL engine (postgres-nio): the shared job queue first (issue 20).
        .target(
            name: "HeadroomPostgres",
            dependencies: [
                "HeadroomCore", "HeadroomStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(name: "HeadroomDetection", dependencies: ["HeadroomCore"], swiftSettings: strict),
        // Python/headroom_ast.py is embedded in PythonHelperScript.swift by scripts/generate-python-helper.py.
        .target(
            name: "HeadroomSource", dependencies: ["HeadroomCore"], exclude: ["Python", "Go"], swiftSettings: strict),
        .target(
            name: "HeadroomChanges",
            dependencies: ["HeadroomCore", "HeadroomSource"],
            swiftSettings: strict),
        .target(
            name: "HeadroomRootCause",
            dependencies: ["HeadroomCore"],
            swiftSettings: strict),
        .target(
            name: "HeadroomSkills",
            dependencies: ["HeadroomCore", "HeadroomSource", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .target(
            name: "HeadroomDelivery",
            dependencies: ["HeadroomCore"],
            swiftSettings: strict),
        .target(
            name: "HeadroomAgent",
            dependencies: ["HeadroomCore", "HeadroomSkills"],
            swiftSettings: strict),
        // The built-in LLM brain: OpenAI-compatible and Anthropic providers over Foundation's URLSession (no TLS stack compiled in), and the agent loop.
        .target(
            name: "HeadroomLLM",
            dependencies: [
                "HeadroomCore", "HeadroomSkills", "HeadroomAgent",
            ],
            swiftSettings: strict),
        // The MCP adapter: the tool registry, skills and store records as MCP tools, prompts and resources, served
        // over stdio or Streamable HTTP (the SDK's transport behind Hummingbird).
        .target(
            name: "HeadroomMCP",
            dependencies: [
                "HeadroomCore", "HeadroomSkills",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: adapter),
        .target(
            name: "HeadroomEngine",
            dependencies: [
                "HeadroomCore", "HeadroomProfiles", "HeadroomStore", "HeadroomDetection", "HeadroomChanges",
                "HeadroomRootCause", "HeadroomSkills", "HeadroomDelivery", "HeadroomSource", "HeadroomAgent",
                "HeadroomLLM", "HeadroomPostgres", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // `headroom serve`: Pyroscope-compatible ingest, the JSON API, webhooks and /metrics over Hummingbird.
        .target(
            name: "HeadroomServer",
            dependencies: [
                "HeadroomCore", "HeadroomEngine", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: adapter),
        // `headroom lsp`: the Language Server (LSP 3.17 over stdio) that shows findings and applies fixes in editors.
        .target(
            name: "HeadroomLSP",
            dependencies: ["HeadroomCore", "HeadroomEngine", "HeadroomSkills", "HeadroomSource"],
            swiftSettings: adapter),
        .target(
            name: "HeadroomCLI",
            dependencies: [
                "HeadroomLSP",
                "HeadroomCore", "HeadroomProfiles", "HeadroomDetection", "HeadroomRootCause",
                "HeadroomSkills", "HeadroomEngine", "HeadroomAgent", "HeadroomLLM", "HeadroomMCP", "HeadroomServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: adapter),
        .executableTarget(name: "headroom", dependencies: ["HeadroomCLI"], swiftSettings: strict),
        .target(
            name: "HeadroomTesting",
            dependencies: [
                "HeadroomCore", "HeadroomPprof", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict),
        // Writes large synthetic profiles (pprof and folded) for Benchmarks/ingest and seeds for the fuzzer.
        .executableTarget(
            name: "headroom-synth", dependencies: ["HeadroomTesting", "HeadroomPprof"], swiftSettings: strict),
        // Ingest into the profile store on SQLite and PostgreSQL side by side, for Benchmarks/store.
        .executableTarget(
            name: "headroom-store-bench",
            dependencies: [
                "HeadroomTesting", "HeadroomEngine", "HeadroomPostgres", "HeadroomProfiles", "HeadroomStore",
            ],
            swiftSettings: strict),
        // Replays files through the parsers; built with -sanitize=fuzzer by scripts/fuzz.sh it is a libFuzzer target.
        .executableTarget(
            name: "headroom-fuzz", dependencies: ["HeadroomCore", "HeadroomProfiles"], swiftSettings: strict),
        .testTarget(
            name: "HeadroomTests",
            dependencies: [
                "HeadroomCore", "HeadroomProfiles", "HeadroomStore", "HeadroomDetection", "HeadroomChanges",
                "HeadroomRootCause", "HeadroomSkills", "HeadroomEngine", "HeadroomCLI", "HeadroomSource",
                "HeadroomTesting", "HeadroomAgent", "HeadroomLLM", "HeadroomMCP", "HeadroomLSP", "HeadroomPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: strict),
    ]
)
