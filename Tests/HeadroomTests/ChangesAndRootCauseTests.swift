import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomEngine
import HeadroomRootCause
import HeadroomSource
import HeadroomTesting
import Testing

@Suite("changes and root cause", .ownThreads)
struct ChangesAndRootCauseTests {
    @Test("zero-context diffs give added and removed line numbers per file")
    func parsesDiff() {
        let diff = """
            diff --git a/x.py b/x.py
            index 1..2 100644
            --- a/x.py
            +++ b/x.py
            @@ -3,0 +4,2 @@ def f():
            +    a = 1
            +    b = 2
            @@ -10 +12 @@ def g():
            -    return 1
            +    return 2
            diff --git a/img.png b/img.png
            Binary files a/img.png and b/img.png differ
            """
        let files = UnifiedDiff.parse(diff)
        #expect(files.count == 2)
        #expect(files[0].addedLines == [4, 5, 12])
        #expect(files[0].removedLines == [10])
        #expect(files[1].isBinary)
    }

    @Test("commit import names the functions each commit added, modified and removed")
    func importsChangedFunctions() throws {
        let repo = try ScratchRepository()
        defer { repo.directory.cleanup() }
        try repo.commit(
            [
                "m.py":
                    "def a():\n    return 1\n\n\ndef b():\n    return 2\n\n\nclass C:\n    def m(self):\n        return 3\n"
            ],
            message: "start")
        try repo.commit(
            [
                "m.py":
                    "def a():\n    return 10\n\n\nclass C:\n    def m(self):\n        return 3\n\n    def n(self):\n        return 4\n"
            ],
            message: "change", author: "Dana Kim", time: 1_793_610_000)
        let commits = try CommitImporter(git: Git(path: repo.path)).importCommits()
        #expect(commits.count == 2)
        let change = commits[1]
        #expect(change.author == "Dana Kim")
        #expect(change.time == 1_793_610_000)
        let byName = Dictionary(uniqueKeysWithValues: change.functions.map { ($0.name, $0.change) })
        #expect(byName["a"] == .modified)
        #expect(byName["b"] == .removed)
        #expect(byName["C.n"] == .added)
        #expect(byName["C.m"] == nil)
    }

