import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomSkills
import HeadroomStore
import HeadroomTesting

/// A small repository and store as a delivered fix leaves them: a Python service whose `price` regressed after
/// Alice's commit, the regression with its culprit, an opportunity in the same file, and a delivered patch on its
/// own branch (the edit guards a debug log call). What the delivery surfaces (SARIF, forge, language server) read.
struct DeliveryFixture {
    let dir: TemporaryDirectory
    let repository: String
    let store: Store
    let storePath: String
    let regression: Regression
    let opportunity: Opportunity
    let patch: PatchRecord
    let culprit: String
    let original: String
    let patched: String

    static let original = """
        import logging

        logger = logging.getLogger(__name__)


        def total(lines):
            return sum(line["amount"] for line in lines)


        def price(lines, rules):
            best = 0
            for rule in rules:
                amount = total(lines) * rule["rate"]
                logger.debug(f"rule {rule} amount={amount} lines={lines}")
                best = max(best, amount)
            return best

        """

    static let patched = """
        import logging

        logger = logging.getLogger(__name__)


        def total(lines):
            return sum(line["amount"] for line in lines)


        def price(lines, rules):
            best = 0
            for rule in rules:
                amount = total(lines) * rule["rate"]
                if logger.isEnabledFor(logging.DEBUG):
                    logger.debug(f"rule {rule} amount={amount} lines={lines}")
                best = max(best, amount)
            return best

        """

