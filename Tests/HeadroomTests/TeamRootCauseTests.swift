import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomTesting
import Testing

/// `changes import`, `deploys import|add` and `rootcause` with `--database`: team mode's PostgreSQL database holds
/// the change history and ranks a regression's culprits as the SQLite store does from the same repository, deploys
/// and profiles — the same JSON, byte for byte — and `headroom worker` ranks them after each detection.
@Suite("team mode: root causes on PostgreSQL", .serialized, .ownThreads)
struct TeamRootCauseTests {
    /// A service's code repository: a base, then a commit that makes `query` slow and an innocent edit of
    /// `render`, both made live by one deploy; and its configuration repository, changed in the same minute.
    struct History {
        let code: ScratchRepository
        let config: ScratchRepository
        let base: String
        let culprit: String
        let innocent: String
        let deploys: String
        let start: Int64

        init(_ dir: TemporaryDirectory, start: Int64) throws {
            self.start = start
            let onset = start + 16 * 60
            code = try ScratchRepository()
            base = try code.commit(
                [
                    "shop.py": Self.shop(query: "    rows = [req]\n", render: "    return str(rows)\n"),
                    "app.py": "import shop\n\ndef main():\n    shop.handler(1)\n",
                ], message: "shop: first version", author: "Ann Base", time: start - 7200)
            culprit = try code.commit(
                [
                    "shop.py": Self.shop(
                        query: "    rows = [req]\n    for i in range(1000):\n        rows.append(i * i)\n",
                        render: "    return str(rows)\n")
                ],
                message: "query: expand rows for the new report", author: "Bob Culprit", time: start - 600)
            innocent = try code.commit(
                [
                    "shop.py": Self.shop(
                        query: "    rows = [req]\n    for i in range(1000):\n        rows.append(i * i)\n",
                        render: "    return repr(rows)\n")
                ],
                message: "render: repr is clearer in logs", author: "Cy Innocent", time: start - 300)
            config = try ScratchRepository()
            try config.commit(["limits.json": "{\"shop\": {\"max_rows\": 100}}"], message: "limits", time: start - 9000)
            try config.commit(
                ["limits.json": "{\"shop\": {\"max_rows\": 120}}"], message: "raise max_rows", author: "Di Config",
                time: onset - 30)
            deploys = try dir.write(
                "deploys.csv",
                "timestamp,service,commit\n\(start - 3600),shop,\(base.prefix(9))\n\(onset - 20),shop,\(innocent)\n")
        }

        /// Imports both repositories and the deploys, and ingests `profiles`, into `target` (`--store F` or
        /// `--database URL`).
        func load(_ profiles: [(path: String, at: Int64)], into target: [String]) throws {
            for arguments in [
                ["changes", "import", "--repo", code.path, "--service", "shop"],
                ["changes", "import", "--repo", config.path, "--kind", "config", "--service", "shop"],
                ["deploys", "import", deploys],
            ] {
                let run = try Checkout.headroom(arguments + target)
                try #require(run.succeeded, "\(arguments): \(run.stderr)")
            }
            for profile in profiles {
                let run = try Checkout.headroom(
                    ["ingest", profile.path, "--service", "shop", "--at", "\(profile.at)"] + target)
                try #require(run.succeeded, "\(run.stderr)")
            }
        }

        static func shop(query: String, render: String) -> String {
            "def handler(req):\n    return render(query(req))\n\n\ndef query(req):\n\(query)    return rows\n\n\n"
                + "def render(rows):\n\(render)"
        }

        /// 28 one-minute buckets of py-spy-style folded profiles; from bucket 16 on, `query` costs 2.6 times more.
        func profiles(_ dir: TemporaryDirectory) throws -> [(path: String, at: Int64)] {
            try (0..<28).map { bucket in
                let jitter = (bucket * 37 % 11) - 5
                let query = (bucket >= 16 ? 260 : 100) + 2 * jitter
                let text = """
                    main (app.py:3);handler (shop.py:1);query (shop.py:5) \(query)
                    main (app.py:3);render (shop.py:11) \(200 - jitter)
                    main (app.py:3);handler (shop.py:1) \(50 + jitter)
                    main (app.py:3);cache_get (cache.py:3) \(80 + (bucket % 3))

                    """
                let path = dir.file("p\(bucket).folded")
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                return (path, start + Int64(bucket) * 60 + 5)
            }
        }
    }

