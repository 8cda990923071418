import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomStore
import HeadroomTesting
import Testing

/// Fix jobs in team mode: `headroom worker --database` ranks a regression it detects, the fix policy queues its
/// attempt, and a worker that has the repository runs it — the agent over the shared database's tools, tests and an
/// A/B benchmark in worktrees, a new `headroom/` branch — with the patch, its transcript and its event recorded in
/// PostgreSQL, once however often workers run.
@Suite("team mode: fix jobs on PostgreSQL", .serialized, .ownThreads)
struct TeamFixTests {
    /// The service of `FixEndToEndTests.revertFix` (`SortedWorkService`). Its policy lets a worker attempt the
    /// fix by itself (the fleet-size fallback makes the regression cost ~250 cores, which the default
    /// `critical_cores` would send to a person first).
    static func repository() throws -> (repo: ScratchRepository, good: String, bad: String) {
        let repo = try ScratchRepository()
        let (good, bad) = try SortedWorkService.commit(repo, settings: "[policy]\ncritical_cores = 100000\n")
        return (repo, good, bad)
    }

    /// Runs `body` with the service loaded into a fresh shared database (`load`), in a scratch folder that is
    /// removed afterwards with the repository.
    static func withService(
        _ body:
            @Sendable (
                _ team: [(queue: PostgresJobQueue, profiles: PostgresProfileStore)], _ url: String,
                _ dir: TemporaryDirectory,
                _ repo: ScratchRepository
            ) async throws -> Void
    ) async throws {
        try await TeamWorkerTests.withTeam { team, url in
            let dir = try TemporaryDirectory()
            defer { dir.cleanup() }
            let (repo, good, bad) = try Self.repository()
            defer { repo.directory.cleanup() }
            try Self.load(repo, good: good, bad: bad, dir: dir, url: url)
            try await body(team, url, dir, repo)
        }
    }

    /// Imports the repository's history (registering it for `svc`), its two deploys and twenty minutes of
    /// profiles into the shared database at `url`.
    static func load(_ repo: ScratchRepository, good: String, bad: String, dir: TemporaryDirectory, url: String)
        throws
    {
        let target = ["--database", url]
        let imported = try Checkout.headroom(
            ["changes", "import", "--repo", repo.path, "--service", "svc"] + target)
        try #require(imported.succeeded, "\(imported.stderr)")
        let deployBad: Int64 = 1_793_604_000
        for (sha, at) in [(good, Int64(1_793_601_000)), (bad, deployBad)] {
            let run = try Checkout.headroom(
                ["deploys", "add", "--service", "svc", "--commit", sha, "--at", "\(at)"] + target)
            try #require(run.succeeded, "\(run.stderr)")
        }
        // Ten minutes before and after the bad deploy; `work`'s self share goes from 20% to 45%.
        for minute in 0..<20 {
            let at = minute < 10 ? deployBad - Int64(10 - minute) * 60 : deployBad + Int64(minute - 9) * 60
            let workSamples = minute < 10 ? 200 + minute % 3 : 450 + minute % 3
            let folded = """
                main (app.py:1);handle (app.py:9);work (app.py:3) \(workSamples)
                main (app.py:1);handle (app.py:9) \(300 - minute % 2)
                main (app.py:1);serve (srv.py:4) \(1000 - workSamples - 300)
                """
            let file = try dir.write("p\(minute).folded", folded + "\n")
            let run = try Checkout.headroom(["ingest", file, "--service", "svc", "--at", "\(at)"] + target)
            try #require(run.succeeded, "\(run.stderr)")
        }
    }

    static let skills = (Checkout.root as NSString).appendingPathComponent("Skills")