    static func git(
        _ repository: String, _ arguments: [String], author: (String, String) = ("Alice", "alice@example.com")
    )
        throws -> String
    {
        let env = [
            "GIT_AUTHOR_NAME": author.0, "GIT_AUTHOR_EMAIL": author.1, "GIT_COMMITTER_NAME": author.0,
            "GIT_COMMITTER_EMAIL": author.1,
        ]
        let result = try Shell.run(["git", "-C", repository] + arguments, environment: env)
        guard result.succeeded else { throw HeadroomError(.git, "git \(arguments): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    init(settings: String = "") throws {
        dir = try TemporaryDirectory(prefix: "headroom-delivery")
        let repository = dir.file("shop")
        self.repository = repository
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        let git = { (arguments: [String]) in try Self.git(repository, arguments) }
        _ = try git(["init", "-q", "-b", "main"])
        _ = try git(["config", "commit.gpgsign", "false"])
        let before = Self.original.replacingOccurrences(
            of: "        logger.debug(f\"rule {rule} amount={amount} lines={lines}\")\n", with: "")
        try before.write(toFile: repository + "/app.py", atomically: true, encoding: .utf8)
        try (settings.isEmpty ? "[service]\nname = \"shop\"\n" : settings).write(
            toFile: repository + "/headroom.toml", atomically: true, encoding: .utf8)
        _ = try Self.git(repository, ["add", "."], author: ("Bob", "bob@example.com"))
        _ = try Self.git(repository, ["commit", "-q", "-m", "shop service"], author: ("Bob", "bob@example.com"))
        try Self.original.write(toFile: repository + "/app.py", atomically: true, encoding: .utf8)
        _ = try git(["commit", "-q", "-am", "Pricing: debug logging"])
        culprit = try git(["rev-parse", "HEAD"])
        // The fix's branch, as delivery makes it: one commit on top of the culprit.
        _ = try git(["checkout", "-q", "-b", "headroom/regression-1"])
        try Self.patched.write(toFile: repository + "/app.py", atomically: true, encoding: .utf8)
        _ = try Self.git(
            repository, ["commit", "-q", "-am", "Guard debug logging"], author: ("Headroom", "headroom@localhost"))
        let fixCommit = try git(["rev-parse", "HEAD"])
        let diff = try git(["show", "--format=", "--no-color", "HEAD"])
        _ = try git(["checkout", "-q", "main"])
        original = Self.original
        patched = Self.patched

        storePath = dir.file("headroom.sqlite")
        store = try Store.open(path: storePath)
        _ = try RepositoryRegistry(store: store).register(path: repository, name: "shop", service: "shop")
        regression = try store.replaceRegressions(
            service: "shop",
            with: [
                Regression(
                    service: "shop", function: FunctionRef(name: "price", file: "/srv/shop/app.py"), metric: .selfShare,
                    index: 6, timestamp: 1_790_000_000, previousTimestamp: 1_789_999_940, before: 0.05, after: 0.276,
                    pValue: 1e-12, confidence: 1, kind: .regression)
            ])[0]
        try store.saveCandidates(
            [
                RootCauseCandidate(
                    kind: .commit, ref: culprit, author: "Alice", email: "alice@example.com",
                    message: "Pricing: debug logging", score: 3.2, confidence: 0.92,
                    evidence: ["adds logger.debug inside price's loop"], functions: [])
            ], regression: regression.id!)
        opportunity = try store.replaceOpportunities(
            service: "shop", repository: repository,
            with: [
                Opportunity(
                    service: "shop", function: "total", file: "app.py", line: 6, pattern: "loop-invariant",
                    skill: "hoist-invariant", share: 0.031, shareBasis: "function-total", cores: 31, watts: 310,
                    savingsCores: 15.5, savingsWatts: 155, detail: "total(lines) recomputed per rule", blocked: nil,
                    repository: repository, evidence: [], validationCriteria: ["tests pass", "A/B faster"])
            ])[0]
        let edit = SourceEdit(
            path: "app.py", original: Self.original, patched: Self.patched, function: "price", span: 10...16,
            summary: ["guard the debug call with isEnabledFor"])
        let description = dir.file("headroom-regression-1.md")
        try "# Fix CPU regression in price\n\nHeadroom traced it to Alice's change.\n".write(
            toFile: description, atomically: true, encoding: .utf8)
        patch = try store.savePatch(
            PatchRecord(
                regressionID: regression.id, skill: "log-guard", repository: repository, path: "app.py",
                function: "price", culprit: culprit, branch: "headroom/regression-1", baseCommit: culprit,
                commit: fixCommit, diff: diff, summary: edit.summary,
                editJSON: String(decoding: try JSONEncoder().encode(edit), as: UTF8.self), prDescription: description,
                status: .delivered, reason: nil,
                validation: ValidationResult(
                    testsPassed: true, speedup: 2.9, ci95: [2.8, 3.0], pValue: 3e-5, beforeSeconds: [0.3, 0.31],
                    afterSeconds: [0.1, 0.11], alpha: 0.05, minimumSpeedup: 1.03)))
    }

    func cleanup() { dir.cleanup() }

    /// Replaces the fixture's regression with a live one: profiles a minute before and after an onset a few minutes
    /// from now (the fixture's commits were made just now), the history imported and the culprit deployed just
    /// before the onset, so ranking finds it. Returns the regression and its onset.
    func liveRegression(file: String? = nil) throws -> (regression: Regression, onset: Int64) {
        var options = ProfileReadOptions()
        options.format = .folded
        let onset = (Int64(Date().timeIntervalSince1970) / 60 + 3) * 60
        for (at, text) in [(onset - 120, "main;price 5\nmain;total 5\n"), (onset + 60, "main;price 30\n")] {
            try ProfileIngestor(store: store).ingest(
                data: Data(text.utf8), source: "t\(at)", service: "shop", at: at, options: options)
        }
        _ = try ChangeHistoryService(store: store).importRepository(repository, service: "shop")
        try store.addDeploy(Deploy(service: "shop", commit: culprit, time: onset - 30))
        let regression = try store.replaceRegressions(
            service: "shop",
            with: [
                Regression(
                    service: "shop", function: FunctionRef(name: "price", file: file), metric: .selfShare, index: 2,
                    timestamp: onset, previousTimestamp: onset - 60, before: 0.5, after: 1, pValue: 1e-12,
                    confidence: 1, kind: .regression)
            ])[0]
        return (regression, onset)
    }
}
