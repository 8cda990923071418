import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomEngine
import HeadroomStore
import HeadroomTesting
import Testing

/// Personal queues: CODEOWNERS, else the recent authors of the function's lines; culprit authors and reviewers.
@Suite("inbox and ownership", .ownThreads)
struct InboxTests {
    @Test("CODEOWNERS patterns: anchoring, folders, globs; the last match wins; an empty owner list un-owns")
    func codeOwners() {
        let file = CodeOwners(
            text: """
                # comment
                *                 @org/everyone
                *.py              @py-team
                /billing/         carol@example.com @carol
                docs/*            @writers
                **/generated/**
                [Section]
                """)
        #expect(file.owners(of: "README.md")?.owners == ["@org/everyone"])
        #expect(file.owners(of: "shop/app.py")?.owners == ["@py-team"])
        #expect(file.owners(of: "billing/tax/rates.py")?.owners == ["carol@example.com", "@carol"])
        #expect(file.owners(of: "shop/billing/x.py")?.owners == ["@py-team"])  // anchored at the root only
        #expect(file.owners(of: "docs/intro.md")?.owners == ["@writers"])
        #expect(file.owners(of: "docs/deep/intro.md")?.owners == ["@org/everyone"])  // `*` stays in one segment
        #expect(file.owners(of: "src/generated/api.py") == nil)  // matched last, with nobody
    }

    @Test("the inbox: culprit authors, CODEOWNERS, else blame; fixes and opportunities; ranked by cores")
    func inbox() throws {
        let repo = try ScratchRepository()
        defer { repo.directory.cleanup() }
        try repo.commit(
            [
                "shop/pricing.py":
                    "def price(cart):\n    total = 0\n    for item in cart:\n        total += item\n    return total\n",
                "shop/search.py": "def search(q):\n    return q\n",
            ], message: "start", author: "Dana Lee")
        // Carol rewrote most of search; CODEOWNERS gives pricing.py to @pricing.
        try repo.commit(
            ["shop/search.py": "def search(q):\n    q = q.lower()\n    hits = [q]\n    return hits\n"],
            message: "search", author: "Carol Ames", time: 1_793_700_000)
        try repo.commit(
            [".github/CODEOWNERS": "shop/pricing.py @pricing\n"], message: "owners", author: "Dana Lee",
            time: 1_793_800_000)
        let store = try Store.open(path: ":memory:")
        _ = try store.registerRepository(root: repo.path, name: "shop", service: "shop")
        let regressions = try store.replaceRegressions(
            service: "shop",
            with: [
                Regression(
                    service: "shop", function: FunctionRef(name: "search", file: "shop/search.py"), metric: .selfShare,
                    index: 5, timestamp: 6000, previousTimestamp: 5940, before: 0.01, after: 0.05, pValue: 1e-9,
                    confidence: 1, kind: .regression),
                Regression(
                    service: "shop", function: FunctionRef(name: "price", file: "/srv/shop/pricing.py"),
                    metric: .selfShare, index: 5, timestamp: 6000, previousTimestamp: 5940, before: 0.01, after: 0.2,
                    pValue: 1e-9, confidence: 1, kind: .regression),
            ])
        // The pricing regression's culprit is Erin's commit.
        try store.saveCandidates(
            [
                RootCauseCandidate(
                    kind: .commit, ref: "feedfacecafe", author: "Erin Wu", email: "erin@example.com",
                    message: "slower price", score: 3, confidence: 0.9, evidence: [], functions: [])
            ], regression: regressions[1].id!)
        let service = InboxService(store: store, costs: CostModel(fleetCores: 100))

        // Carol: the search regression, by blame (3 of 4 lines).
        let carol = try service.inbox(for: "carol.ames@example.com")
        #expect(carol.regressions.map(\.function) == ["search"])
        #expect(carol.regressions.first?.because == "blame: 3 of 4 lines of search in shop/search.py")
        #expect(carol.regressions.first.map { abs($0.cores - 4) < 1e-9 } == true)  // 0.04 × 100 cores
        #expect(try service.inbox(for: "Carol Ames").regressions.count == 1)  // by name too
        // Dana wrote 1 of 4 search lines: a quarter, so hers too; pricing.py is @pricing's by CODEOWNERS.
        #expect(try service.inbox(for: "dana.lee@example.com").regressions.map(\.function) == ["search"])
        let team = try service.inbox(for: "@pricing")
        #expect(team.regressions.map(\.function) == ["price"])
        #expect(team.regressions.first?.because.hasPrefix(".github/CODEOWNERS: shop/pricing.py") == true)
        // Erin caused the pricing regression; she sees it and the fix for it.
        var fix = PatchRecord(
            regressionID: regressions[1].id!, skill: "memoize", repository: repo.path, path: "shop/pricing.py",
            function: "price", branch: "headroom/r2", baseCommit: "HEAD", diff: "-", prDescription: nil,
            status: .delivered, reason: nil,
            validation: ValidationResult(
                testsPassed: true, speedup: 2, ci95: [1.9, 2.1], pValue: 1e-6, beforeSeconds: [2], afterSeconds: [1],
                alpha: 0.05, minimumSpeedup: 1.03))
        fix = try store.savePatch(fix)
        let erin = try service.inbox(for: "erin@example.com")
        #expect(
            erin.regressions.map(\.function) == ["price"] && erin.regressions.first?.because.contains("culprit") == true
        )
        #expect(erin.patches.map(\.id) == [fix.id!])
        #expect(erin.patches.first.map { abs($0.cores - 10) < 1e-9 } == true)  // its share 0.2 × 100 cores × (1 − 1/2)
        // Silenced regressions leave the inbox; nobody else sees Carol's work.
        _ = try TriageService(store: store).decide(regression: regressions[0].id!, verdict: .acknowledged)
        #expect(try service.inbox(for: "carol.ames@example.com").regressions.isEmpty)
        #expect(
            try service.inbox(for: "nobody@example.com")
                == InboxReport(
                    person: "nobody@example.com", regressions: [], patches: [], opportunities: []))
    }
}