    @Test("worker --database: a ranked regression's fix is queued, attempted once, delivered and recorded there")
    func workerFixes() async throws {
        try await Self.withService { team, url, dir, repo in
            let target = ["--database", url]
            let skills = Self.skills
            let head = try repo.git(["rev-parse", "HEAD"])
            let (queue, store) = (team[0].queue, TeamStore(profiles: team[0].profiles))
            // A worker with --fixes off detects, routes the regression by the repository's fix policy and queues
            // its fix, and scans the repository: two jobs; it attempts no fix.
            let router = try Checkout.headroom(
                ["worker", "--once", "--fixes", "off", "--log-level", "info"] + target, in: dir.path)
            #expect(router.succeeded && router.stdout.contains("ran 2 jobs"), "\(router.stdout) \(router.stderr)")
            // A worker on a machine without the repository's folder passes the fix on untried, for one that has it.
            let away = repo.path + ".away"
            try FileManager.default.moveItem(atPath: repo.path, toPath: away)
            let without = try Checkout.headroom(
                ["worker", "--once", "--skills", skills, "--log-level", "info"] + target, in: dir.path)
            try FileManager.default.moveItem(atPath: away, toPath: repo.path)
            #expect(without.succeeded && without.stdout.contains("ran 0 jobs"), "\(without.stdout) \(without.stderr)")
            let passed = try #require(try await queue.jobs().first { $0.kind == FixQueue.kind })
            #expect(
                passed.state == .queued && passed.attempts == 0 && passed.reason.contains("passed on by")
                    && passed.reason.contains("registered at \(repo.path)"), "\(passed.reason)")
            // A worker with the folder attempts it.
            let worker = try Checkout.headroom(
                ["worker", "--once", "--skills", skills, "--log-level", "info"] + target, in: dir.path)
            #expect(worker.succeeded && worker.stdout.contains("ran 1 job"), "\(worker.stdout) \(worker.stderr)")

            let jobs = try await queue.jobs()
            let fixJobs = jobs.filter { $0.kind == FixQueue.kind }
            let job = try #require(fixJobs.first, "\(jobs.map { "\($0.kind) \($0.state) \($0.reason)" })")
            #expect(fixJobs.count == 1)
            #expect(job.state == .done && job.reason.contains("delivered on headroom/regression-"), "\(job.reason)")
            #expect(job.id == passed.id && job.attempts == 1)
            let regression = try #require(job.regressionID)
            let result = try JSONValue.parse(try #require(job.result))
            #expect(result["status"] == "delivered" && result["skill"] == "revert-hunk", "\(result)")

            let patches = try await AsyncBridge.onOwnThread {
                try store.patches(skill: nil, review: nil, status: nil)
            }
            let delivered = try #require(patches.first { $0.status == .delivered }, "\(patches.map(\.status))")
            #expect(delivered.regressionID == regression && delivered.skill == "revert-hunk")
            #expect(delivered.branch == "headroom/regression-\(regression)")
            #expect((delivered.validation?.speedup ?? 0) > 1 && delivered.validation?.testsPassed == true)
            #expect(delivered.transcript.contains { $0.tool == "validate_patch" })
            #expect(patches.allSatisfy { $0.status != .proposed }, "a patch left proposed")
            #expect(try await AsyncBridge.onOwnThread { try store.ownedPatches().isEmpty }, "a patch still held")
            #expect(
                try await AsyncBridge.onOwnThread {
                    try store.hasEvent(kind: "patch.delivered", subject: "patch/\(delivered.id ?? 0)")
                })
            // The patch is on its own branch; the checked-out one did not move; the PR description was written.
            #expect(try repo.git(["rev-parse", "HEAD"]) == head)
            let diff = try repo.git(["diff", "HEAD", "headroom/regression-\(regression)"])
            #expect(diff.contains("-    ranked = sorted(range(400), key=lambda v: -v)"), "\(diff)")
            let description = try #require(delivered.prDescription)
            #expect(description.hasPrefix(dir.path) && FileManager.default.fileExists(atPath: description))

            // A person reviews it from the shared database: listed, shown, applied onto the checked-out branch once.
            let listed = try JSONValue.parse(
                try Checkout.headroom(["review", "list", "--format", "json"] + target).stdout)
            #expect(listed["patches"]?.arrayValue?.first?["regression"] == .number(Double(regression)), "\(listed)")
            let patchID = try #require(delivered.id)
            let show = try Checkout.headroom(["review", "show", "\(patchID)"] + target)
            #expect(
                show.stdout.contains("tool validate_patch") && show.stdout.contains("revert-hunk"), "\(show.stdout)")
            let apply = try Checkout.headroom(["review", "apply", "\(patchID)", "--no-sweep"] + target)
            #expect(apply.succeeded, "\(apply.stderr)")
            #expect(try repo.git(["show", "HEAD:app.py"]).contains("sorted") == false)
            let twice = try Checkout.headroom(["review", "apply", "\(patchID)", "--no-sweep"] + target)
            #expect(!twice.succeeded && twice.stderr.contains("already applied"), "\(twice.stderr)")
            let applied = try await AsyncBridge.onOwnThread { try store.patch(id: patchID) }
            #expect(applied.review == .applied && applied.appliedCommit != nil)
            // The learning sweep and the forge follow-up read the shared patches: a revert has no shape to look
            // for; an unknown patch is not found; nothing is published, so nothing awaits a forge's review.
            let sweep = try JSONValue.parse(
                try Checkout.headroom(
                    ["review", "sweep", "\(patchID)", "--skills", skills, "--format", "json"] + target
                ).stdout)
            #expect(sweep["patch"] == .number(Double(patchID)) && sweep["skipped"]?.stringValue != nil, "\(sweep)")
            let noPatch = try Checkout.headroom(["review", "sweep", "999", "--skills", skills] + target)
            #expect(!noPatch.succeeded && noPatch.stderr.contains("999"), "\(noPatch.stderr)")
            let sync = try JSONValue.parse(
                try Checkout.headroom(["review", "sync", "--skills", skills, "--format", "json"] + target).stdout)
            #expect(sync["patches"]?.arrayValue?.isEmpty == true, "\(sync)")
            // The program's figures count it: one regression fixed, one fix delivered and applied, its A/B estimate.
            let metrics = try JSONValue.parse(
                try Checkout.headroom(["metrics", "--format", "json"] + target).stdout)
            #expect(metrics["fixes"]?["delivered"] == 1 && metrics["fixes"]?["applied"] == 1, "\(metrics)")
            #expect(metrics["regressions"]?["fixed"] == 1, "\(metrics)")
            let saving = try #require(metrics["savings"]?["fixes"]?.arrayValue?.first, "\(metrics)")
            #expect(saving["patch"] == .number(Double(patchID)) && saving["basis"] == "ab-estimate", "\(saving)")
            #expect((saving["cores"]?.doubleValue ?? 0) > 0, "\(saving)")
            let unknown = try Checkout.headroom(["fix", "999", "--skills", skills] + target, in: dir.path)
            #expect(!unknown.succeeded && unknown.stderr.contains("999"), "\(unknown.stderr)")

