import HeadroomChanges
import HeadroomCore
import HeadroomRootCause
import HeadroomTesting
import Testing

@Suite("changes and root cause")
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
        try repo.commit(["m.py": "def a():\n    return 1\n\n\ndef b():\n    return 2\n\n\nclass C:\n    def m(self):\n        return 3\n"],
                        message: "start")
        try repo.commit(["m.py": "def a():\n    return 10\n\n\nclass C:\n    def m(self):\n        return 3\n\n    def n(self):\n        return 4\n"],
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
        #expect(throws: HeadroomError.self) { try Git(path: dir.path) }
    }

    @Test("the commit that changed the regressed function outranks a same-file commit deployed with it")
    func ranksCulprit() {
        func commit(_ sha: String, _ author: String, _ time: Int64, _ functions: [String], file: String = "shop/pricing.py",
                    text: String = "x = 1") -> Commit
        {
            Commit(sha: sha, author: author, email: "\(author)@x", time: time, message: "m \(sha)", files: [file],
                   functions: functions.map { ChangedFunction(file: file, name: $0, change: .modified, linesAdded: 1, linesRemoved: 0) },
                   addedText: text, linesAdded: 1, linesRemoved: 0)
        }
        let commits = [
            commit("a1", "alice", 0, ["format_price"]),
            commit("b2", "frank", 100, ["apply_discounts"], text: "logger.debug(f\"{x}\")"),
            commit("c3", "carol", 200, ["format_price"]),
            commit("d4", "bob", 300, ["search"], file: "shop/catalog.py"),
        ]
        // One deploy carries b2 and c3 together; the regression starts in the next bucket.
        let deploys = [Deploy(service: "shop", commit: "a1", time: 1000), Deploy(service: "shop", commit: "c3", time: 5000),
                       Deploy(service: "shop", commit: "d4", time: 9000)]
        let regression = Regression(
            id: 1, service: "shop", function: FunctionRef(name: "apply_discounts", file: "shop/pricing.py"),
            metric: .selfShare, index: 2, timestamp: 5100, previousTimestamp: 1100, before: 0.04, after: 0.25,
            pValue: 1e-20, confidence: 1, kind: .regression)
        let ranked = RootCauseRanker().rank(regression: regression, commits: commits, deploys: deploys)
        #expect(ranked.first?.ref == "b2")
        #expect(ranked.first?.author == "frank")
        #expect(ranked.dropFirst().first?.ref == "c3")
        #expect(ranked.first?.evidence.first?.contains("apply_discounts") == true)
        #expect(!ranked.contains { $0.ref == "a1" && $0.score > ranked[1].score })
    }
}
