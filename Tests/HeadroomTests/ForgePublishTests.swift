import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomSkills
import HeadroomTesting
import Testing

/// `headroom review publish` against a real bare git remote and Tests/forge/fake_forge.py, a loopback server with
/// exactly the GitHub and GitLab endpoints it uses (request and response shapes from their API descriptions); the
/// requests it receives are asserted.
@Suite("Publishing fixes to a forge", .serialized, .ownThreads)
struct ForgePublishTests {
    static let token = "ghp_test_7f3a9c1e5b"

    /// The fake forge, running; its log and mode over HTTP.
    final class FakeForge: @unchecked Sendable {
        let process = Process()
        let port: Int

        init(remote: String, repo: String, users: [String]) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments =
                [
                    "python3", Checkout.root + "/Tests/forge/fake_forge.py", "--remote", remote, "--token", token,
                    "--repo", repo,
                ]
                + users.flatMap { ["--user", $0] }
            let portFile = remote + ".port"
            process.arguments! += ["--port-file", portFile]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var port: Int?
            for _ in 0..<200 where port == nil {
                port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
                if port == nil { Thread.sleep(forTimeInterval: 0.05) }
            }
            guard let port else {
                process.terminate()
                throw HeadroomError(.process, "fake forge did not start within 10 s")
            }
            self.port = port
        }

        var base: String { "http://127.0.0.1:\(port)" }

        func requests() throws -> [JSONValue] {
            let r = try Shell.run(["curl", "-s", "\(base)/_requests"], timeout: 30)
            return try JSONValue.parse(r.stdout).arrayValue ?? []
        }

        func mode(_ mode: String) throws {
            _ = try Shell.run(
                [
                    "curl", "-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"mode\": \"\(mode)\"}",
                    "\(base)/_mode",
                ], timeout: 30)
        }

        /// A reviewer merges or closes request `number` on the forge.
        func review(_ number: Int, _ decision: String) throws {
            _ = try Shell.run(
                [
                    "curl", "-s", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                    "{\"number\": \(number), \"decision\": \"\(decision)\"}", "\(base)/_review",
                ], timeout: 30)
        }

        func stop() {
            // SIGKILL: the test process's blocked signals are inherited, so SIGTERM may never arrive.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A scratch folder with a bare git remote and the fake forge serving `repo` over it.
    final class Scene: @unchecked Sendable {
        let scratch: TemporaryDirectory
        let bare: String
        let forge: FakeForge

        init(repo: String = "acme/shop", users: [String] = []) throws {
            scratch = try TemporaryDirectory(prefix: "headroom-forge")
            bare = scratch.file("remote.git")
            _ = try Shell.run(["git", "init", "-q", "--bare", bare])
            forge = try FakeForge(remote: bare, repo: repo, users: users)
        }

        /// A `[forge]` table pointing at this forge, with the test token's variable, then `extra` lines.
        func settings(kind: String = "github", repo: String = "acme/shop", extra: String = "") -> String {
            """
            [forge]
            kind = "\(kind)"
            api = "\(forge.base)\(kind == "gitlab" ? "/api/v4" : "")"
            repo = "\(repo)"
            token_env = "HEADROOM_TEST_FORGE_TOKEN"
            \(extra)
            """
        }

        /// Makes `remote` (default this scene's bare one) the fixture repository's `origin`, with `main` pushed
        /// (forced: fixtures made one after another share a remote) and set as the remote's default branch.
        func connect(_ fixture: DeliveryFixture, remote: String? = nil) throws {
            let remote = remote ?? bare
            if !FileManager.default.fileExists(atPath: remote) {
                _ = try Shell.run(["git", "init", "-q", "--bare", remote])
            }
            _ = try DeliveryFixture.git(fixture.repository, ["remote", "add", "origin", remote])
            _ = try DeliveryFixture.git(fixture.repository, ["push", "-qf", "origin", "main"])
            _ = try DeliveryFixture.git(fixture.repository, ["remote", "set-head", "origin", "main"])
        }

        func stop() {
            forge.stop()
            scratch.cleanup()
        }
    }

    static func publish(
        _ fixture: DeliveryFixture, token: String? = ForgePublishTests.token, env: String = "HEADROOM_TEST_FORGE_TOKEN"
    )
        throws -> ProcessResult
    {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: env)
        if let token { environment[env] = token }
        return try Shell.run(
            [
                Checkout.binary, "review", "publish", "\(fixture.patch.id!)", "--store", fixture.storePath, "--format",
                "json",
            ],
            environment: environment, inheritEnvironment: false, timeout: 120)
    }