            // Workers run again: nothing is attempted twice, no patch is added.
            let again = try Checkout.headroom(["worker", "--once", "--skills", skills] + target, in: dir.path)
            #expect(again.succeeded && again.stdout.contains("ran 0 jobs"), "\(again.stdout) \(again.stderr)")
            let after = try await AsyncBridge.onOwnThread { try store.patches(skill: nil, review: nil, status: nil) }
            #expect(after.map(\.id) == patches.map(\.id))
        }
    }

    @Test("kill -9 of a worker mid-attempt: the fix job is taken back and completed once; one patch delivered")
    func killedMidFix() async throws {
        try await Self.withService { team, url, dir, repo in
            let worker = Process()
            worker.executableURL = URL(fileURLWithPath: Checkout.binary)
            worker.currentDirectoryURL = URL(fileURLWithPath: dir.path)
            worker.arguments = [
                "worker", "--database", url, "--skills", Self.skills, "--lease", "3", "--poll", "1", "--debounce", "0",
                "--rescan-every", "0", "--log-level", "info",
            ]
            worker.standardOutput = FileHandle.nullDevice
            let log = WorkerTests.StderrLog()
            worker.standardError = log.pipe
            try worker.run()
            // Killed from the reader of its own log, a moment into the attempt (its worktrees and test runs under way).
            let pid = worker.processIdentifier
            log.whenContains("fix attempt started") {
                Thread.sleep(forTimeInterval: 1.5)
                kill(pid, SIGKILL)
            }
            try await AsyncBridge.onOwnThread {
                let deadline = Date().addingTimeInterval(120)
                while worker.isRunning && Date() < deadline { usleep(10_000) }
                if worker.isRunning { kill(pid, SIGKILL) }
                worker.waitUntilExit()
            }
            log.close()
            let queue = team[0].queue
            let held = try #require(try await queue.jobs().first { $0.kind == FixQueue.kind })
            #expect(held.state == .running && held.attempts == 1, "\(held.state) \(held.reason)")
            // Its lease runs out; the next worker takes the job back, cleans up after the dead attempt, runs it.
            try await Task.sleep(for: .seconds(4))
            let next = try Checkout.headroom(
                [
                    "worker", "--once", "--database", url, "--skills", Self.skills, "--lease", "3", "--rescan-every",
                    "0",
                ],
                in: dir.path)
            #expect(next.succeeded && next.stdout.contains("ran 1 job"), "\(next.stdout) \(next.stderr)")
            let done = try #require(try await queue.jobs().first { $0.id == held.id })
            #expect(done.state == .done && done.attempts == 2, "\(done.state) \(done.reason)")
            let store = TeamStore(profiles: team[0].profiles)
            let patches = try await AsyncBridge.onOwnThread { try store.patches(skill: nil, review: nil, status: nil) }
            #expect(patches.filter { $0.status == .delivered }.count == 1, "\(patches.map(\.status))")
            #expect(patches.allSatisfy { $0.status != .proposed }, "\(patches.map(\.status))")
            #expect(try await AsyncBridge.onOwnThread { try store.ownedPatches().isEmpty })
            // No worktree of the killed attempt is left.
            let worktrees = try repo.git(["worktree", "list"]).split(separator: "\n")
            #expect(worktrees.count == 1, "\(worktrees)")
        }
    }

    @Test("a fix job of a worker on another machine taken back: the patches that worker held are cancelled")
    func stoppedRemoteWorker() async throws {
        try await TeamWorkerTests.withTeam { team, _ in
            let (queue, store) = (team[0].queue, TeamStore(profiles: team[0].profiles))
            var worker = TeamWorker(queue: queue, profiles: team[0].profiles)
            worker.fixes = TeamWorker.Fixes(store: store, attempt: nil)
            // A worker on another machine claimed the job and made a patch, then went silent; its lease ran out.
            let remote = "elsewhere.example:4242:99"
            let now = Timestamps.now()
            _ = try await queue.enqueueJob(
                kind: FixQueue.kind, subject: "svc|work|app.py|self|1", regressionID: nil, state: .queued, reason: "",
                at: now)
            let job = try #require(
                try await queue.claimJob(kind: FixQueue.kind, owner: remote, until: now - 1, at: now - 5))
            let (held, other) = try await AsyncBridge.onOwnThread { () throws -> (PatchRecord, PatchRecord) in
                let held = try store.savePatch(
                    TeamPatchStoreTests.patch(opportunity: nil, skill: "revert-hunk", status: .proposed))
                let other = try store.savePatch(
                    TeamPatchStoreTests.patch(opportunity: nil, skill: "memoize", status: .proposed))
                try store.setPatchOwner([try #require(held.id)], owner: remote)
                try store.setPatchOwner([try #require(other.id)], owner: "busy.example:1:1")
                return (held, other)
            }
            // Its own machine's liveness check cannot tell from here; the lease can.
            #expect(ProcessLease.isAlive(remote))
            #expect(try await worker.drain() == 0)
            let taken = try #require(try await queue.jobs(state: nil, limit: 10).first { $0.id == job.id })
            #expect(taken.state == .queued, "\(taken.state) \(taken.reason)")
            let (ended, untouched, owned) = try await AsyncBridge.onOwnThread {
                (
                    try store.patch(id: held.id!), try store.patch(id: other.id!),
                    try store.ownedPatches().map(\.owner)
                )
            }
            #expect(ended.status == .cancelled && ended.reason?.contains("lease ran out") == true, "\(ended.status)")
            #expect(untouched.status == .proposed && owned == ["busy.example:1:1"])
        }
    }
}
