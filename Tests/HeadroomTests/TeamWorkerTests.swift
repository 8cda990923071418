import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// Team mode's detection: `detect-service` jobs drained by several workers from a PostgreSQL queue against the
/// PostgreSQL profile store find what the SQLite store finds from the same profiles, store each regression once
/// however often (or by however many workers) a service is detected, and a job whose worker died is redone.
@Suite("team workers on PostgreSQL", .ownThreads)
struct TeamWorkerTests {
    /// 60 one-minute buckets of two services; in `shop`, `slow_path` (under `checkout`) triples its samples from bucket 40 on.
    static func pushes() throws -> [ProfileContribution] {
        let ingestor = ProfileIngestor(store: try Store.open(path: ":memory:"))
        var state: UInt64 = 42
        func noise(_ scale: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(scale))
        }
        var contributions: [ProfileContribution] = []
        for service in ["shop", "cart"] {
            for bucket in 0..<60 {
                let slow = service == "shop" && bucket >= 40 ? 600 : 200
                let text = """
                    main;serve;handle \(6_000 + noise(200))
                    main;serve;parse;tokenize \(2_000 + noise(100))
                    main;serve;checkout;slow_path \(slow + noise(20))
                    main;idle \(1_500 + noise(100))
                    """
                var options = ProfileReadOptions()
                options.format = .folded
                contributions.append(
                    try ingestor.prepare(
                        data: Data(text.utf8), source: "\(service) \(bucket)", service: service,
                        at: 1_800_000_000 + Int64(bucket) * 60, identity: "\(service)/\(bucket)", options: options
                    ).contribution)
            }
        }
        return contributions
    }

    /// A regression's identity and sizes, for comparing engines.
    static func key(_ regression: Regression) -> String {
        String(
            format: "%@ %@ %@ %lld %.6f %.6f", regression.kind.rawValue, regression.function.name,
            regression.metric.rawValue, regression.timestamp, regression.before, regression.after)
    }

    static func edgeLines(_ edges: [(caller: FunctionRef, callee: FunctionRef, bucket: Int64, samples: Int64)])
        -> [String]
    {
        edges.map { "\($0.caller) \($0.callee) \($0.bucket) \($0.samples)" }.sorted()
    }

    /// Runs `body` with two workers' worth of clients (queue and profiles each) on one throwaway cluster, and its URL.
    static func withTeam(
        _ body:
            @Sendable ([(queue: PostgresJobQueue, profiles: PostgresProfileStore)], _ url: String) async throws
            -> Void
    ) async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let location = try PostgresLocation(cluster.url)
        let team = (0..<2).map { _ in
            (queue: PostgresJobQueue(location: location), profiles: PostgresProfileStore(location: location))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in team {
                group.addTask { await member.queue.run() }
                group.addTask { await member.profiles.run() }
            }
            defer { group.cancelAll() }
            for member in team {
                try await member.queue.migrate()
                try await member.profiles.migrate()
            }
            try await body(team, cluster.url)
        }
    }

    @Test("two workers drain one queue: each job once, the same regressions and call edges as SQLite, stored once")
    func twoWorkersMatchSQLite() async throws {
        let contributions = try Self.pushes()
        let sqlite = try Store.open(path: ":memory:")
        for contribution in contributions { try sqlite.ingest(contribution) }
        let expected = try DetectionService(store: sqlite).run().map(Self.key).sorted()
        #expect(expected.contains { $0.hasPrefix("regression slow_path") }, "\(expected)")
        let expectedEdges = Self.edgeLines(try sqlite.callEdgeBuckets(service: "shop"))
        #expect(!expectedEdges.isEmpty)

        try await Self.withTeam { team, _ in
            // Two servers take half the pushes each, logged and compacted later (as serve does).
            for (index, member) in team.enumerated() {
                let half = contributions.enumerated().filter { $0.offset % 2 == index }.map(\.element)
                _ = try await member.profiles.ingest(batch: half, deferred: true)
            }
            let latest = try await team[0].profiles.lastIngest()
            #expect(latest.keys.sorted() == ["cart", "shop"])
            // Both servers queue the round: one job per service.
            for member in team { _ = try await TeamWorker.enqueueDetection(queue: member.queue, latest: latest) }
            let ran = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, member) in team.enumerated() {
                    group.addTask {
                        var worker = TeamWorker(queue: member.queue, profiles: member.profiles)
                        worker.owner = "worker-\(index)"
                        return try await worker.drain()
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(ran == 2)
            let jobs = try await team[0].queue.jobs(state: nil, limit: 10)
            #expect(jobs.count == 2 && jobs.allSatisfy { $0.state == .done && $0.attempts == 1 })
            #expect(Self.edgeLines(try await team[1].profiles.callEdgeBuckets(service: "shop")) == expectedEdges)
            let found = try await team[1].profiles.regressions(service: nil)
            #expect(found.map(Self.key).sorted() == expected)

            // The next round detects again: the same regressions keep their ids, nothing is stored twice.
            _ = try await team[1].queue.enqueueJob(
                kind: DetectionLoop.jobKind, subject: "shop@\(latest["shop"]! + 1)", regressionID: nil,
                state: .queued, reason: "", at: Timestamps.now())
            #expect(try await TeamWorker(queue: team[1].queue, profiles: team[1].profiles).drain() == 1)
            let again = try await team[0].profiles.regressions(service: "shop")
            #expect(Set(again.compactMap(\.id)) == Set(found.filter { $0.service == "shop" }.compactMap(\.id)))
            #expect(again.map(Self.key).sorted() == found.filter { $0.service == "shop" }.map(Self.key).sorted())
        }
    }

    @Test("a job whose worker died (its lease run out) is taken back and done once; unknown services fail the job")
    func deadWorker() async throws {
        let contributions = try Self.pushes().filter { $0.service == "shop" }
        try await Self.withTeam { team, _ in
            let (queue, profiles) = team[0]
            _ = try await profiles.ingest(batch: contributions, deferred: false)
            let now = Timestamps.now()
            _ = try await queue.enqueueJob(
                kind: DetectionLoop.jobKind, subject: "shop@1", regressionID: nil, state: .queued, reason: "",
                at: now)
            // A worker took it and was killed: its lease ran out a minute ago.
            let taken = try await queue.claimJob(kind: DetectionLoop.jobKind, owner: "dead", until: now - 60, at: now)
            #expect(taken != nil)
            _ = try await queue.enqueueJob(
                kind: DetectionLoop.jobKind, subject: "nowhere@1", regressionID: nil, state: .queued, reason: "",
                at: now)
            var worker = TeamWorker(queue: team[1].queue, profiles: team[1].profiles)
            worker.owner = "alive"
            #expect(try await worker.drain() == 2)
            let jobs = try await queue.jobs(state: nil, limit: 10).sorted { $0.id < $1.id }
            #expect(jobs[0].state == .done && jobs[0].attempts == 2)
            #expect(jobs[1].state == .failed && jobs[1].reason.contains("nowhere"))
            let first = try await profiles.regressions(service: "shop")
            #expect(first.contains { $0.function.name == "slow_path" && $0.kind == .regression })
            // The dead worker's late finish changes nothing (not its lease any more); a redo stores nothing new.
            try await queue.finishJob(
                taken!.id, owner: "dead", state: .failed, reason: "late", result: nil, at: Timestamps.now())
            #expect(try await queue.jobs(state: .done, limit: 10).map(\.id) == [taken!.id])
            _ = try await queue.enqueueJob(
                kind: DetectionLoop.jobKind, subject: "shop@2", regressionID: nil, state: .queued, reason: "",
                at: Timestamps.now())
            #expect(try await worker.drain() == 1)
            let second = try await profiles.regressions(service: "shop")
            #expect(second.map(\.id) == first.map(\.id) && second.map(Self.key) == first.map(Self.key))
        }
    }

    @Test("the commands in team mode: ingest --database, two workers --once, detect --database; bad URLs one line")
    func commands() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let scratch = try TemporaryDirectory()
        defer { scratch.cleanup() }
        let url = cluster.url
        // 24 one-minute profiles of `shop`; `slow_path` triples from the 16th on.
        for bucket in 0..<24 {
            let slow = bucket >= 16 ? 600 : 200
            let file = try scratch.write(
                "p\(bucket).folded",
                """
                main;serve;handle \(6_000 + bucket % 5 * 20)
                main;serve;parse;tokenize \(2_000 + bucket % 3 * 15)
                main;serve;checkout;slow_path \(slow + bucket % 4)
                main;idle \(1_500 + bucket % 7 * 10)

                """)
            // Half through --database, half through HEADROOM_DATABASE.
            let arguments = ["ingest", file, "--service", "shop", "--at", "\(1_800_000_000 + bucket * 60)"]
            let result =
                bucket % 2 == 0
                ? try Checkout.headroom(arguments + ["--database", url])
                : try Shell.run([Checkout.binary] + arguments, environment: ["HEADROOM_DATABASE": url])
            #expect(result.succeeded && result.stdout.hasPrefix("ingested "), "\(result.stderr)")
        }
        let again = try Checkout.headroom([
            "ingest", scratch.file("p0.folded"), "--service", "shop",
            "--at", "1800000000", "--database", url,
        ])
        #expect(again.succeeded && again.stdout.hasPrefix("skipped "))
        // Two workers at once: both queue the round, one runs it.
        let runs = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for _ in 0..<2 {
                group.addTask { try Checkout.headroom(["worker", "--once", "--database", url]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.filter { !$0.succeeded }.isEmpty, "\(runs.map { $0.stderr })")
        #expect(runs.map(\.stdout).sorted() == ["ran 0 jobs\n", "ran 1 job\n"])
        let detect = try Checkout.headroom(["detect", "--database", url, "--format", "json"])
        #expect(detect.succeeded, "\(detect.stderr)")
        let json = try JSONSerialization.jsonObject(with: detect.stdoutData) as? [String: Any]
        let regressions = json?["regressions"] as? [[String: Any]] ?? []
        #expect(
            regressions.contains { $0["function"] as? String == "slow_path" && $0["kind"] as? String == "regression" })
        // The command keeps the ids the worker stored.
        let location = try PostgresLocation(url)
        let profiles = PostgresProfileStore(location: location)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await profiles.run() }
            defer { group.cancelAll() }
            let stored = try await profiles.regressions(service: "shop")
            #expect(Set(stored.compactMap(\.id)) == Set(regressions.compactMap { ($0["id"] as? NSNumber)?.int64Value }))
        }
        // A URL that is not PostgreSQL's, and an unknown service: one line each, non-zero.
        let bad = try Checkout.headroom(["detect", "--database", "mysql://x@y/z"])
        #expect(!bad.succeeded && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("postgres://"))
        let unknown = try Checkout.headroom(["detect", "--database", url, "--service", "nope"])
        #expect(!unknown.succeeded && unknown.stderr.contains("nope"))
    }

    /// A service of 3,000 functions over 16 buckets, `f_7` regressing: detecting it takes long enough (hundreds of
    /// milliseconds in a debug build) for a kill to land while a worker holds the job.
    static func largeService() throws -> [ProfileContribution] {
        let ingestor = ProfileIngestor(store: try Store.open(path: ":memory:"))
        var rng = BinomialSampler(seed: 11)
        return try (0..<16).map { bucket in
            var text = ""
            for function in 0..<3_000 {
                let count = 20 + rng.draw(n: 12, p: 0.5) + (function == 7 && bucket >= 8 ? 40 : 0)
                text += "main;mod\(function % 40).handler;f_\(function) \(count)\n"
            }
            var options = ProfileReadOptions()
            options.format = .folded
            return try ingestor.prepare(
                data: Data(text.utf8), source: "bucket \(bucket)", service: "svc",
                at: 1_793_606_400 + Int64(bucket) * 600, identity: "\(bucket)", options: options
            ).contribution
        }
    }

    @Test("kill -9 of a team worker mid-job: the job is taken back once its lease runs out and done once, same ids")
    func killedWorker() async throws {
        let contributions = try Self.largeService()
        try await Self.withTeam { team, url in
            let (queue, profiles) = team[0]
            _ = try await profiles.ingest(batch: contributions, deferred: true)
            let first = try Checkout.headroom(["detect", "--database", url, "--service", "svc"])
            try #require(first.succeeded, "\(first.stderr)")
            let expected = try await profiles.regressions(service: "svc")
            #expect(expected.contains { $0.function.name == "f_7" && $0.kind == .regression })
            var killedMidJob = 0
            // Each kill lands a little later after the worker took the job: at once, then into its detection. A
            // loaded machine can finish the job before a late kill lands, so further rounds (killing at once) run
            // until two kills caught a worker holding the job.
            for (round, delay) in [0.0, 0.1, 0.3, 0.0, 0.0, 0.0].enumerated() {
                if round >= 3 && killedMidJob >= 2 { break }
                let (job, _) = try await queue.enqueueJob(
                    kind: DetectionLoop.jobKind, subject: "svc@round\(round)", regressionID: nil, state: .queued,
                    reason: "", at: Timestamps.now())
                let worker = Process()
                worker.executableURL = URL(fileURLWithPath: Checkout.binary)
                worker.arguments = ["worker", "--database", url, "--poll", "1", "--lease", "3"]
                worker.standardOutput = FileHandle.nullDevice
                worker.standardError = FileHandle.nullDevice
                try worker.run()
                for _ in 0..<1_000 {
                    let state = try await queue.jobs(state: nil, limit: 50).first { $0.id == job.id }?.state
                    if state != .queued { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await Task.sleep(for: .seconds(delay))
                kill(worker.processIdentifier, SIGKILL)
                worker.waitUntilExit()
                let held = try #require(try await queue.jobs(state: nil, limit: 50).first { $0.id == job.id })
                if held.state == .running {
                    killedMidJob += 1
                    // Its lease runs out: only then may another worker take the job.
                    try await Task.sleep(for: .seconds(4.5))  // leases are whole seconds
                }
                let next = try Checkout.headroom(["worker", "--once", "--database", url, "--lease", "3"])
                try #require(next.succeeded, "\(next.stderr)")
                let done = try #require(try await queue.jobs(state: nil, limit: 50).first { $0.id == job.id })
                #expect(done.state == .done, "round \(round): \(done.state) \(done.reason)")
                #expect(done.attempts == (held.state == .running ? 2 : 1), "round \(round)")
                let now = try await profiles.regressions(service: "svc")
                #expect(now.map(\.id) == expected.map(\.id) && now.map(Self.key) == expected.map(Self.key))
                #expect(try await queue.jobs(state: .running, limit: 50).isEmpty)
            }
            // The kills must have caught a worker holding the job, or this proves nothing about them.
            #expect(killedMidJob >= 2)
        }
    }

    /// Starts `headroom serve --database url` on a free loopback port; returns the process, its port and its log.
    static func serve(_ url: String, log: String) async throws -> (Process, Int) {
        try await serve(store: ["--database", url], log: log)
    }

    /// Starts `headroom serve` over `store` (`--database URL` or `--store FILE`) on a free loopback port.
    static func serve(store: [String], log: String) async throws -> (Process, Int) {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Checkout.binary)
        server.arguments = ["serve"] + store + ["--listen", "127.0.0.1:0", "--log-level", "notice"]
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        for _ in 0..<300 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return (server, port) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.terminate()
        throw HeadroomError(
            .process, "serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    @Test("two servers and two workers on one database: every push to either server counted once, then detected")
    func twoServersTwoWorkers() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let scratch = try TemporaryDirectory()
        defer { scratch.cleanup() }
        let url = cluster.url
        let (first, firstPort) = try await Self.serve(url, log: scratch.file("serve1.log"))
        let (second, secondPort) = try await Self.serve(url, log: scratch.file("serve2.log"))
        defer {
            first.terminate()
            second.terminate()
        }
        // 2 services × 120 ten-second windows (20 buckets); in shop, slow_path triples from bucket 14 on. Every
        // push goes to both servers at once: one of the two is a duplicate.
        var expected: [String: Int64] = [:]
        var pushes: [(service: String, from: Int64, file: String)] = []
        for service in ["shop", "cart"] {
            for window in 0..<120 {
                let slow = service == "shop" && window >= 84 ? 60 : 20
                let lines = [
                    "main;serve;handle \(600 + window % 7)", "main;serve;parse \(200 + window % 5)",
                    "main;serve;checkout;slow_path \(slow + window % 3)", "main;idle \(150 + window % 4)",
                ]
                expected[service, default: 0] += Int64(600 + window % 7 + 200 + window % 5 + slow + window % 3)
                expected[service, default: 0] += Int64(150 + window % 4)
                let file = try scratch.write("\(service)-\(window).folded", lines.joined(separator: "\n") + "\n")
                pushes.append((service, 1_800_000_000 + Int64(window) * 10, file))
            }
        }
        let sent = pushes
        let answers = try await withThrowingTaskGroup(of: [String].self) { group in
            for port in [firstPort, secondPort] {
                group.addTask {
                    try sent.map { push in
                        let target =
                            "http://127.0.0.1:\(port)/ingest?name=\(push.service).cpu&from=\(push.from)&until=\(push.from + 10)&format=folded&sampleRate=100"
                        let result = try Shell.run([
                            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@\(push.file)",
                            target,
                        ])
                        return result.stdout
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(answers.count == 480 && answers.allSatisfy { $0 == "200" }, "\(Set(answers))")
        // SIGTERM: each server compacts what it accepted before it exits.
        first.terminate()
        second.terminate()
        first.waitUntilExit()
        second.waitUntilExit()
        // Two workers at once queue and run the detection.
        let runs = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for _ in 0..<2 {
                group.addTask { try Checkout.headroom(["worker", "--once", "--database", url]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.filter { !$0.succeeded }.isEmpty, "\(runs.map { $0.stderr })")
        #expect(
            runs.map(\.stdout).sorted() == ["ran 0 jobs\n", "ran 2 jobs\n"]
                || runs.map(\.stdout).sorted() == ["ran 1 job\n", "ran 1 job\n"])
        let profiles = PostgresProfileStore(location: try PostgresLocation(url))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await profiles.run() }
            defer { group.cancelAll() }
            for (service, samples) in expected {
                #expect(try await profiles.profileCount(service: service) == 120)
                let timeline = try await profiles.timeline(service: service, from: nil, to: nil)
                #expect(timeline.buckets.count == 20)
                #expect(timeline.buckets.map(\.total).reduce(0, +) == samples, "\(service)")
            }
            let found = try await profiles.regressions(service: nil)
            let rises = found.filter { $0.kind == .regression }
            #expect(rises.contains { $0.service == "shop" && $0.function.name == "slow_path" })
            #expect(!rises.contains { $0.service == "cart" }, "\(rises.map { "\($0.service) \($0.function.name)" })")
        }
    }

    @Test("a cluster whose test process died is stopped and removed by the next cluster's start")
    func orphanClustersReaped() throws {
        let orphan = try PostgresCluster()
        let socket = orphan.directory.appendingPathComponent(".s.PGSQL.5432").path
        #expect(FileManager.default.fileExists(atPath: socket))
        let pidFile = orphan.directory.appendingPathComponent("data/postmaster.pid").path
        let server = try #require(
            Int32(try String(contentsOfFile: pidFile, encoding: .utf8).prefix { $0 != "\n" }))
        // As if the process that made it had been killed: its lease names a process that is gone.
        try "\(ProcessLease.host):999999999:1".write(
            to: orphan.directory.appendingPathComponent(ProcessLease.fileName), atomically: true, encoding: .utf8)
        // This reaper, or another test's starting a cluster at the same moment, claims it; either way it goes.
        PostgresCluster.reapOrphans()
        let name = orphan.directory.lastPathComponent
        func left() -> Bool {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
            return names.contains { $0.hasPrefix(name) } || kill(server, 0) == 0
        }
        for _ in 0..<300 where left() { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!left(), "the orphan's folder or its server \(server) is still there")
        #expect(!FileManager.default.fileExists(atPath: socket))
    }
}
