import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomStore
import HeadroomTesting
import Testing

/// Opportunities in team mode: the shared database keeps each bucket's line costs, the scanner measures a finding
/// on the lines its fix changes from them, and `opportunities --database` and a worker's scan job store the same
/// opportunities, in the same JSON, as the SQLite store from the same repository and profiles.
@Suite("team mode: opportunities on PostgreSQL", .serialized, .ownThreads)
struct TeamOpportunityTests {
    /// A service whose `parse` compiles a constant regex on every call (line 12) and logs eagerly (line 13).
    static let source = """
        import logging
        import re

        log = logging.getLogger(__name__)


        def handler(req):
            return parse(req)


        def parse(text):
            pattern = re.compile(r"(\\d+)-(\\d+)")
            log.info("parsing %s" % text)
            return pattern.match(text)

        """

    /// Eight one-minute buckets of py-spy-style profiles (frames name their lines): of 1,000 samples a minute,
    /// about 300 are under line 12's `re.compile`, 60 at line 13, 100 at line 14.
    static func profiles(_ dir: TemporaryDirectory, start: Int64) throws -> [(path: String, at: Int64)] {
        try (0..<8).map { bucket in
            let jitter = (bucket * 7 % 5) - 2
            let text = """
                main (app.py:3);handler (svc.py:8);parse (svc.py:12);compile (re/__init__.py:227);_compile (re/__init__.py:294) \(300 + jitter)
                main (app.py:3);handler (svc.py:8);parse (svc.py:13);info (logging/__init__.py:1477) \(60 - jitter)
                main (app.py:3);handler (svc.py:8);parse (svc.py:14) \(100 + jitter)
                main (app.py:3);serve (app.py:9) \(540 - jitter)

                """
            let path = dir.file("p\(bucket).folded")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return (path, start + Int64(bucket) * 60 + 5)
        }
    }

    /// An `opportunities --format json` answer without ids (the engines number rows independently).
    static func withoutIDs(_ text: String) throws -> [[String: Any]] {
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return try #require(parsed["opportunities"] as? [[String: Any]]).map { $0.filter { $0.key != "id" } }
    }

    @Test("opportunities --database: line costs, the same scan and JSON as SQLite, ids stable across rescans")
    func scanMatchesSQLite() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let repository = try ScratchRepository()
        defer { repository.directory.cleanup() }
        try repository.commit(
            ["svc.py": Self.source, "app.py": "import svc\n\n\ndef main():\n    svc.handler('1-2')\n"],
            message: "svc")
        let start: Int64 = 1_793_606_400
        let profiles = try Self.profiles(dir, start: start)
        let store = dir.file("s.sqlite")
        let skills = (Checkout.root as NSString).appendingPathComponent("Skills")
        try await TeamWorkerTests.withTeam { team, url in
            var answers: [String] = []
            for target in [["--store", store], ["--database", url]] {
                for profile in profiles {
                    let run = try Checkout.headroom(
                        ["ingest", profile.path, "--service", "svc", "--at", "\(profile.at)"] + target)
                    try #require(run.succeeded, "\(run.stderr)")
                }
                let scan = try Checkout.headroom(
                    [
                        "opportunities", "--repo", repository.path, "--service", "svc", "--skills", skills,
                        "--format", "json",
                    ] + target)
                try #require(scan.succeeded, "\(target[0]): \(scan.stderr)")
                answers.append(scan.stdout)
            }
            let (sqlite, postgres) = (try Self.withoutIDs(answers[0]), try Self.withoutIDs(answers[1]))
            #expect(NSArray(array: sqlite).isEqual(to: postgres), "\(answers[0])\n\(answers[1])")

            // Not an empty answer that matches trivially: the regex compiled per call, measured on its line
            // (about 30% of the samples), matched to its skill, first in the list.
            let regex = try #require(postgres.first { $0["pattern"] as? String == "regex-compile" }, "\(postgres)")
            #expect(regex["function"] as? String == "parse" && regex["file"] as? String == "svc.py")
            #expect(regex["share_basis"] as? String == "source-lines", "\(regex)")
            let share = try #require(regex["share"] as? Double)
            #expect(abs(share - 0.30) < 0.01, "\(regex)")
            #expect(regex["skill"] is String, "\(regex)")
            #expect(postgres.first?["pattern"] as? String == "regex-compile", "\(postgres)")

            // The stored line costs themselves, as the SQLite store sums them.
            let parse = FunctionRef(name: "parse", file: "svc.py")
            let expected = try Store.open(path: store).lineCosts(service: "svc", function: parse)
            let lines = try await team[0].profiles.lineCosts(service: "svc", function: parse, from: nil, to: nil)
            #expect(expected.count == 3 && lines.mapValues { [$0.0, $0.1] } == expected.mapValues { [$0.0, $0.1] })
            let later = try await team[1].profiles.lineCosts(
                service: "svc", function: parse, from: start + 4 * 60, to: nil)
            #expect((later[12]?.totalSamples ?? 0) > 0 && (later[12]?.totalSamples ?? 0) < (lines[12]?.1 ?? 0))
            await #expect(throws: HeadroomError.self) {
                _ = try await team[0].profiles.lineCosts(service: "nope", function: parse, from: nil, to: nil)
            }