    /// Runs `body` with a fresh `History` (its repositories and a scratch folder), removed afterwards.
    static func withHistory(_ body: (TemporaryDirectory, History) async throws -> Void) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let history = try History(dir, start: 1_793_606_400)
        defer {
            history.code.directory.cleanup()
            history.config.directory.cleanup()
        }
        try await body(dir, history)
    }

    /// Two rounds of a worker's detection of everything ingested, each queued under a new subject (the second is
    /// the same detection done again) and drained as one job; `afterEach` runs after each round.
    static func detectTwice(_ database: TeamDatabase, afterEach: () async throws -> Void = {}) async throws {
        let worker = database.worker(logger: EngineLog.disabled("test"))
        for round in 0..<2 {
            let latest = try await database.profiles.lastIngest()
            _ = try await TeamWorker.enqueueDetection(
                queue: database.queue, latest: latest.mapValues { $0 + Int64(round) })
            #expect(try await worker.drain() == 1)
            try await afterEach()
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("changes, deploys and rootcause --database: the same ranking, in the same JSON, as the SQLite store")
    func rootCauseMatchesSQLite() async throws {
        try await Self.withHistory { dir, history in
            let store = dir.file("s.sqlite")
            let profiles = try history.profiles(dir)
            try await TeamWorkerTests.withTeam { team, url in
                for target in [["--store", store], ["--database", url]] { try history.load(profiles, into: target) }
                // Re-import is incremental on both engines: nothing new.
                let again = try Checkout.headroom(["changes", "import", "--repo", history.code.path, "--database", url])
                #expect(again.succeeded && again.stdout.contains("(0 new, 3 already known"), "\(again.stdout)")
                let deploysAgain = try Checkout.headroom(["deploys", "import", history.deploys, "--database", url])
                #expect(deploysAgain.succeeded && deploysAgain.stdout.contains("(0 new)"), "\(deploysAgain.stdout)")

                // The imports registered both repositories on both engines, under the same names.
                func registered(_ target: [String]) throws -> [String] {
                    let run = try Checkout.headroom(["repos", "list", "--format", "json"] + target)
                    try #require(run.succeeded, "\(run.stderr)")
                    return try #require(try Self.json(run.stdout)["repositories"] as? [[String: Any]]).map {
                        "\($0["name"] ?? "") \($0["root"] ?? "") \($0["service"] ?? "-")"
                    }
                }
                let repositories = try registered(["--database", url])
                #expect(repositories == (try registered(["--store", store])) && repositories.count == 2)
                #expect(repositories.contains { $0.hasPrefix("shop ") && $0.hasSuffix(" shop") })

                func queryRegression(_ target: [String]) throws -> Int {
                    let run = try Checkout.headroom(["detect", "--service", "shop", "--format", "json"] + target)
                    try #require(run.succeeded, "\(run.stderr)")
                    let regressions = try #require(try Self.json(run.stdout)["regressions"] as? [[String: Any]])
                    let query = try #require(
                        regressions.first { $0["function"] as? String == "query" }, "\(run.stdout)")
                    return try #require(query["id"] as? Int)
                }
                let ids = (
                    sqlite: try queryRegression(["--store", store]), postgres: try queryRegression(["--database", url])
                )
                let sqlite = try Checkout.headroom(["rootcause", "\(ids.sqlite)", "--format", "json", "--store", store])
                let postgres = try Checkout.headroom([
                    "rootcause", "\(ids.postgres)", "--format", "json", "--database", url,
                ])
                try #require(sqlite.succeeded && postgres.succeeded, "\(sqlite.stderr) \(postgres.stderr)")
                if ids.sqlite == ids.postgres {
                    #expect(postgres.stdout == sqlite.stdout)
                } else {
                    var (a, b) = (try Self.json(sqlite.stdout), try Self.json(postgres.stdout))
                    (a["regression"], b["regression"]) = (nil, nil)
                    #expect(NSDictionary(dictionary: a).isEqual(to: b), "\(sqlite.stdout)\n\(postgres.stdout)")
                }
                // Not an empty answer that matches trivially: the commits the onset's deploy made live, the one the deploy
                // before it made live (the window's uncertainty), the config change; the culprit first, found by its
                // changed function, in the registered repository.
                let report = try Self.json(postgres.stdout)
                let candidates = try #require(report["candidates"] as? [[String: Any]])
                #expect(candidates.count == 4, "\(postgres.stdout)")
                #expect(candidates.first?["ref"] as? String == history.culprit, "\(postgres.stdout)")
                #expect(
                    Set(candidates.filter { $0["kind"] as? String == "commit" }.compactMap { $0["ref"] as? String })
                        == [history.culprit, history.innocent, history.base])
                #expect(
                    candidates.contains { $0["kind"] as? String == "config" && $0["author"] as? String == "Di Config" })
                #expect(report["repository_name"] as? String == "shop")
                // The ranking is stored with the regression.
                let stored = try await team[0].profiles.candidates(regression: Int64(ids.postgres))
                #expect(stored.map(\.ref) == candidates.compactMap { $0["ref"] as? String })

                // The same refusals, one line each: an unknown regression, a deploy of an unknown commit (nothing
                // stored), an ambiguous or malformed commit.
                for arguments in [
                    ["rootcause", "999"], ["deploys", "add", "--service", "shop", "--commit", "0123456789"],
                ] {
                    let a = try Checkout.headroom(arguments + ["--store", store])
                    let b = try Checkout.headroom(arguments + ["--database", url])
                    #expect(!a.succeeded && !b.succeeded)
                    #expect(
                        a.stderr == b.stderr && b.stderr.split(separator: "\n").count == 1, "\(a.stderr) \(b.stderr)")
                }
                let bad = try dir.write(
                    "bad.csv",
                    "timestamp,service,commit\n\(history.start),cart,\(history.culprit)\n\(history.start + 60),cart,beefbeefbeef\n"
                )
                let refused = try Checkout.headroom(["deploys", "import", bad, "--database", url])
                #expect(!refused.succeeded && refused.stderr.contains("bad.csv:3:"), "\(refused.stderr)")
                #expect(try await team[0].profiles.deploys(service: "cart").isEmpty)
            }
        }
    }

    @Test("the team worker ranks each regression it detects, and a job redone stores the ranking once")
    func workerRanks() async throws {
        try await Self.withHistory { dir, history in
            let profiles = try history.profiles(dir)
            try await TeamWorkerTests.withTeam { team, url in
                for arguments in [
                    ["changes", "import", "--repo", history.code.path, "--service", "shop"],
                    ["deploys", "import", history.deploys],
                ] {
                    let run = try Checkout.headroom(arguments + ["--database", url])
                    try #require(run.succeeded, "\(run.stderr)")
                }
                for profile in profiles {
                    let run = try Checkout.headroom(
                        ["ingest", profile.path, "--service", "shop", "--at", "\(profile.at)", "--database", url])
                    try #require(run.succeeded, "\(run.stderr)")
                }
                // On this test's own connections: a new pool's first contact could wait past its limit on a loaded machine.
                do {
                    let database = TeamDatabase(queue: team[0].queue, profiles: team[0].profiles)
                    try await Self.detectTwice(database)
                    let jobs = try await database.queue.jobs()
                    #expect(
                        jobs.count == 2 && jobs.allSatisfy { $0.state == .done && $0.reason.contains("1 root-caused") })
                    let regression = try #require(
                        try await database.profiles.regressions(service: "shop").first { $0.function.name == "query" })
                    let stored = try await database.profiles.candidates(regression: try #require(regression.id))
                    #expect(stored.first?.ref == history.culprit)
                    #expect(Set(stored.map(\.ref)) == [history.culprit, history.innocent, history.base])
                }
            }
        }
    }

    @Test(
        "triage --database: the same verdicts as on SQLite, kept through re-detection; a triaged regression not ranked")
    func triage() async throws {
        try await Self.withHistory { dir, history in
            let store = dir.file("s.sqlite")
            let profiles = try history.profiles(dir)
            try await TeamWorkerTests.withTeam { team, url in
                for target in [["--store", store], ["--database", url]] { try history.load(profiles, into: target) }
                /// The `query` regression's id as `detect` reports it.
                func detected(_ target: [String]) throws -> (id: Int, triage: [String: Any]?) {
                    let run = try Checkout.headroom(["detect", "--service", "shop", "--format", "json"] + target)
                    try #require(run.succeeded, "\(run.stderr)")
                    let regressions = try #require(try Self.json(run.stdout)["regressions"] as? [[String: Any]])
                    let query = try #require(
                        regressions.first { $0["function"] as? String == "query" }, "\(run.stdout)")
                    return (try #require(query["id"] as? Int), query["triage"] as? [String: Any])
                }
                let ids = (
                    sqlite: try detected(["--store", store]).id, postgres: try detected(["--database", url]).id
                )
                /// A verdict's JSON on one engine, without its time (the two runs are a second apart at most).
                func decide(_ id: Int, _ arguments: [String], _ target: [String]) throws -> [String: Any] {
                    let run = try Checkout.headroom(["triage", "\(id)"] + arguments + ["--format", "json"] + target)
                    try #require(run.succeeded, "\(run.stderr)")
                    var report = try Self.json(run.stdout)
                    var triage = try #require(report["triage"] as? [String: Any], "\(run.stdout)")
                    triage["decided_at"] = nil
                    if triage["snooze_until"] is String { triage["snooze_until"] = "set" }
                    (report["triage"], report["id"]) = (triage, nil)
                    return report
                }
                for arguments in [["snooze", "--for", "7d"], ["ack", "--note", "Bob is on it: the report rows"]] {
                    let a = try decide(ids.sqlite, arguments, ["--store", store])
                    let b = try decide(ids.postgres, arguments, ["--database", url])
                    #expect(NSDictionary(dictionary: a).isEqual(to: b), "\(a)\n\(b)")
                }
                // Re-detection keeps the verdict (it is kept by the regression's identity, not its row).
                // (`detect` prints what this run found, without verdicts, on both engines; the stored row has it.)
                #expect(try detected(["--database", url]).id == ids.postgres)
                let kept = try await team[0].profiles.regression(id: Int64(ids.postgres)).triage
                #expect(
                    kept?.verdict == .acknowledged && kept?.note == "Bob is on it: the report rows"
                        && kept?.snoozeUntil == nil)
                // The same summary and the same refusals.
                let summaries = try [["--store", store], ["--database", url]].map {
                    try Checkout.headroom(["triage", "--summary", "--format", "json"] + $0).stdout
                }
                #expect(summaries[0] == summaries[1] && summaries[0].contains("\"acknowledged\" : 1"), "\(summaries)")
                for arguments in [
                    ["999", "invalid"], ["\(ids.postgres)", "maybe"], ["\(ids.postgres)", "ack", "--for", "2d"],
                ] {
                    let a = try Checkout.headroom(["triage"] + arguments + ["--store", store])
                    let b = try Checkout.headroom(["triage"] + arguments + ["--database", url])
                    #expect(!a.succeeded && !b.succeeded && a.stderr == b.stderr, "\(a.stderr) \(b.stderr)")
                }
                // A worker leaves the acknowledged regression's ranking alone.
                do {
                    let database = TeamDatabase(queue: team[0].queue, profiles: team[0].profiles)
                    let latest = try await database.profiles.lastIngest()
                    _ = try await TeamWorker.enqueueDetection(queue: database.queue, latest: latest)
                    #expect(try await database.worker(logger: EngineLog.disabled("test")).drain() == 1)
                    let job = try #require(try await database.queue.jobs().first)
                    #expect(job.state == .done && job.reason.contains("0 root-caused"), "\(job.reason)")
                    #expect(try await database.profiles.candidates(regression: Int64(ids.postgres)).isEmpty)
                }
            }
        }
    }

    /// One API call with curl: the status and the JSON answer.
    static func api(_ port: Int, _ path: String, post body: String? = nil) throws -> (status: Int, json: [String: Any])
    {
        var arguments = ["curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"]
        if let body { arguments += ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try Shell.run(arguments)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let text = lines.dropLast().joined(separator: "\n")
        return (status, (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? ["raw": text])
    }

    /// A JSON value without the keys that name rows (ids differ between engines when detection ran in another order).
    static func withoutIDs(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { $0.key != "id" && $0.key != "regression" }.mapValues(withoutIDs)
        }
        if let array = value as? [Any] { return array.map(withoutIDs) }
        return value
    }

    @Test(
        "serve --database: the API, /metrics and the dashboard answer as on SQLite; jobs and opportunities too"
    )
    func api() async throws {
        try await Self.withHistory { dir, history in
            let store = dir.file("s.sqlite")
            let profiles = try history.profiles(dir)
            try await TeamWorkerTests.withTeam { _, url in
                var ids: [Int] = []
                for target in [["--store", store], ["--database", url]] {
                    try history.load(profiles, into: target)
                    let run = try Checkout.headroom(["detect", "--service", "shop", "--format", "json"] + target)
                    try #require(run.succeeded, "\(run.stderr)")
                    let regressions = try #require(try Self.json(run.stdout)["regressions"] as? [[String: Any]])
                    ids.append(try #require(regressions.first { $0["function"] as? String == "query" }?["id"] as? Int))
                }
                let (sqlite, sqlitePort) = try await TeamWorkerTests.serve(
                    store: ["--store", store], log: dir.file("sqlite.log"))
                let (postgres, postgresPort) = try await TeamWorkerTests.serve(
                    store: ["--database", url], log: dir.file("postgres.log"))
                defer {
                    for server in [sqlite, postgres] {
                        server.terminate()
                        server.waitUntilExit()
                    }
                }
                /// The same call on both servers: the same status and, but for row ids, the same JSON.
                func same(_ paths: (String, String), post body: String? = nil) throws -> [String: Any] {
                    let a = try Self.api(sqlitePort, paths.0, post: body)
                    let b = try Self.api(postgresPort, paths.1, post: body)
                    #expect(a.status == 200 && b.status == 200, "\(paths): \(a) \(b)")
                    let (x, y) = (Self.withoutIDs(a.json) as! [String: Any], Self.withoutIDs(b.json) as! [String: Any])
                    #expect(NSDictionary(dictionary: x).isEqual(to: y), "\(paths.1):\n\(a.json)\n\(b.json)")
                    return b.json
                }
                let services = try same(("/api/v1/services", "/api/v1/services"))
                #expect((services["services"] as? [[String: Any]])?.first?["buckets"] as? Int == 28, "\(services)")
                let listed = try same(("/api/v1/regressions?service=shop", "/api/v1/regressions?service=shop"))
                #expect((listed["regressions"] as? [[String: Any]])?.contains { $0["id"] as? Int == ids[1] } == true)
                let ranked = try same(
                    ("/api/v1/regressions/\(ids[0])/rootcause", "/api/v1/regressions/\(ids[1])/rootcause"))
                let candidates = try #require(ranked["candidates"] as? [[String: Any]])
                #expect(candidates.first?["ref"] as? String == history.culprit)
                // The inbox: the culprit's author has the regression to review, from either store, for the same
                // reason.
                func inbox(_ port: Int) throws -> [[String: Any]] {
                    let answer = try Self.api(port, "/api/v1/inbox/Bob%20Culprit")
                    #expect(answer.status == 200, "\(answer)")
                    return try #require(answer.json["regressions"] as? [[String: Any]], "\(answer.json)")
                }
                let (mine, theirs) = (try inbox(sqlitePort), try inbox(postgresPort))
                #expect(theirs.count == 1 && theirs.first?["id"] as? Int == ids[1], "\(theirs)")
                let because = theirs.first?["because"] as? String
                #expect(
                    mine.count == 1 && mine.first?["because"] as? String == because
                        && because?.hasPrefix("culprit author") == true, "\(mine)\n\(theirs)")
                try Self.screenshot("team-inbox", port: postgresPort, path: "/inbox/Bob%20Culprit", dir: dir)
                // The ranking is the CLI's: the same Codable answer.
                let cli = try Checkout.headroom(["rootcause", "\(ids[1])", "--format", "json", "--database", url])
                #expect(NSDictionary(dictionary: try Self.json(cli.stdout)).isEqual(to: ranked), "\(cli.stdout)")
                // A verdict, then the regression with it and its stored ranking.
                let acked = try Self.api(
                    postgresPort, "/api/v1/regressions/\(ids[1])/ack", post: "{\"note\": \"known\"}")
                #expect(
                    acked.status == 200
                        && (acked.json["triage"] as? [String: Any])?["verdict"] as? String == "acknowledged"
                )
                _ = try Self.api(sqlitePort, "/api/v1/regressions/\(ids[0])/ack", post: "{\"note\": \"known\"}")
                /// A regression's detail on one server, without its verdict's time (the two calls are apart).
                func detail(_ port: Int, _ id: Int) throws -> [String: Any] {
                    let answer = try Self.api(port, "/api/v1/regressions/\(id)")
                    #expect(answer.status == 200, "\(answer)")
                    var json = Self.withoutIDs(answer.json) as! [String: Any]
                    var triage = try #require(json["triage"] as? [String: Any], "\(answer.json)")
                    triage["decided_at"] = nil
                    json["triage"] = triage
                    return json
                }
                let (a, b) = (try detail(sqlitePort, ids[0]), try detail(postgresPort, ids[1]))
                #expect(NSDictionary(dictionary: a).isEqual(to: b), "\(a)\n\(b)")
                #expect((b["candidates"] as? [Any])?.count == candidates.count)
                #expect((b["triage"] as? [String: Any])?["note"] as? String == "known")
                // The same refusals.
                #expect(try Self.api(postgresPort, "/api/v1/regressions/999").status == 404)
                #expect(try Self.api(sqlitePort, "/api/v1/regressions/999").status == 404)
                let program = try Self.api(postgresPort, "/api/v1/program/metrics")
                #expect(program.status == 200 && program.json["regressions"] != nil, "\(program.json)")
                let patches = try Self.api(postgresPort, "/api/v1/patches")
                #expect(patches.status == 200 && (patches.json["patches"] as? [Any])?.isEmpty == true)
                let opportunities = try Self.api(postgresPort, "/api/v1/opportunities")
                #expect(opportunities.status == 200, "\(opportunities.json)")

                // /metrics: the same figures from both stores (services, open and triaged regressions, false
                // positives); team mode's job queue in /metrics and /api/v1/jobs once a worker has run.
                func figures(_ port: Int) throws -> [String] {
                    let text = try Shell.run(["curl", "-s", "http://127.0.0.1:\(port)/metrics"]).stdout
                    return text.split(separator: "\n").map(String.init).filter {
                        $0.hasPrefix("headroom_services") || $0.hasPrefix("headroom_regressions_")
                            || $0.hasPrefix("headroom_false_positive_rate")
                    }.sorted()
                }
                let expected = try figures(sqlitePort)
                #expect(expected.contains("headroom_regressions_triaged{verdict=\"acknowledged\"} 1.0"), "\(expected)")
                #expect(try figures(postgresPort) == expected)
                let worker = try Checkout.headroom(["worker", "--once", "--database", url])
                try #require(worker.succeeded, "\(worker.stderr)")
                // The worker detected `shop` and scanned its registered repository (a round of scans).
                let jobs = try Self.api(postgresPort, "/api/v1/jobs?state=done")
                let done = try #require(jobs.json["jobs"] as? [[String: Any]], "\(jobs)")
                #expect(
                    Set(done.compactMap { $0["kind"] as? String }) == ["detect-service", "scan-opportunities"]
                        && done.count == 2, "\(done)")
                let metrics = try Shell.run(["curl", "-s", "http://127.0.0.1:\(postgresPort)/metrics"]).stdout
                #expect(metrics.contains("headroom_fix_jobs{state=\"done\"} 2.0"), "\(metrics)")
                // What it found is what a scan of the SQLite store finds, through the same route.
                let scan = try Checkout.headroom(
                    ["opportunities", "--store", store, "--repo", history.code.path, "--service", "shop"])
                try #require(scan.succeeded, "\(scan.stderr)")
                func found(_ port: Int) throws -> [String] {
                    let list = try #require(
                        try Self.api(port, "/api/v1/opportunities").json["opportunities"] as? [[String: Any]])
                    return list.map { "\($0["pattern"] ?? "") \($0["function"] ?? "") \($0["share"] ?? "")" }
                }
                #expect(try found(postgresPort) == (try found(sqlitePort)))

                // The dashboard over the shared database: the same share chart (its series from the cost blobs),
                // the same culprits, the flame graphs, a person's inbox.
                func page(_ port: Int, _ path: String) throws -> (status: Int, html: String) {
                    let run = try Shell.run(
                        ["curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"], timeout: 120)
                    let status = Int(run.stdout.split(separator: "\n").last ?? "") ?? 0
                    return (status, String(run.stdout.dropLast(String(status).count + 1)))
                }
                func chart(_ html: String) -> String? {
                    guard let start = html.range(of: "<svg"), let end = html.range(of: "</svg>") else { return nil }
                    return String(html[start.lowerBound..<end.upperBound])
                }
                let overview = try page(postgresPort, "/")
                #expect(overview.status == 200 && overview.html.contains("Open regressions"), "\(overview)")
                #expect(
                    overview.html.contains("found in shop") && overview.html.contains("root-caused"), "\(overview.html)"
                )
                let regressionPages = (
                    try page(sqlitePort, "/regressions/\(ids[0])"), try page(postgresPort, "/regressions/\(ids[1])")
                )
                #expect(regressionPages.1.status == 200, "\(regressionPages.1)")
                let drawn = try #require(chart(regressionPages.1.html), "\(regressionPages.1.html)")
                #expect(drawn == chart(regressionPages.0.html) && drawn.contains("<polyline"))
                #expect(regressionPages.1.html.contains("query: expand rows for the new report"))
                func rows(_ html: String) -> Int { html.components(separatedBy: "<tr").count }
                #expect(rows(regressionPages.1.html) == rows(regressionPages.0.html))
                for path in ["/opportunities", "/services/shop/flame", "/regressions/\(ids[1])/flame"] {
                    let shown = try page(postgresPort, path)
                    #expect(shown.status == 200, "\(path): \(shown)")
                }
                let flame = try page(postgresPort, "/api/v1/services/shop/flame.svg")
                #expect(flame.status == 200 && flame.html.contains("query"), "\(flame.status)")
                // Acknowledged, the regression has left its culprit's inbox: on the page as in the API.
                let inboxPage = try page(postgresPort, "/inbox/Bob%20Culprit")
                #expect(
                    inboxPage.status == 200 && inboxPage.html.contains("Regressions to review")
                        && !inboxPage.html.contains("culprit author"), "\(inboxPage)")
                #expect(try inbox(postgresPort).isEmpty)
                #expect(try page(postgresPort, "/regressions/999").status == 404)
                // Headless Chromium renders the pages; the screenshots are kept where HEADROOM_SCREENSHOTS says.
                for (name, path) in [("team-overview", "/"), ("team-regression", "/regressions/\(ids[1])")] {
                    try Self.screenshot(name, port: postgresPort, path: path, dir: dir)
                }
            }
        }
    }

    /// Renders `path` of the server on `port` in headless Chromium into NAME.png, where HEADROOM_SCREENSHOTS says
    /// (else under `dir`); a blank or missing image is a failure.
    static func screenshot(_ name: String, port: Int, path: String, dir: TemporaryDirectory) throws {
        let shots = ProcessInfo.processInfo.environment["HEADROOM_SCREENSHOTS"] ?? dir.file("screenshots")
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let png = (shots as NSString).appendingPathComponent("\(name).png")
        let run = try Shell.run(
            [
                "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--window-size=1320,1400", "--screenshot=\(png)", "http://127.0.0.1:\(port)\(path)",
            ], timeout: 120)
        let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        #expect(size > 10_000, "\(name): \(run.stderr.suffix(500))")
    }

    /// A webhook receiver on loopback (Python's http.server): each POST body appended as a line to `file`.
    static func receiver(_ dir: TemporaryDirectory, file: String) throws -> (Process, Int) {
        let script = try dir.write(
            "receiver.py",
            """
            import http.server, sys
            out = open(sys.argv[1], "a")
            class Hook(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    out.write(body.decode() + "\\n")
                    out.flush()
                    self.send_response(200)
                    self.end_headers()
                def log_message(self, *args):
                    pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, file]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw HeadroomError(.process, "the webhook receiver did not start: \(line)")
        }
        return (process, port)
    }

    @Test("serve --database --webhook: two servers deliver the events workers record, each once")
    func webhooks() async throws {
        try await Self.withHistory { dir, history in
            let profiles = try history.profiles(dir)
            let received = dir.file("received.jsonl")
            try await TeamWorkerTests.withTeam { team, url in
                try history.load(profiles, into: ["--database", url])
                let (receiver, port) = try Self.receiver(dir, file: received)
                defer {
                    // Its signal mask comes from the test's thread, where SIGTERM may be blocked: SIGKILL ends it.
                    kill(receiver.processIdentifier, SIGKILL)
                    receiver.waitUntilExit()
                }
                let hook = "http://127.0.0.1:\(port)/hook?secret=s3cr3t"
                var servers: [Process] = []
                for index in 0..<2 {
                    servers.append(
                        try await TeamWorkerTests.serve(
                            store: ["--database", url, "--webhook", hook], log: dir.file("serve\(index).log")
                        ).0)
                }
                defer {
                    for server in servers {
                        server.terminate()
                        server.waitUntilExit()
                    }
                }
                func lines() -> [[String: Any]] {
                    ((try? String(contentsOfFile: received, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                    }
                }
                let database = TeamDatabase(queue: team[0].queue, profiles: team[0].profiles)
                // The second round is the same detection done again: nothing new to announce.
                try await Self.detectTwice(database) {
                    for _ in 0..<200 where lines().count < 2 { try await Task.sleep(for: .milliseconds(100)) }
                }
                // Both servers poll every second: a duplicate would have arrived by now.
                try await Task.sleep(for: .seconds(3))
                let events = lines()
                #expect(
                    events.map { $0["event"] as? String ?? "" } == ["regression.detected", "regression.root_caused"])
                #expect(Set(events.compactMap { $0["id"] as? Int }).count == 2)
                let candidate = events.last?["candidate"] as? [String: Any]
                #expect(candidate?["ref"] as? String == history.culprit, "\(events)")
                #expect((events.first?["text"] as? String)?.contains("query in shop") == true, "\(events)")
                #expect(try await database.profiles.deliveryCounts() == ["delivered": 2])
                // The secret in the URL is neither stored nor logged.
                for index in 0..<2 {
                    let log = try String(contentsOfFile: dir.file("serve\(index).log"), encoding: .utf8)
                    #expect(!log.contains("s3cr3t"))
                }
            }
        }
    }
}
