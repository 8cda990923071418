import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomStore
import HeadroomTesting
import Testing

/// The change-history side of the store (`ChangeStore`, `RepositoryStore`) on both engines, through the one protocol
/// the services use: the same commits back (functions and keys in the same order), the same graph, ranges,
/// prefixes and refusals, deploys all or none.
@Suite("change store, SQLite and PostgreSQL", .ownThreads)
struct ChangeStoreEngineTests {
    typealias Engine = JobQueueTests.Engine

    /// Runs `body` off the cooperative pool (team mode's adapter waits for each query) with an empty store on
    /// `engine`.
    static func withStore(_ engine: Engine, _ body: @escaping @Sendable (any RootCauseStore) throws -> Void)
        async throws
    {
        switch engine {
        case .sqlite:
            let store = try Store.open(path: ":memory:")
            try await AsyncBridge.onOwnThread { try body(store) }
        case .postgres:
            try await ProfileStoreEngineTests.withPostgres { stores in
                let store = TeamStore(profiles: stores[0])
                try await AsyncBridge.onOwnThread { try body(store) }
            }
        }
    }

    static func sha(_ n: Int, prefix: String = "") -> String {
        let digits = String(n, radix: 16)
        return prefix + String(repeating: "0", count: 40 - prefix.count - digits.count) + digits
    }

    /// Commits of a code repository (a chain, a merge, functions and keys out of order, a duplicate function) and
    /// of a configuration repository.
    static func commits() -> (code: [Commit], config: [Commit]) {
        let f = { (file: String, name: String, added: Int) in
            ChangedFunction(
                file: file, name: name, change: .modified, linesAdded: added, linesRemoved: 1, previousName: nil,
                addedText: ["x = \(added)"], removedText: ["x = 0"])
        }
        let code = (1...6).map { n in
            Commit(
                sha: sha(n, prefix: n == 4 ? "abcdef1" : n == 5 ? "abcdef12" : ""),
                parents: n == 1 ? [] : n == 6 ? [sha(4, prefix: "abcdef1"), sha(5, prefix: "abcdef12")] : [sha(n - 1)],
                service: "shop", author: "Author \(n)", email: "a\(n)@example.com", time: 1_000 + Int64(n % 3) * 10,
                message: "change \(n)\n\nbody é", files: ["z.py", "a.py", "caf\u{e9}.py"],
                functions: n == 6
                    ? [] : [f("z.py", "zeta", n), f("a.py", "beta", n), f("a.py", "alpha", n), f("a.py", "beta", 99)],
                hunks: [Hunk(file: "z.py", oldStart: 3, oldCount: 1, newStart: 3, newCount: 2, functions: ["zeta"])],
                addedText: "    x = \(n)\n", linesAdded: n, linesRemoved: 1)
        }
        let config = (1...3).map { n in
            Commit(
                sha: sha(100 + n), parents: n == 1 ? [] : [sha(99 + n)], kind: .config, service: "shop",
                author: "Ops", email: "ops@example.com", time: 2_000 + Int64(n) * 100, message: "limits \(n)",
                files: ["limits.yaml"], functions: [],
                configKeys: [
                    ConfigKeyChange(file: "limits.yaml", key: "shop.max_rows", oldValue: "\(n)", newValue: "\(n + 1)"),
                    ConfigKeyChange(file: "limits.yaml", key: "shop.a", oldValue: nil, newValue: "1"),
                ], addedText: "", linesAdded: 2, linesRemoved: 1)
        }
        return (code, config)
    }