            // A rescan updates in place: the same ids; a listing reads them back in rank order.
            func ids(_ text: String) throws -> [Int] {
                let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                return try #require(parsed["opportunities"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
            }
            let again = try Checkout.headroom(
                ["opportunities", "--repo", repository.path, "--service", "svc", "--format", "json", "--database", url])
            try #require(again.succeeded, "\(again.stderr)")
            #expect(try ids(again.stdout) == (try ids(answers[1])) && !(try ids(again.stdout)).isEmpty)
            let listed = try Checkout.headroom(["opportunities", "--format", "json", "--database", url])
            #expect(try ids(listed.stdout) == (try ids(answers[1])), "\(listed.stdout)")
            let text = try Checkout.headroom(["opportunities", "--database", url])
            #expect(text.succeeded && text.stdout.contains("regex-compile"), "\(text.stdout)\(text.stderr)")
            let calibration = try Checkout.headroom(["opportunities", "--calibration", "--database", url])
            #expect(calibration.succeeded && calibration.stdout.contains("regex-compile"), "\(calibration.stderr)")
        }
    }

    @Test("worker --database: a round of scans, one job per service and round; a repository not here fails it")
    func workerScans() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let repository = try ScratchRepository()
        defer { repository.directory.cleanup() }
        try repository.commit(["svc.py": Self.source], message: "svc")
        let elsewhere = try ScratchRepository()
        try elsewhere.commit(["svc.py": Self.source], message: "svc elsewhere")
        let start: Int64 = 1_793_606_400
        try await TeamWorkerTests.withTeam { team, url in
            for service in ["svc", "far"] {
                for profile in try Self.profiles(dir, start: start) {
                    let run = try Checkout.headroom(
                        ["ingest", profile.path, "--service", service, "--at", "\(profile.at)", "--database", url])
                    try #require(run.succeeded, "\(run.stderr)")
                }
            }
            // `far`'s repository was registered from another machine: its folder is not here.
            for (path, service) in [(repository.path, "svc"), (elsewhere.path, "far")] {
                let run = try Checkout.headroom(
                    ["changes", "import", "--repo", path, "--service", service, "--database", url])
                try #require(run.succeeded, "\(run.stderr)")
            }
            elsewhere.directory.cleanup()

            let worker = try Checkout.headroom(["worker", "--once", "--database", url, "--rescan-every", "3600"])
            try #require(worker.succeeded, "\(worker.stderr)")
            // Two detections and `svc`'s scan; `far`'s scan is passed on untried, for a worker with its folder.
            #expect(worker.stdout.contains("ran 3 jobs"), "\(worker.stdout)")
            let jobs = try await team[0].queue.jobs(state: nil, limit: 20).filter {
                $0.kind == TeamWorker.scanKind
            }
            let svc = try #require(jobs.first { $0.subject.hasPrefix("svc@") }, "\(jobs)")
            #expect(svc.state == .done && svc.reason.contains("opportunities found in"), "\(svc.reason)")
            let far = try #require(jobs.first { $0.subject.hasPrefix("far@") }, "\(jobs)")
            #expect(
                far.state == .queued && far.attempts == 0 && far.reason.contains("passed on by")
                    && far.reason.contains("is on this worker (registered at"), "\(far.reason)")
            let stored = try await team[1].profiles.opportunities(service: "svc")
            #expect(stored.contains { $0.pattern == "regex-compile" && $0.shareBasis == "source-lines" }, "\(stored)")
            #expect(try await team[1].profiles.opportunities(service: "far").isEmpty)
            // A worker that has the folder (the machine it was registered from: here, the path cloned again) takes
            // the job and scans it.
            try #require(try Shell.run(["git", "clone", "-q", repository.path, elsewhere.path]).succeeded)
            defer { elsewhere.directory.cleanup() }
            let other = try Checkout.headroom(["worker", "--once", "--database", url, "--rescan-every", "3600"])
            #expect(other.succeeded && other.stdout.contains("ran 1 job"), "\(other.stdout)\(other.stderr)")
            let scanned = try await team[0].queue.jobs(state: nil, limit: 20).first { $0.id == far.id }
            #expect(scanned?.state == .done && scanned?.attempts == 1, "\(String(describing: scanned))")
            #expect(try await !team[1].profiles.opportunities(service: "far").isEmpty)

            // The same round again: its jobs exist, nothing more runs (a round is one job per service however
            // many workers queue it).
            let again = try Checkout.headroom(["worker", "--once", "--database", url, "--rescan-every", "3600"])
            #expect(again.succeeded && again.stdout.contains("ran 0 jobs"), "\(again.stdout)\(again.stderr)")
            let none = try Checkout.headroom(["worker", "--once", "--database", url, "--rescan-every", "0"])
            #expect(none.succeeded && none.stdout.contains("ran 0 jobs"), "\(none.stdout)")
        }
    }

    static func opportunity(
        _ function: String, service: String = "svc", repository: String = "/src/svc", savings: Double,
        blocked: String? = nil, line: Int = 10
    ) -> Opportunity {
        Opportunity(
            service: service, function: function, file: "svc.py", line: line, pattern: "memoize", skill: "memoize",
            share: savings / 10, shareBasis: "function-total", cores: savings * 2, watts: savings * 20,
            savingsCores: savings, savingsWatts: savings * 10, detail: "pure, called in a loop", blocked: blocked,
            repository: repository, evidence: ["\(function) is hot"], validationCriteria: ["tests pass"])
    }

    @Test("the opportunity store on both engines: ids stable across scans, vanished ones removed, ranked alike")
    func storeOnBothEngines() async throws {
        try await TeamWorkerTests.withTeam { team, _ in
            let engines: [(String, any OpportunityStore)] = [
                ("sqlite", try Store.open(path: ":memory:")), ("postgres", TeamStore(profiles: team[0].profiles)),
            ]
            var answers: [[String]] = []
            for (name, store) in engines {
                let answer = try await AsyncBridge.onOwnThread { () throws -> [String] in
                    var seen: [String] = []
                    func names(_ list: [Opportunity]) -> String {
                        list.map { "\($0.function):\($0.savingsCores):\($0.line)" }.joined(separator: ",")
                    }
                    let first = try store.replaceOpportunities(
                        service: "svc", repository: "/src/svc",
                        with: [
                            Self.opportunity("a", savings: 2), Self.opportunity("b", savings: 5),
                            Self.opportunity("c", savings: 9, blocked: "too small"),
                        ])
                    let other = try store.replaceOpportunities(
                        service: "other", repository: "/src/other",
                        with: [Self.opportunity("z", service: "other", repository: "/src/other", savings: 1)])
                    // Blocked last, then by savings.
                    seen.append(names(try store.opportunities(service: "svc")))
                    #expect(seen.last == "b:5.0:10,a:2.0:10,c:9.0:10", "\(name)")
                    // A rescan: `a` moved and saves more, `c` is gone; ids stay, `c` is removed.
                    let second = try store.replaceOpportunities(
                        service: "svc", repository: "/src/svc",
                        with: [Self.opportunity("a", savings: 7, line: 12), Self.opportunity("b", savings: 5)])
                    #expect(second.map(\.id) == first.prefix(2).map(\.id), "\(name)")
                    seen.append(names(try store.opportunities(service: "svc")))
                    #expect(seen.last == "a:7.0:12,b:5.0:10", "\(name)")
                    let removed = try #require(first[2].id)
                    #expect(throws: HeadroomError.self) { _ = try store.opportunity(id: removed) }
                    let a = try store.opportunity(id: try #require(first[0].id))
                    #expect(
                        a.evidence == ["a is hot"] && a.validationCriteria == ["tests pass"] && a.skill == "memoize")
                    // Another service's scan is untouched; all services list together.
                    #expect(try store.opportunities(service: "other").map(\.id) == other.map(\.id))
                    seen.append(names(try store.opportunities(service: nil)))
                    #expect(seen.last == "a:7.0:12,b:5.0:10,z:1.0:10", "\(name)")
                    // An empty scan of another repository of the service leaves this repository's alone.
                    _ = try store.replaceOpportunities(service: "svc", repository: "/src/elsewhere", with: [])
                    seen.append(names(try store.opportunities(service: "svc")))
                    return seen
                }
                answers.append(answer)
            }
            #expect(answers[0] == answers[1])
        }
    }
}
