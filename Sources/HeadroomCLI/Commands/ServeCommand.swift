import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomSkills
import HeadroomServer
import Logging

/// `headroom serve`: Headroom as a service that agents push profiles to.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Run Headroom as a service: Pyroscope-compatible ingest, detection, root cause and fixes by themselves, a dashboard.",
        discussion: """
            Existing Pyroscope agents push unchanged: point them at http://HOST:PORT (e.g. pyroscope.configure(\
            server_address=...)). POST /ingest?name=APP.cpu{k=v}&from=&until=&format=folded|lines|pprof takes \
            folded text, stack lines or pprof (raw or multipart); POST /push.v1.PusherService/Push takes the \
            current agents' protobuf push. GET /healthz answers without a token. Every profile is committed \
            before the 200; a repeated push is a duplicate, not a second profile. Services with new profiles are \
            detected again every --detect-every seconds once their pushes pause (--detect-debounce), as `headroom \
            detect --service S` would, and each regression is root-caused against the recorded deploys and \
            changes. When the repository's [policy] allows (a registered repository, culprit confidence and cost \
            above its thresholds, --auto-fix on), a fix job is queued and run as `headroom fix ID` would, one at a \
            time, under --fix-timeout; otherwise it is held with the reason. GET /api/v1/{services,regressions,\
            regressions/ID,regressions/ID/rootcause,opportunities,patches,jobs} answers with the same JSON as the \
            MCP tools; POST /api/v1/regressions/ID/ack|invalid records a person's verdict, POST \
            /api/v1/patches/ID/apply|reject a review; /api/v1/openapi.json describes it all. Each new regression, \
            its root cause, and each delivered or refused patch is an event, POSTed as JSON (with a Slack-compatible \
            text) to every --webhook, retried with backoff. GET / is the dashboard (no script needed); GET /metrics \
            speaks Prometheus. Registered repositories are rescanned for opportunities every --rescan-every \
            seconds. SIGTERM/SIGINT drain and stop.

            With --database (team mode) the server ingests into the shared PostgreSQL database: any number of \
            servers behind a load balancer, every push committed before its 200 and counted once. Detection is \
            left to `headroom worker --database` processes (they scan registered repositories for opportunities \
            too). The API answers services, regressions (with their stored rankings), root causes, verdicts (ack, \
            invalid, snooze) and opportunities from the shared database; its other routes answer 501. Workers record each regression's events in the shared outbox; every server with \
            --webhook delivers it, each event once per target. GET / is the dashboard over the shared database (its inbox \
            page and patch buttons need the SQLite store, as fixes do for now).
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var skills: SkillsOptions
    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).") var listen = "127.0.0.1:4040"
    @Option(help: "File holding the bearer token clients must send; required beyond loopback.") var tokenFile: String?
    @Option(help: "Largest request body in MiB (413 above it).") var maxBodyMb = 64
    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error.") var logLevel = "notice"
    @Option(help: "Seconds between detection passes over services with new profiles (0: ingest only).")
    var detectEvery = 60
    @Option(help: "Seconds a service must go without new profiles before it is detected (a backfill settles first).")
    var detectDebounce = 30
    @Option(
        name: .customLong("webhook"),
        help:
            "POST each event (regression.detected, regression.root_caused, patch.delivered, patch.refused, digest.weekly) here; repeatable."
    )
    var webhooks: [String] = []
    @Option(
        help:
            "Attempt fixes by themselves (on) or only queue them for a person (off); the repository's [policy] decides the rest."
    )
    var autoFix = "on"
    @Option(help: "Seconds one fix attempt may take before it is failed and cancelled.") var fixTimeout = 1800
    @Flag(
        help:
            "Queue detection and fix jobs for `headroom worker` processes instead of running them in this server.")
    var externalWorkers = false
    @Option(help: "Seconds between opportunity scans of the registered repositories (0: never).")
    var rescanEvery = 3600
    @Option(
        help:
            "Seconds of the digest window (604800: weekly, from Monday 00:00 UTC): the regressions the triage policy left for the digest go out as one digest.weekly event per window (0: never)."
    )
    var digestEvery = 604_800

    func run() async throws {
        // Every option is checked before the store is opened: a refused start leaves it exactly as it was.
        guard ["on", "off"].contains(autoFix) else { throw HeadroomError(.badInput, "--auto-fix must be on or off") }
        guard rescanEvery >= 0 else { throw HeadroomError(.badInput, "--rescan-every must not be negative") }
        guard digestEvery >= 0 else { throw HeadroomError(.badInput, "--digest-every must not be negative") }
        guard detectEvery >= 0, detectDebounce >= 0 else {
            throw HeadroomError(.badInput, "--detect-every and --detect-debounce must not be negative")
        }
        let targets = try webhooks.map(WebhookDelivery.Target.init)
        guard fixTimeout > 0 else { throw HeadroomError(.badInput, "--fix-timeout must be positive") }
        let (host, port) = try Self.hostPort(listen)
        let token = try tokenFile.map(Self.readToken)
        guard maxBodyMb > 0, maxBodyMb <= 4096 else { throw HeadroomError(.badInput, "--max-body-mb must be 1…4096") }
        try HeadroomServer.checkAccess(host: host, token: token)
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        if let url = databaseOptions.url {
            let (bodyLimit, maxBodyMb) = (maxBodyMb << 20, maxBodyMb)
            try await TeamDatabase.with(url: url, logger: EngineLog.standardError("headroom.postgres", level: .error)) {
                database in
                var server = try HeadroomServer(
                    ingest: try database.pyroscopeIngest(
                        maximumBytes: 4 * maxBodyMb << 20,
                        logger: EngineLog.standardError("headroom.ingest", level: level)),
                    host: host, port: port, token: token)
                server.maxBodyBytes = bodyLimit
                let skillsRoot = try? skills.root()
                server.registry = database.toolRegistry(skillsRoot: skillsRoot)
                server.review = PatchReview(
                    store: database.changeStore, catalog: try? skillsRoot.map { try SkillCatalog.load(root: $0) })
                server.status = ServerStatus(store: database.changeStore, queue: database.queue)
                server.dashboard = Dashboard(store: database.changeStore)
                if !targets.isEmpty {
                    server.webhooks = database.webhooks(
                        targets, logger: EngineLog.standardError("headroom.webhook", level: level))
                }
                Interruption.uninstall()
                try await server.run(logger: EngineLog.standardError("headroom.serve", level: level))
            }
            return
        }
        let context = try toolContext(store: storeOptions, skills: skills, output: nil, serving: true)
        let store = context.store
        let ingestor = ProfileIngestor(store: store, logger: EngineLog.standardError("headroom.ingest", level: level))
        var server = try HeadroomServer(
            ingest: PyroscopeIngest(ingestor: ingestor, maximumBytes: 4 * maxBodyMb << 20), host: host, port: port,
            token: token)
        server.maxBodyBytes = maxBodyMb << 20
        server.registry = HeadroomTools.registry(context)
        server.status = ServerStatus(store: store)
        server.review = PatchReview(store: store, catalog: try? context.catalog())
        let dashboard = Dashboard(store: store, costs: context.costModel)
        server.dashboard = dashboard
        // The largest services' flame graphs are drawn in the background now, so their first view is instant.
        let warmLog = EngineLog.standardError("headroom.dashboard", level: level)
        DispatchQueue.global(qos: .utility).async {
            let started = Date()
            let drawn = dashboard.warmFlameGraphs()
            warmLog.notice(
                "flame graphs drawn",
                metadata: [
                    "services": "\(drawn)", "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(started)))",
                ])
        }
        if digestEvery > 0 {
            server.digest = DigestSchedule(
                store: store, costs: context.costModel, interval: Int64(digestEvery),
                logger: EngineLog.standardError("headroom.digest", level: level))
        }
        if rescanEvery > 0 {
            var rescan = OpportunityRescan(
                store: store, interval: .seconds(rescanEvery),
                logger: EngineLog.standardError("headroom.rescan", level: level))
            if let catalog = try? context.catalog() { rescan.reviews = (PublishService(store: store), catalog) }
            server.rescan = (rescan, OpportunityRescan.scanner(context))
        }
        if !webhooks.isEmpty {
            server.webhooks = WebhookDelivery(
                store: store, targets: targets,
                logger: EngineLog.standardError("headroom.webhook", level: level))
        }
        // Fix jobs: queued by the loop under the policy, run one at a time (also those a stopped server left).
        var queue = FixQueue(
            store: store, policy: FixPolicy(enabled: autoFix == "on"), costs: context.costModel,
            logger: EngineLog.standardError("headroom.fix", level: level))
        queue.timeLimit = .seconds(fixTimeout)
        var agent = AgentService(context: context)
        agent.logger = EngineLog.standardError("headroom.agent", level: level)
        let fixer = agent
        if !externalWorkers {
            server.fixes = (queue, FixQueue.attempts(by: fixer, publisher: PublishService(store: store)))
        }
        // What a killed server's attempt left behind (worktrees, held patches) goes before anything runs.
        _ = Janitor(store: store).clean()
        if detectEvery > 0 {
            var loop = DetectionLoop(
                detection: DetectionService(
                    store: store, logger: EngineLog.standardError("headroom.detect", level: level)),
                interval: .seconds(detectEvery), debounce: .seconds(detectDebounce),
                logger: EngineLog.standardError("headroom.loop", level: level))
            loop.events = EventRecorder(store: store, costs: context.costModel)
            loop.fixes = queue
            loop.enqueueOnly = externalWorkers
            server.loop = loop
        }
        // The service group drains on SIGTERM/SIGINT; Headroom's exit-at-once handlers would cut requests short.
        Interruption.uninstall()
        try await server.run(logger: EngineLog.standardError("headroom.serve", level: level))
    }

    static func hostPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw HeadroomError(.badInput, "--listen: '\(text)' is not HOST:PORT (e.g. 127.0.0.1:4040)")
        }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port), !host.isEmpty else {
            throw HeadroomError(.badInput, "--listen: '\(text)' is not HOST:PORT (e.g. 127.0.0.1:4040)")
        }
        return (host, port)
    }

    /// The token, from its file (first line, trimmed); never printed or logged.
    static func readToken(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeadroomError(.badInput, "--token-file \(path): cannot read it")
        }
        let token =
            String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)?
            .trimmingCharacters(in: .whitespaces) ?? ""
        guard !token.isEmpty else { throw HeadroomError(.badInput, "--token-file \(path) is empty") }
        return token
    }
}