    @Test("commits, graph, ranges, prefixes and deploys read back the same on both engines", arguments: Engine.allCases)
    func changeHistory(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            let (code, config) = Self.commits()
            #expect(try store.saveCommits(code, repository: "/src/shop") == 6)
            #expect(try store.saveCommits(config, repository: "/src/config") == 3)
            // Re-saving replaces: nothing new, the new message read back.
            var edited = code[2]
            edited.message = "change 3, reworded"
            #expect(try store.saveCommits([edited], repository: "/src/shop") == 0)
            #expect(try store.knownCommits(repository: "/src/shop") == Set(code.map(\.sha)))
            #expect(try store.knownCommits(repository: "/elsewhere").isEmpty)

            // Every field back, functions unique per (file, name) and in byte order, as `asStored` says.
            let all = try store.commits(shas: code.map(\.sha) + ["f" + String(repeating: "0", count: 39)])
            #expect(
                all.map(\.sha)
                    == code.map(\.sha).sorted { a, b in
                        let (ca, cb) = (code.first { $0.sha == a }!, code.first { $0.sha == b }!)
                        return (ca.time, a) < (cb.time, b)
                    })
            let third = try #require(all.first { $0.sha == code[2].sha })
            #expect(third == edited.asStored)
            #expect(
                third.functions.map { "\($0.file):\($0.name):\($0.linesAdded)" } == [
                    "a.py:alpha:3", "a.py:beta:99", "z.py:zeta:3",
                ])
            #expect(try store.commits(shas: []).isEmpty)

            let graph = try store.commitGraph()
            #expect(graph.count == 9 && graph[code[5].sha] == code[5].parents && graph[code[0].sha] == [])
            #expect(try store.repository(ofCommit: config[1].sha) == "/src/config")
            #expect(try store.repository(ofCommit: Self.sha(999)) == nil)

            // Config commits in an inclusive range, oldest first, keys ordered by (file, key).
            let configs = try store.configCommits(from: 2_200, to: 2_300)
            #expect(configs.map(\.sha) == [config[1].sha, config[2].sha])
            #expect(configs.first?.configKeys.map(\.key) == ["shop.a", "shop.max_rows"])
            #expect(configs.first == config[1].asStored)
            #expect(try store.configCommits(from: 0, to: 1_999).isEmpty)

            // Prefixes: unique, ambiguous, malformed, unknown — the same lines on both engines.
            #expect(try store.resolveCommit(String(code[4].sha.prefix(9)).uppercased()) == code[4].sha)
            func refusal(_ reference: String) -> String {
                do {
                    _ = try store.resolveCommit(reference)
                    return "resolved"
                } catch { return "\(error)" }
            }
            #expect(refusal("abcdef1") == "commit prefix abcdef1 is ambiguous")
            #expect(refusal("abc") == "'abc' is not a commit sha (7 to 40 hex digits)")
            #expect(refusal("abcdefg") == "'abcdefg' is not a commit sha (7 to 40 hex digits)")
            #expect(refusal("1234567") == "unknown commit 1234567 (import its repository with headroom changes import)")

            // Deploys: all or none, duplicates not new, in time order per service.
            let deploys = [
                Deploy(service: "shop", commit: code[3].sha, time: 1_500),
                Deploy(service: "shop", commit: code[0].sha, time: 1_100),
                Deploy(service: "cart", commit: code[1].sha, time: 1_200),
            ]
            #expect(throws: HeadroomError.self) {
                try store.addDeploys(deploys + [Deploy(service: "shop", commit: Self.sha(999), time: 1_600)])
            }
            #expect(try store.deploys(service: "shop").isEmpty && store.deploys(service: "cart").isEmpty)
            #expect(try store.addDeploys(deploys) == 3)
            #expect(try store.addDeploys(deploys + [Deploy(service: "shop", commit: code[5].sha, time: 1_700)]) == 1)
            #expect(try store.deploys(service: "shop").map(\.time) == [1_100, 1_500, 1_700])
            #expect(try store.deploys(service: "cart") == [deploys[2]])
            #expect(try store.deploys(service: "nobody").isEmpty)
        }
    }

    @Test("registrations: one per root, names unique, freed names reused", arguments: Engine.allCases)
    func repositories(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            let shop = try store.registerRepository(root: "/src/shop", name: "shop", service: "shop")
            #expect(shop.name == "shop" && shop.root == "/src/shop" && shop.service == "shop")
            #expect(try store.registerRepository(root: "/src/shop", name: "other", service: nil).name == "shop")
            #expect(throws: HeadroomError.self) {
                try store.registerRepository(root: "/src/shop-2", name: "shop", service: nil)
            }
            #expect(throws: HeadroomError.self) {
                try store.registerRepository(root: "/src/x", name: "-bad name", service: nil)
            }
            #expect(try store.freeRepositoryName("shop") == "shop-2")
            try store.registerRepository(root: "/src/cart", name: "cart", service: nil)
            #expect(try store.registeredRepositories().map(\.name) == ["cart", "shop"])
            #expect(try store.unregisterRepository(name: "shop"))
            #expect(try !store.unregisterRepository(name: "shop"))
            #expect(try store.freeRepositoryName("shop") == "shop")
            #expect(try store.registeredRepositories().map(\.root) == ["/src/cart"])
        }
    }
}