    @Test("not a git repository is one clear error")
    func notARepository() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        #expect(errorCode { _ = try Git(path: dir.path) } == .git)
    }

    @Test("the commit that changed the regressed function outranks a same-file commit deployed with it")
    func ranksCulprit() {
        func commit(
            _ sha: String, _ author: String, _ functions: [String], file: String = "shop/pricing.py",
            text: [String] = ["x = 1"]
        ) -> Commit {
            Commit(
                sha: sha, author: author, email: "\(author)@x", time: 0, message: "m \(sha)", files: [file],
                functions: functions.map {
                    ChangedFunction(
                        file: file, name: $0, change: .modified, linesAdded: 1, linesRemoved: 0, addedText: text)
                },
                addedText: text.joined(separator: "\n"), linesAdded: 1, linesRemoved: 0)
        }
        let deploy = Deploy(service: "shop", commit: "c3", time: 5000)
        let regression = Regression(
            id: 1, service: "shop", function: FunctionRef(name: "apply_discounts", file: "shop/pricing.py"),
            metric: .selfShare, index: 2, timestamp: 5100, previousTimestamp: 1100, before: 0.04, after: 0.25,
            pValue: 1e-20, confidence: 1, kind: .regression)
        let changes = [
            LiveChange(
                commit: commit("b2", "frank", ["apply_discounts"], text: ["logger.debug(f\"{x}\")"]),
                liveAt: 5000, deploy: deploy, deploySize: 2),
            LiveChange(commit: commit("c3", "carol", ["format_price"]), liveAt: 5000, deploy: deploy, deploySize: 2),
            LiveChange(
                commit: commit("a1", "alice", ["format_price"]), liveAt: 900,
                deploy: Deploy(service: "shop", commit: "a1", time: 900), deploySize: 1),
        ]
        let ranked = RootCauseRanker().rank(
            RootCauseContext(regression: regression, bucketSeconds: 60, changes: changes))
        #expect(ranked.map(\.ref) == ["b2", "c3", "a1"])
        #expect(ranked[0].author == "frank")
        #expect(ranked[0].evidence.first?.contains("apply_discounts") == true)
        #expect(ranked[0].evidence.contains { $0.contains("logging code") })
        #expect(ranked[0].confidence > ranked[1].confidence)
    }

    /// A helper `g` called from three steps; only the path through `f` rises.
    func calleeStacks(rise: Double) -> (Regression, StackAttribution) {
        let main = FunctionRef(name: "main", file: "app.py")
        let steps = ["f", "h", "k"].map { FunctionRef(name: $0, file: "svc/steps.py") }
        let g = FunctionRef(name: "g", file: "svc/util.py")
        let before = StackWindow(
            total: 3000, stacks: steps.map { ([main, $0, g], 300) } + steps.map { ([main, $0], 700) })
        var afterStacks = steps.map { ([main, $0, g], Int64(300)) } + steps.map { ([main, $0], Int64(700)) }
        afterStacks[0].1 = Int64(300 * rise)
        let after = StackWindow(total: afterStacks.reduce(0) { $0 + $1.1 }, stacks: afterStacks)
        let regression = Regression(
            id: 2, service: "svc", function: g, metric: .selfShare, index: 3, timestamp: 1000, previousTimestamp: 400,
            before: 0.3, after: 0.4, pValue: 1e-9, confidence: 1, kind: .regression)
        return (regression, StackAttribution(regression: regression, before: before, after: after))
    }

    @Test("a caller that calls a shared helper more outranks an innocent edit of the helper itself")
    func callerOutranksCallee() {
        let (regression, attribution) = calleeStacks(rise: 3)
        #expect((attribution.uniformity { $0.name == "g" } ?? 1) < 0.6)
        #expect(attribution.share { $0.name == "f" } > 0.99)
        let deploy = Deploy(service: "svc", commit: "c", time: 800)
        func change(_ sha: String, _ file: String, _ name: String, _ text: [String]) -> LiveChange {
            LiveChange(
                commit: Commit(
                    sha: sha, author: sha, email: "", time: 0, message: sha, files: [file],
                    functions: [
                        ChangedFunction(
                            file: file, name: name, change: .modified, linesAdded: 1,
                            linesRemoved: 1, addedText: text)
                    ],
                    addedText: "", linesAdded: 1, linesRemoved: 1),
                liveAt: 800, deploy: deploy, deploySize: 2)
        }
        let ranked = RootCauseRanker().rank(
            RootCauseContext(
                regression: regression, bucketSeconds: 60,
                changes: [
                    change("decoy", "svc/util.py", "g", ["    total += item * 4"]),
                    change("culprit", "svc/steps.py", "f", ["    for _ in range(8):", "        g(order)"]),
                ],
                attribution: attribution))
        #expect(ranked.first?.ref == "culprit")
        #expect(ranked.last?.evidence.contains { $0.contains("only some of its callers rose") } == true)
    }

    @Test("a configuration change of a key the regressed function reads outranks code decoys touching it")
    func configCulprit() {
        let f = FunctionRef(name: "apply_rules", file: "svc/pricing.py")
        let regression = Regression(
            id: 3, service: "svc", function: f, metric: .selfShare, index: 3, timestamp: 1000, previousTimestamp: 400,
            before: 0.02, after: 0.04, pValue: 1e-9, confidence: 1, kind: .regression)
        let deploy = Deploy(service: "svc", commit: "d", time: 800)
        let decoy = LiveChange(
            commit: Commit(
                sha: "d", author: "Dee", email: "", time: 0, message: "Docs", files: ["svc/pricing.py"],
                functions: [
                    ChangedFunction(
                        file: "svc/pricing.py", name: "apply_rules", change: .modified,
                        linesAdded: 1, linesRemoved: 0, addedText: ["    # see docs"])
                ],
                addedText: "", linesAdded: 1, linesRemoved: 0),
            liveAt: 800, deploy: deploy, deploySize: 1)
        let config = LiveChange(
            commit: Commit(
                sha: "cfg", kind: .config, service: "svc", author: "Cy", email: "", time: 900,
                message: "Raise the limit", files: ["svc.yaml"], functions: [],
                configKeys: [
                    ConfigKeyChange(
                        file: "svc.yaml", key: "svc.limits.max_rules", oldValue: "10",
                        newValue: "500")
                ],
                addedText: "", linesAdded: 1, linesRemoved: 1),
            liveAt: 900, deploy: nil, deploySize: 0)
        let code = [f: "def apply_rules(order):\n    limit = CONFIG[\"max_rules\"]\n    return order[:limit]"]
        let ranked = RootCauseRanker().rank(
            RootCauseContext(
                regression: regression, bucketSeconds: 60, changes: [decoy, config], code: code))
        #expect(ranked.first?.ref == "cfg")
        #expect(ranked.first?.kind == .config)
        #expect(ranked.first?.evidence.first?.contains("`svc.limits.max_rules` 10 → 500") == true)
    }

    @Test("import records hunks, renames, config keys, merges, binary and non-UTF-8 paths")
    func importsEverything() throws {
        let repo = try ScratchRepository()
        defer { repo.directory.cleanup() }
        let body = "    y = x + 1\n    z = y * 2\n    return z\n"
        try repo.commit(
            [
                "m.py": "def helper(x):\n" + body, "conf.json": "{\"pricing\": {\"limit\": 10}}",
                "c.yaml": "a:\n  b: 1\n", "c.toml": "[t]\ny = 1\n", "c.ini": "[s]\nk = 1\n",
                "s.swift": "struct Cart {\n    func total() -> Int {\n        return 1\n    }\n}\n",
            ],
            message: "start")
        let binary = repo.directory.file("blob.bin")
        try Data([0, 1, 2, 0x1e, 0x1f, 0, 255]).write(to: URL(fileURLWithPath: binary))
        try repo.commit(
            [
                "m.py": "def helper_renamed(x):\n" + body, "conf.json": "{\"pricing\": {\"limit\": 1000}}",
                "c.yaml": "a:\n  b: 2\n", "c.toml": "[t]\ny = 2\n", "c.ini": "[s]\nk = 2\n",
                "s.swift": "struct Cart {\n    func total() -> Int {\n        return 2\n    }\n}\n",
                "caf\u{e9}.py": "x = 1\n",
            ],
            message: "change")
        try repo.git(["checkout", "-q", "-b", "side"])
        try repo.commit(["side.py": "def s():\n    return 1\n"], message: "side")
        try repo.git(["checkout", "-q", "main"])
        try repo.commit(["n.py": "x = 1\n"], message: "n")
        try repo.git(["merge", "-q", "--no-edit", "side"])
        let commits = try CommitImporter(git: Git(path: repo.path)).importCommits()
        #expect(commits.count == 5)
        let change = try #require(commits.first { $0.message == "change" })
        let renamed = try #require(change.functions.first { $0.name == "helper_renamed" })
        #expect(renamed.change == .renamed)
        #expect(renamed.previousName == "helper")
        #expect(change.functions.contains { $0.name == "Cart.total" && $0.file == "s.swift" })
        let keys = Dictionary(uniqueKeysWithValues: change.configKeys.map { ($0.key, $0.newValue ?? "") })
        #expect(keys == ["pricing.limit": "1000", "a.b": "2", "t.y": "2", "s.k": "\"2\""])
        #expect(change.files.contains("blob.bin"))
        #expect(change.files.contains("caf\u{e9}.py"))
        #expect(change.hunks.contains { $0.file == "m.py" && $0.functions.contains("helper_renamed") })
        let merge = try #require(commits.last)
        #expect(merge.isMerge && merge.functions.isEmpty)
        // Incremental: nothing new the second time.
        let again = try CommitImporter(git: Git(path: repo.path)).importCommits(known: Set(commits.map(\.sha)))
        #expect(again.isEmpty)
    }

    @Test("a shallow clone is refused with one clear error")
    func shallowClone() throws {
        let repo = try ScratchRepository()
        defer { repo.directory.cleanup() }
        try repo.commit(["a.py": "x = 1\n"], message: "one")
        try repo.commit(["a.py": "x = 2\n"], message: "two", time: 1_793_610_000)
        let clone = try TemporaryDirectory()
        defer { clone.cleanup() }
        _ = try Shell.run(["git", "clone", "-q", "--depth", "1", "file://" + repo.path, clone.path + "/c"])
        #expect(errorCode { _ = try CommitImporter(git: Git(path: clone.path + "/c")).importCommits() } == .git)
    }

    @Test("deploy files: header, times in order per service, one error line naming the line")
    func deployFiles() throws {
        let rows = try DeployCSV.parse(
            "timestamp,service,commit\n2026-11-02T10:00:00Z,shop,abc1234\n1793613600,shop,def5678\n",
            name: "d.csv")
        #expect(rows.map(\.line) == [2, 3])
        #expect(
            errorCode {
                _ = try DeployCSV.parse(
                    "timestamp,service,commit\n1793613600,shop,a\n1793606400,shop,b\n", name: "d.csv")
            } == .badInput)
        do {
            _ = try DeployCSV.parse("time,svc\n1,a\n", name: "d.csv")
            Issue.record("expected an error")
        } catch let error as HeadroomError {
            #expect(error.message.hasPrefix("d.csv:1:"))
        }
    }

    @Test("the brace scanner finds Swift functions past strings, comments and closures")
    func braceScanner() {
        let source = """
            struct Cart {
                var items: [Int] = []
                /* a { in a comment */
                func total() -> Int {
                    let s = "}"
                    return items.map { $0 * 2 }.reduce(0, +)
                }
                var count: Int { items.count }
            }
            extension Cart {
                init(one: Int) { self.items = [one] }
            }
            func top() { print("{") }
            """
        let spans = BraceScanner.functions(source: source, language: .swift)
        #expect(spans.map(\.name) == ["Cart.total", "Cart.count", "Cart.init", "top"])
        #expect(spans.first == FunctionSpan(name: "Cart.total", start: 4, end: 7))
    }

    @Test("bisect finds the first commit that measures worse, with repetitions and a significance test")
    func bisects() throws {
        let repo = try ScratchRepository()
        defer { repo.directory.cleanup() }
        var shas: [String] = []
        for i in 0..<7 {
            shas.append(
                try repo.commit(
                    ["cost.txt": i >= 4 ? "2.0\n" : "1.0\n", "note.txt": "\(i)\n"],
                    message: "c\(i)", time: 1_793_606_400 + Int64(i) * 60))
        }
        let command = "python3 -c \"import random; print(float(open('cost.txt').read()) + random.random() * 0.2)\""
        let outcome = try Bisector(command: command, repetitions: 8).bisect(
            repository: repo.path, good: shas[0], bad: shas[6])
        #expect(outcome.culprit == shas[4])
        #expect(outcome.pValue < 0.01)
        #expect(try repo.git(["status", "--porcelain"]).isEmpty)  // the user's checkout is untouched
        let flat = try Bisector(command: "echo 1", repetitions: 5).bisect(
            repository: repo.path, good: shas[0], bad: shas[3])
        #expect(flat.culprit == nil)
    }

    @Test("CLI: changes import is incremental; deploy files with unknown commits or out-of-order times change nothing")
    func cliImports() throws {
        let repo = try ScratchRepository()
        defer { repo.directory.cleanup() }
        let a = try repo.commit(["m.py": "def f():\n    return 1\n"], message: "one")
        let b = try repo.commit(["m.py": "def f():\n    return 2\n"], message: "two", time: 1_793_610_000)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let first = try Checkout.headroom(["changes", "import", "--repo", repo.path, "--store", store])
        #expect(first.succeeded && first.stdout.contains("2 new"))
        let second = try Checkout.headroom(["changes", "import", "--repo", repo.path, "--store", store])
        #expect(second.succeeded && second.stdout.contains("imported 0 commits"))
        let bad = try dir.write(
            "bad.csv", "timestamp,service,commit\n1793606400,shop,\(a)\n1793610000,shop,0123456789abc\n")
        let unknown = try Checkout.headroom(["deploys", "import", bad, "--store", store])
        #expect(!unknown.succeeded)
        #expect(unknown.stderr.contains("bad.csv:3:") && unknown.stderr.split(separator: "\n").count == 1)
        let late = try dir.write(
            "late.csv", "timestamp,service,commit\n1793610000,shop,\(b)\n1793606400,shop,\(a.prefix(8))\n")
        #expect(!(try Checkout.headroom(["deploys", "import", late, "--store", store])).succeeded)
        let good = try dir.write(
            "good.csv", "timestamp,service,commit\n1793606400,shop,\(a.prefix(8))\n1793610000,shop,\(b)\n")
        let imported = try Checkout.headroom(["deploys", "import", good, "--store", store])
        #expect(imported.succeeded && imported.stdout.contains("2 new"))
        let again = try Checkout.headroom(["deploys", "import", good, "--store", store])
        #expect(again.succeeded && again.stdout.contains("0 new"))
        let notRepo = try Checkout.headroom(["changes", "import", "--repo", dir.path, "--store", store])
        #expect(!notRepo.succeeded && notRepo.stderr.contains("not a git repository"))
    }
}
