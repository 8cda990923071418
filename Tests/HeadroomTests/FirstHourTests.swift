import Foundation
import HeadroomCore
import HeadroomStore
import HeadroomTesting
import Testing

/// Issue 24, the first hour off the happy path, through the real binary: one store-discovery rule, read commands
/// that never create a store, foreign files left untouched, `--version`, clean file-system errors, and MCP over
/// stdio answering everything it read.
@Suite("first hour", .ownThreads)
struct FirstHourTests {
    func headroom(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws
        -> ProcessResult
    {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "HEADROOM_STORE")
        for (key, value) in environment { env[key] = value }
        return try Shell.run(
            [Checkout.binary] + arguments, in: directory, environment: env, inheritEnvironment: false, timeout: 120)
    }

    /// The store an ancestor of `directory` holds, if any (then discovery finds it: also a valid outcome).
    func ancestorStore(of directory: String) -> String? {
        var folder = URL(fileURLWithPath: directory)
        while folder.path != "/" {
            folder.deleteLastPathComponent()
            let candidate = folder.appendingPathComponent(".headroom/headroom.sqlite").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    @Test("read commands in a folder without a store: one line naming the store, and no store created")
    func readCommandsCreateNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try #require(ancestorStore(of: dir.path) == nil, "a store above \(dir.path) would be found instead")
        for command in [
            ["top", "--service", "shop"], ["review", "list"], ["review", "show", "1"], ["detect"],
            ["rootcause", "1"], ["ask", "what regressed?"], ["opportunities"], ["doctor"], ["repos", "list"],
            ["tools", "call", "list_regressions"], ["fix", "1"],
        ] {
            let run = try headroom(command, in: dir.path)
            #expect(run.status == 1, "\(command)")
            #expect(
                run.stderr.contains("no store at .headroom/headroom.sqlite; no .headroom/ here or above"),
                "\(command): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(command): \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.file(".headroom")), "\(command) created a store")
        }
        // A profile that is no profile: refused, and the store ingest would have created is not left behind.
        try dir.write("README.md", "# A project\n\nSome prose, twelve words long, and not a profile at all.\n")
        let ingest = try headroom(["ingest", "README.md", "--service", "svc"], in: dir.path)
        #expect(ingest.status == 1 && ingest.stderr.contains("expected a pprof profile"), "\(ingest.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file(".headroom")))
    }

    @Test("the store is found from a subfolder, from HEADROOM_STORE, or from --store, in that order")
    func discovery() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try dir.write("p.folded", "main;work 10\nmain;idle 5\n")
        #expect(try headroom(["ingest", "p.folded", "--service", "svc"], in: dir.path).status == 0)
        let nested = dir.file("src/deep/er")
        try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        let found = try headroom(["top", "--service", "svc"], in: nested)
        #expect(found.status == 0 && found.stdout.contains("work"), "\(found.stderr)")
        let other = try TemporaryDirectory()
        defer { other.cleanup() }
        let byEnvironment = try headroom(
            ["top", "--service", "svc"], in: other.path,
            environment: ["HEADROOM_STORE": dir.file(".headroom/headroom.sqlite")])
        #expect(byEnvironment.status == 0 && byEnvironment.stdout.contains("work"), "\(byEnvironment.stderr)")
        let missing = try headroom(
            ["top", "--service", "svc"], in: nested, environment: ["HEADROOM_STORE": other.file("none.sqlite")])
        #expect(
            missing.stderr.contains("no store at \(other.file("none.sqlite")) (from HEADROOM_STORE)"),
            "\(missing.stderr)")
        let explicit = try headroom(
            ["top", "--service", "svc", "--store", other.file("x.sqlite")], in: nested,
            environment: ["HEADROOM_STORE": dir.file(".headroom/headroom.sqlite")])
        #expect(explicit.stderr.contains("no store at \(other.file("x.sqlite")) (from --store)"), "\(explicit.stderr)")
    }

    @Test("another program's SQLite database, or a file that is not SQLite, is refused and left untouched")
    func foreignStores() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let foreign = dir.file("someone-elses.sqlite")
        let made = try Shell.run([
            "python3", "-c",
            "import sqlite3; c = sqlite3.connect('\(foreign)'); c.execute('CREATE TABLE customers (id)'); c.commit()",
        ])
        try #require(made.succeeded, "\(made.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: foreign))
        for command in [["detect"], ["ingest", "p.folded", "--service", "svc"], ["repos", "add", "svc", dir.path]] {
            try dir.write("p.folded", "main;work 10\n")
            let run = try headroom(command + ["--store", foreign], in: dir.path)
            #expect(
                run.status == 1
                    && run.stderr.contains("is a SQLite database but not a Headroom store (tables: customers)"),
                "\(command): \(run.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == before)
        try dir.write("notes.sqlite", "plain text, not a database\n")
        let junk = try headroom(["top", "--service", "svc", "--store", dir.file("notes.sqlite")], in: dir.path)
        #expect(junk.stderr.contains("is not a Headroom store (not a SQLite database)"), "\(junk.stderr)")
        #expect(try String(contentsOfFile: dir.file("notes.sqlite"), encoding: .utf8) == "plain text, not a database\n")
        // A store made before stores were marked is still recognised, and marked.
        let store = try Store.open(path: dir.file("ours.sqlite"))
        _ = store
        #expect(try headroom(["repos", "list", "--store", dir.file("ours.sqlite")], in: dir.path).status == 0)
    }

    @Test("--version, and a demo workdir that is a file, are one clean line")
    func smallThings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let version = try headroom(["--version"], in: dir.path)
        #expect(version.status == 0 && version.stdout == HeadroomVersion.string + "\n")
        try dir.write("afile", "x")
        let demo = try headroom(["demo", "--workdir", dir.file("afile")], in: dir.path)
        #expect(
            demo.status == 1
                && demo.stderr
                    == "headroom: error: --workdir \(dir.file("afile")) is a file; the demo needs a folder (it creates one)\n",
            "\(demo.stderr)")
    }

    @Test("MCP over stdio answers every request it read, even when input ends right after them")
    func mcpStdioDrains() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try dir.write("p.folded", "main;work 10\n")
        #expect(try headroom(["ingest", "p.folded", "--service", "svc"], in: dir.path).status == 0)
        let lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":"three","method":"tools/call","params":{"name":"query_profile","arguments":{"service":"svc"}}}"#,
        ]
        let run = try Shell.run(
            [Checkout.binary, "mcp"], in: dir.path, input: Data((lines.joined(separator: "\n") + "\n").utf8),
            timeout: 120)
        let ids = run.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = object["id"]
            else { return nil }
            return "\(id)"
        }
        #expect(Set(ids) == ["1", "2", "three"], "\(run.stdout.prefix(600)) \(run.stderr.suffix(600))")
    }
}
