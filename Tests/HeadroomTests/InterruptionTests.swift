import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore
import HeadroomTesting
import Testing

/// Issue 25: an interrupted fix leaves nothing behind — SIGTERM/SIGINT clean up at once, and what a SIGKILL leaves is
/// reaped by the next run or `headroom doctor --fix`; a live run's work is never touched.
@Suite("interruption", .ownThreads)
struct InterruptionTests {
    /// A repository with a log-guard target whose benchmark waits long enough to be interrupted, registered in a
    /// store with one proposed patch.
    struct Scene {
        let dir: TemporaryDirectory
        let repo: ScratchRepository
        let store: String
        let marker: String

        init() throws {
            dir = try TemporaryDirectory()
            repo = try ScratchRepository()
            store = dir.file("s.sqlite")
            marker = "headroom-interrupt-\(UUID().uuidString.prefix(8))"
            try repo.commit(
                [
                    "app.py": """
                    import logging

                    logger = logging.getLogger("scratch")


                    def work(items):
                        total = 0
                        for i in items:
                            logger.debug(f"item {i}: {[j * j for j in range(300)]}")
                            total += i
                        return total
                    """,
                    "headroom.toml": "[commands]\ntest = \"true\"\nbench = \"sleep 300; echo \(marker)\"\n",
                ], message: "scratch")
            _ = try Store.open(path: store).replaceRegressions(service: "scratch", with: [Self.regression])
            #expect(try Checkout.headroom(["repos", "add", "scratch", repo.path, "--store", store]).status == 0)
            let made = try Checkout.headroom([
                "tools", "call", "generate_patch",
                #"{"skill":"log-guard","kind":"regression","target":1,"repository":"scratch","path":"app.py","function":"work"}"#,
                "--store", store,
            ])
            #expect(made.stdout.contains("\"proposed\""), "\(made.stdout) \(made.stderr)")
        }

        static let regression = Regression(
            id: 1, service: "scratch", function: FunctionRef(name: "work", file: "app.py"), metric: .selfShare,
            index: 2,
            timestamp: 5100, previousTimestamp: 1100, before: 0.04, after: 0.25, pValue: 1e-20, confidence: 1,
            kind: .regression)

        /// Starts `validate_patch` on patch 1 and waits until its benchmark runs.
        func startValidation() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Checkout.binary)
            process.arguments = ["tools", "call", "validate_patch", #"{"patch":1,"runs":10}"#, "--store", store]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.write("stderr", "")))
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while benchmarks().isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
            #expect(!benchmarks().isEmpty, "the benchmark never started")
            return process
        }