    @Test("GitHub: push, open, label, ask the culprit's author; again updates the same pull request")
    func github() throws {
        let scene = try Scene(users: ["alice@example.com=alice:7"])
        defer { scene.stop() }
        let (forge, bare) = (scene.forge, scene.bare)
        let fixture = try DeliveryFixture(
            settings: "[service]\nname = \"shop\"\n\n"
                + scene.settings(extra: "labels = [\"performance\", \"headroom\"]"))
        defer { fixture.cleanup() }
        try scene.connect(fixture)

        let first = try Self.publish(fixture)
        #expect(first.succeeded, "\(first.stderr)")
        let result = try JSONValue.parse(first.stdout)
        #expect(result["created"]?.boolValue == true && result["number"]?.intValue == 1)
        #expect(result["url"]?.stringValue == "https://github.example/acme/shop/pull/1")
        #expect(result["reviewer"]?.stringValue == "alice" && result["base"]?.stringValue == "main")
        // The branch is on the remote at the patch's commit.
        let pushed = try Shell.run(["git", "--git-dir", bare, "rev-parse", "refs/heads/headroom/regression-1"])
        #expect(pushed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == fixture.patch.commit)

        var log = try forge.requests()
        #expect(
            log.map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")" } == [
                "GET /repos/acme/shop/pulls", "POST /repos/acme/shop/pulls", "POST /repos/acme/shop/issues/1/labels",
                "GET /repos/acme/shop/commits/\(fixture.culprit)", "POST /repos/acme/shop/pulls/1/requested_reviewers",
            ])
        #expect(log.allSatisfy { $0["auth"]?.stringValue == "bearer-ok" })
        #expect(log.allSatisfy { $0["api_version"]?.stringValue == "2022-11-28" })
        #expect(log[0]["query"]?["head"]?.stringValue == "acme:headroom/regression-1")
        let create = log[1]["body"]
        #expect(create?["head"]?.stringValue == "headroom/regression-1" && create?["base"]?.stringValue == "main")
        #expect(create?["title"]?.stringValue == "Fix CPU regression in price")
        #expect(create?["body"]?.stringValue?.contains("<!-- headroom:patch:\(fixture.patch.id!) -->") == true)
        #expect(log[1]["content_type"]?.stringValue == "application/json")
        #expect(log[2]["body"]?["labels"] == ["performance", "headroom"])
        #expect(log[4]["body"]?["reviewers"] == ["alice"])
        #expect(!first.stdout.contains(Self.token) && !first.stderr.contains(Self.token))
        #expect(try fixture.store.publication(patch: fixture.patch.id!)?.number == 1)
        #expect(try fixture.store.hasEvent(kind: "patch.published", subject: "patch/\(fixture.patch.id!)"))

        // Publishing again updates the open pull request: no second one.
        let second = try Self.publish(fixture)
        #expect(second.succeeded, "\(second.stderr)")
        #expect(try JSONValue.parse(second.stdout)["created"]?.boolValue == false)
        log = try forge.requests()
        #expect(
            log.filter { $0["method"]?.stringValue == "POST" && $0["path"]?.stringValue == "/repos/acme/shop/pulls" }
                .count == 1)
        #expect(
            log.contains {
                $0["method"]?.stringValue == "PATCH" && $0["path"]?.stringValue == "/repos/acme/shop/pulls/1"
            })
    }

    @Test("GitHub refusals are one line each, name no secret, and leave the local branch as it was")
    func githubErrors() throws {
        let scene = try Scene()
        defer { scene.stop() }
        let (forge, bare, scratch) = (scene.forge, scene.bare, scene.scratch)
        func fixture(repo: String, remote: String) throws -> DeliveryFixture {
            let f = try DeliveryFixture(settings: scene.settings(repo: repo))
            try scene.connect(f, remote: remote)
            return f
        }
        let f = try fixture(repo: "acme/shop", remote: bare)
        defer { f.cleanup() }
        let branchBefore = try DeliveryFixture.git(f.repository, ["rev-parse", "headroom/regression-1"])
        func oneLine(_ r: ProcessResult, _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!r.succeeded, sourceLocation: sourceLocation)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && r.stderr.contains(needle), "\(r.stderr)", sourceLocation: sourceLocation)
            #expect(!r.stderr.contains(Self.token), sourceLocation: sourceLocation)
        }
        oneLine(try Self.publish(f, token: nil), "$HEADROOM_TEST_FORGE_TOKEN is not set")
        oneLine(try Self.publish(f, token: "wrong-token"), "401")
        try forge.mode("rate-limit")
        oneLine(try Self.publish(f), "rate limit")
        try forge.mode("normal")
        let missing = try fixture(repo: "acme/nothing", remote: scratch.file("other.git"))
        defer { missing.cleanup() }
        oneLine(try Self.publish(missing), "404")
        #expect(try DeliveryFixture.git(f.repository, ["rev-parse", "headroom/regression-1"]) == branchBefore)
        #expect(try DeliveryFixture.git(f.repository, ["rev-parse", "--abbrev-ref", "HEAD"]) == "main")
        #expect(try f.store.publication(patch: f.patch.id!) == nil)

        // The author has no linked account: published, with the reason no review was requested.
        let published = try Self.publish(f)
        #expect(published.succeeded, "\(published.stderr)")
        #expect(try JSONValue.parse(published.stdout)["reviewer_note"]?.stringValue?.contains("[forge.users]") == true)
        // Someone opened one between our look and our create (422 "already exists"): that one is updated.
        try forge.mode("race")
        let raced = try Self.publish(f)
        #expect(raced.succeeded, "\(raced.stderr)")
        #expect(try JSONValue.parse(raced.stdout)["number"]?.intValue == 1)
        // A remote branch that moved on is not overwritten.
        let tree = try Shell.run(["git", "--git-dir", bare, "rev-parse", "\(f.culprit)^{tree}"]).stdout
        let other = try Shell.run(
            [
                "git", "--git-dir", bare, "commit-tree", tree.trimmingCharacters(in: .whitespacesAndNewlines), "-p",
                f.culprit,
                "-m", "someone else's",
            ],
            environment: [
                "GIT_AUTHOR_NAME": "X", "GIT_AUTHOR_EMAIL": "x@x", "GIT_COMMITTER_NAME": "X",
                "GIT_COMMITTER_EMAIL": "x@x",
            ]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try Shell.run(["git", "--git-dir", bare, "update-ref", "refs/heads/headroom/regression-1", other])
        oneLine(try Self.publish(f), "git push")
    }

    @Test("GitLab: merge request with labels and the reviewer by id from [forge.users]; again updates it")
    func gitlab() throws {
        let scene = try Scene(repo: "acme/backend/shop", users: ["alice@example.com=alice.m:42"])
        defer { scene.stop() }
        let forge = scene.forge
        let fixture = try DeliveryFixture(
            settings: scene.settings(
                kind: "gitlab", repo: "acme/backend/shop", extra: "\n[forge.users]\n\"alice@example.com\" = \"alice.m\""
            ))
        defer { fixture.cleanup() }
        try scene.connect(fixture)
        let first = try Self.publish(fixture)
        #expect(first.succeeded, "\(first.stderr)")
        let result = try JSONValue.parse(first.stdout)
        #expect(result["created"]?.boolValue == true && result["reviewer"]?.stringValue == "alice.m")
        #expect(result["url"]?.stringValue == "https://gitlab.example/acme/backend/shop/-/merge_requests/1")
        let log = try forge.requests()
        let project = "/api/v4/projects/acme%2Fbackend%2Fshop"
        #expect(
            log.map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")" } == [
                "GET \(project)/merge_requests", "POST \(project)/merge_requests", "GET /api/v4/users",
                "PUT \(project)/merge_requests/1",
            ])
        #expect(log.allSatisfy { $0["auth"]?.stringValue == "private-ok" })
        #expect(log[1]["body"]?["labels"]?.stringValue == "performance")
        #expect(log[1]["body"]?["target_branch"]?.stringValue == "main")
        #expect(log[2]["query"]?["username"]?.stringValue == "alice.m")
        #expect(log[3]["body"]?["reviewer_ids"] == [42])
        let second = try Self.publish(fixture)
        #expect(second.succeeded, "\(second.stderr)")
        let again = try JSONValue.parse(second.stdout)
        #expect(again["created"]?.boolValue == false)
        try forge.mode("race")
        let raced = try Self.publish(fixture)
        #expect(raced.succeeded, "\(raced.stderr)")
    }

    static func sync(_ fixture: DeliveryFixture) throws -> JSONValue {
        var environment = ProcessInfo.processInfo.environment
        environment["HEADROOM_TEST_FORGE_TOKEN"] = Self.token
        let run = try Shell.run(
            [Checkout.binary, "review", "sync", "--store", fixture.storePath, "--format", "json"],
            environment: environment, inheritEnvironment: false, timeout: 120)
        #expect(run.succeeded, "\(run.stderr)")
        return try JSONValue.parse(run.stdout)
    }

    @Test("review sync: a merged pull request makes the patch applied; a closed merge request makes it rejected")
    func syncReviewsFromTheForge() throws {
        let github = try Scene(users: ["alice@example.com=alice:7"])
        defer { github.stop() }
        let merged = try DeliveryFixture(settings: "[service]\nname = \"shop\"\n\n" + github.settings())
        defer { merged.cleanup() }
        try github.connect(merged)
        #expect(try Self.publish(merged).succeeded)
        #expect(try Self.sync(merged)["patches"]?[0]?["action"]?.stringValue == "waiting")
        try github.forge.review(1, "merge")
        let after = try Self.sync(merged)
        #expect(after["patches"]?[0]?["state"]?.stringValue == "merged")
        #expect(after["patches"]?[0]?["action"]?.stringValue == "applied")
        #expect(try merged.store.patch(id: merged.patch.id!).review == .applied)
        #expect(try merged.store.patch(id: merged.patch.id!).reviewNote == "merged on GitHub as #1")
        #expect(try Self.sync(merged)["patches"]?.arrayValue?.isEmpty == true)
        #expect(
            try github.forge.requests().contains {
                $0["method"]?.stringValue == "GET" && $0["path"]?.stringValue == "/repos/acme/shop/pulls/1"
            })

        let gitlab = try Scene(repo: "acme/shop")
        defer { gitlab.stop() }
        let closed = try DeliveryFixture(settings: gitlab.settings(kind: "gitlab"))
        defer { closed.cleanup() }
        try gitlab.connect(closed)
        #expect(try Self.publish(closed).succeeded)
        try gitlab.forge.review(1, "close")
        let rejected = try Self.sync(closed)
        #expect(rejected["patches"]?[0]?["state"]?.stringValue == "closed")
        #expect(rejected["patches"]?[0]?["action"]?.stringValue == "rejected")
        #expect(try closed.store.patch(id: closed.patch.id!).review == .rejected)
        // The branch stays: the closed request on the forge still shows it.
        #expect(try Git(path: closed.repository).hasBranch(closed.patch.branch!))
    }

    @Test("serve's scheduled pass follows published patches: a merge on the forge makes the patch applied")
    func scheduledReviewFollowUp() async throws {
        let scene = try Scene(users: ["alice@example.com=alice:7"])
        defer { scene.stop() }
        let fixture = try DeliveryFixture(settings: "[service]\nname = \"shop\"\n\n" + scene.settings())
        defer { fixture.cleanup() }
        try scene.connect(fixture)
        #expect(try Self.publish(fixture).succeeded)
        var rescan = OpportunityRescan(store: fixture.store, interval: .seconds(3600))
        rescan.reviews = (
            PublishService(store: fixture.store, environment: ["HEADROOM_TEST_FORGE_TOKEN": Self.token]),
            try SkillCatalog.load(root: (Checkout.root as NSString).appendingPathComponent("Skills"))
        )
        #expect(await rescan.followReviews().map(\.action) == ["waiting"])
        try scene.forge.review(1, "merge")
        #expect(await rescan.followReviews().map(\.action) == ["applied"])
        #expect(try fixture.store.patch(id: fixture.patch.id!).review == .applied)
        #expect(await rescan.followReviews().isEmpty)
    }

    /// `headroom serve`'s fix worker publishes what it delivers when the repository says `auto_publish = true`, and
    /// only then; a failed publication is in the job's reason, not a failed job.
    @Test("the server's auto-publish: on when [forge] asks for it, off otherwise, failures reported")
    func autoPublish() async throws {
        let scene = try Scene(users: ["alice@example.com=alice:7"])
        defer { scene.stop() }
        for auto in [false, true] {
            let fixture = try DeliveryFixture(settings: scene.settings(extra: "auto_publish = \(auto)"))
            defer { fixture.cleanup() }
            try scene.connect(fixture)
            let publisher = PublishService(
                store: fixture.store, environment: ["HEADROOM_TEST_FORGE_TOKEN": Self.token])
            let reason = await FixQueue.publish(fixture.patch.id!, with: publisher)
            if auto {
                #expect(reason.hasPrefix("; published as https://github.example/acme/shop/pull/"), "\(reason)")
                let broken = PublishService(store: fixture.store, environment: [:])
                #expect(await FixQueue.publish(fixture.patch.id!, with: broken).contains("not published: "))
            } else {
                #expect(reason.isEmpty)
                #expect(try fixture.store.publication(patch: fixture.patch.id!) == nil)
            }
        }
    }

    /// `headroom serve` publishes too: `POST /api/v1/patches/ID/publish` answers with the publication, the
    /// regression's page offers the button and then links the pull request; the forge's refusal is a 502 line.
    @Test("serve: the API and the dashboard publish a delivered patch")
    func servePublishes() throws {
        let scene = try Scene(users: ["alice@example.com=alice:7"])
        defer { scene.stop() }
        let forge = scene.forge
        let fixture = try DeliveryFixture(settings: scene.settings())
        defer { fixture.cleanup() }
        try scene.connect(fixture)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Checkout.binary)
        server.arguments = [
            "serve", "--store", fixture.storePath, "--listen", "127.0.0.1:0", "--detect-every", "0", "--auto-fix",
            "off",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["HEADROOM_TEST_FORGE_TOKEN"] = Self.token
        server.environment = environment
        let errors = Pipe()
        server.standardError = errors
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var log = ""
        var port: String?
        let deadline = Date().addingTimeInterval(30)
        while port == nil, Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let range = log.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = log[range].split(separator: ":").last.map(String.init)
            }
        }
        let base = "http://127.0.0.1:\(try #require(port, "serve did not start: \(log)"))"
        func post(_ path: String) throws -> (status: String, body: String) {
            let out = fixture.dir.file("answer.json")
            let r = try Shell.run(
                [
                    "curl", "-s", "-o", out, "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
                    "-d",
                    "{}", base + path,
                ], timeout: 60)
            return (r.stdout, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
        }
        let page = try Shell.run(["curl", "-s", "\(base)/regressions/\(fixture.regression.id!)"], timeout: 30).stdout
        #expect(page.contains("/ui/patches/\(fixture.patch.id!)/publish") && page.contains("Open"))
        let published = try post("/api/v1/patches/\(fixture.patch.id!)/publish")
        #expect(published.status == "200", "\(published.body)")
        let answer = try JSONValue.parse(published.body)
        #expect(answer["url"]?.stringValue == "https://github.example/acme/shop/pull/1")
        #expect(answer["reviewer"]?.stringValue == "alice")
        let after = try Shell.run(["curl", "-s", "\(base)/regressions/\(fixture.regression.id!)"], timeout: 30).stdout
        #expect(after.contains("https://github.example/acme/shop/pull/1") && after.contains("Update"))
        #expect(try post("/api/v1/patches/999/publish").status == "404")
        try forge.mode("rate-limit")
        let limited = try post("/api/v1/patches/\(fixture.patch.id!)/publish")
        #expect(limited.status == "502" && limited.body.contains("rate limit"), "\(limited)")
        #expect(!limited.body.contains(Self.token))
    }

    @Test("[forge] settings: defaults per forge, quoted user keys, arrays; a token in the file is refused")
    func settings() throws {
        let github = try ProjectSettings.parse(
            """
            [forge]
            kind = "github"
            repo = "acme/shop"
            labels = ["perf", 'bot']
            auto_publish = true

            [forge.users]
            "Alice@Example.com" = "alice"
            """)
        #expect(github.forge?.api == "https://api.github.com" && github.forge?.tokenEnv == "GITHUB_TOKEN")
        #expect(github.forge?.labels == ["perf", "bot"] && github.forge?.autoPublish == true)
        #expect(github.forge?.users == ["alice@example.com": "alice"] && github.forge?.remote == "origin")
        let gitlab = try ProjectSettings.parse("[forge]\nkind = \"gitlab\"\nrepo = \"g/sub/p\"\n")
        #expect(gitlab.forge?.api == "https://gitlab.com/api/v4" && gitlab.forge?.tokenEnv == "GITLAB_TOKEN")
        #expect(try ProjectSettings.parse("[service]\nname = \"x\"\n").forge == nil)
        for bad in [
            "[forge]\nkind = \"github\"\nrepo = \"a/b\"\ntoken = \"ghp_secret\"\n",
            "[forge]\nkind = \"bitbucket\"\nrepo = \"a/b\"\n", "[forge]\nkind = \"github\"\nrepo = \"ab\"\n",
            "[forge]\nkind = \"github\"\nrepo = \"a/b\"\nlabels = [1]\n",
            "[forge]\nkind = \"github\"\nrepo = \"a/b\"\ntoken_env = \"$X\"\n",
            "[forge]\nkind = \"github\"\nrepo = \"a/b\"\napi = \"ftp://x\"\n",
        ] {
            #expect(throws: HeadroomError.self, "\(bad)") { try ProjectSettings.parse(bad) }
        }
    }
}