        /// Processes running this scene's benchmark.
        func benchmarks() -> [Int32] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap { entry in
                guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                    String(decoding: data, as: UTF8.self).contains(marker)
                else { return nil }
                // A zombie is not running.
                let stat = (try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)) ?? ""
                return stat.contains(") Z ") ? nil : pid
            }
        }

        func worktrees() throws -> [String] {
            try repo.git(["worktree", "list", "--porcelain"]).split(separator: "\n").filter {
                $0.hasPrefix("worktree ")
            }
            .map(String.init).dropFirst().map { $0 }
        }

        func status() throws -> PatchRecord.Status { try Store.open(path: store).patch(id: 1).status }

        func waitForBenchmarksToEnd() -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while !benchmarks().isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            return benchmarks().isEmpty
        }

        func cleanup() {
            for pid in benchmarks() { kill(pid, SIGKILL) }
            dir.cleanup()
            repo.directory.cleanup()
        }
    }

    @Test("SIGTERM and SIGINT during validation: children killed, worktrees removed, the patch cancelled, one line")
    func terminate() throws {
        for signal in [SIGTERM, SIGINT] {
            let scene = try Scene()
            defer { scene.cleanup() }
            let process = try scene.startValidation()
            #expect(try scene.worktrees().count == 2)
            // A live run's work is not a leftover.
            let live = try Checkout.headroom(["doctor", "--store", scene.store, "--format", "json"])
            #expect(!live.stdout.contains("\"worktree\"") && !live.stdout.contains("\"patch\""), "\(live.stdout)")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            #expect(process.terminationStatus == 128 + signal)
            let stderr = try String(contentsOfFile: scene.dir.file("stderr"), encoding: .utf8)
            #expect(
                stderr.contains("interrupted (\(signal == SIGTERM ? "SIGTERM" : "SIGINT"))")
                    && stderr.contains("cancelled patch 1"), "\(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
            #expect(scene.waitForBenchmarksToEnd(), "the benchmark outlived the run")
            #expect(try scene.worktrees().isEmpty)
            #expect(try scene.status() == .cancelled)
            let doctor = try Checkout.headroom(["doctor", "--store", scene.store, "--format", "json"])
            // Nothing of this run is left (other tests' killed runs, in parallel, may leave their own scratch).
            #expect(
                !doctor.stdout.contains("\"worktree\"") && !doctor.stdout.contains("\"patch\"")
                    && !doctor.stdout.contains("\"branch\""), "\(doctor.stdout)")
        }
    }

    @Test("after SIGKILL, doctor shows the leftovers and --fix reaps them: processes, worktrees, patch, scratch")
    func killed() throws {
        let scene = try Scene()
        defer { scene.cleanup() }
        let process = try scene.startValidation()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(!scene.benchmarks().isEmpty, "sanity: SIGKILL leaves the benchmark running")
        #expect(try scene.worktrees().count == 2)
        #expect(try scene.status() == .proposed)
        let shown = try Checkout.headroom(["doctor", "--store", scene.store])
        #expect(
            shown.stdout.contains("found: worktree") && shown.stdout.contains("found: patch patch 1")
                && shown.stdout.contains("found: process") && shown.stdout.contains("doctor --fix"), "\(shown.stdout)")
        #expect(try scene.worktrees().count == 2, "doctor without --fix changes nothing")
        let fixed = try Checkout.headroom(["doctor", "--fix", "--store", scene.store])
        #expect(fixed.status == 0 && fixed.stdout.contains("removed: worktree"), "\(fixed.stdout)")
        #expect(scene.waitForBenchmarksToEnd())
        #expect(try scene.worktrees().isEmpty)
        #expect(try scene.status() == .cancelled)
        #expect(try Checkout.headroom(["doctor", "--store", scene.store]).stdout.contains("nothing left behind"))
    }

    @Test(
        "a delivery killed with its branch checked out in a stale worktree: the worktree, the branch and the row are reaped"
    )
    func killedDelivery() throws {
        let dir = try TemporaryDirectory()
        let repo = try ScratchRepository()
        defer {
            dir.cleanup()
            repo.directory.cleanup()
        }
        let base = try repo.commit(["app.py": "x = 1\n"], message: "base")
        let store = try Store.open(path: dir.file("s.sqlite"))
        _ = try store.replaceRegressions(service: "scratch", with: [Scene.regression])
        try RepositoryRegistry(store: store).register(path: repo.path, name: "scratch")
        // A process that has ended: its lease is dead.
        let gone = try Shell.run(["sh", "-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let deadLease = "\(ProcessLease.host):\(gone):1"
        #expect(!ProcessLease.isAlive(deadLease) && ProcessLease.isAlive(ProcessLease.current))
        let scratch = try PrivateTemporary.directory(prefix: "headroom")
        try deadLease.write(
            toFile: scratch.appendingPathComponent(ProcessLease.fileName).path, atomically: true, encoding: .utf8)
        ActiveWork.shared.removeScratch(scratch.path)
        let worktree = scratch.appendingPathComponent("patch-dead").path
        let root = try Git(path: repo.path).root
        try repo.git(["worktree", "add", "-q", "-b", "headroom/regression-9", worktree, base])
        try repo.git([
            "-C", worktree, "-c", "user.name=Headroom", "-c", "user.email=headroom@localhost", "commit", "-q",
            "--allow-empty", "-m", "half-made",
        ])
        var record = try store.savePatch(
            PatchRecord(
                regressionID: try #require(store.regressions().first?.id), skill: "log-guard", repository: root,
                branch: "headroom/regression-9", baseCommit: base,
                diff: "", prDescription: nil, status: .proposed, reason: nil, validation: nil))
        try store.setPatchOwner([record.id!], owner: deadLease)
        // Before: git cannot delete the branch (checked out in the stale worktree).
        #expect(try Shell.run(["git", "-C", repo.path, "branch", "-D", "headroom/regression-9"]).status != 0)
        let found = Janitor(store: store).survey()
        #expect(Set(found.map(\.kind)).isSuperset(of: [.worktree, .patch, .scratch]), "\(found)")
        let cleaned = Janitor(store: store).clean()
        #expect(cleaned.allSatisfy { $0.removed }, "\(cleaned)")
        record = try store.patch(id: record.id!)
        #expect(record.status == .cancelled)
        #expect(!Git.hasBranch("headroom/regression-9", root: root))
        #expect(!FileManager.default.fileExists(atPath: scratch.path))
        #expect(Janitor(store: store).survey().isEmpty)
    }

    @Test("delivering the same fix again reuses its branch; a different fix gets a new one")
    func branchReuse() throws {
        let scene = try Scene()
        defer { scene.cleanup() }
        let store = try Store.open(path: scene.store)
        let service = PatchService(store: store, outputDirectory: scene.dir.file("prs"))
        let root = try Git(path: scene.repo.path).root
        let target = PatchTarget(kind: .regression, id: 1, repository: root, path: "app.py", function: "work")
        let gain = ValidationResult(
            testsPassed: true, speedup: 3, ci95: [2.5, 3.5], pValue: 1e-5, beforeSeconds: [3], afterSeconds: [1])
        func delivered(_ record: PatchRecord) throws -> PatchRecord {
            var validated = record
            validated.validation = gain
            return try service.deliver(patchID: store.savePatch(validated).id!)
        }
        let first = try delivered(try store.patch(id: 1))
        let again = try delivered(try service.generate(skill: "log-guard", target: target))
        #expect(first.branch == "headroom/regression-1" && again.branch == first.branch && again.commit == first.commit)
        #expect(try scene.repo.git(["branch", "--list", "headroom/*"]).split(separator: "\n").count == 1)
        // A different edit of the same target is a different fix: a branch of its own.
        let other = try service.propose(
            skill: "log-guard", target: target,
            replacement: """
                def work(items):
                    total = 0
                    for i in items:
                        if logger.isEnabledFor(logging.DEBUG):  # only when debugging
                            logger.debug(f"item {i}: {[j * j for j in range(300)]}")
                        total += i
                    return total
                """)
        #expect(other.status == .proposed, "\(other.reason ?? "")")
        #expect(try delivered(other).branch == "headroom/regression-1-2")
    }
}
