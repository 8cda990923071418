import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomSkills
import HeadroomStore
import HeadroomTesting
import Testing

/// The learning sweep on planted look-alikes (Tests/Fixtures/sweep): after a str-join patch is applied, every
/// registered repository is searched; the planted look-alikes are filed, the near misses listed as blocked with their
/// reason, and code of another shape (arithmetic, one concatenation, another pattern) is left alone.
@Suite(.ownThreads) struct LearningSweepTests {
    static let fixtures = (Checkout.root as NSString).appendingPathComponent("Tests/Fixtures/sweep")

    /// A git repository holding a copy of `folder`, plus `extra` files.
    private func repository(_ root: TemporaryDirectory, _ name: String, copying folder: String, extra: [String: String])
        throws -> String
    {
        let path = root.file(name)
        try FileManager.default.copyItem(atPath: folder, toPath: path)
        for (file, text) in extra {
            let target = (path as NSString).appendingPathComponent(file)
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: target, atomically: true, encoding: .utf8)
        }
        _ = try DeliveryFixture.git(path, ["init", "-q", "-b", "main"])
        _ = try DeliveryFixture.git(path, ["add", "-A"])
        _ = try DeliveryFixture.git(path, ["-c", "commit.gpgsign=false", "commit", "-qm", "fixture"])
        return path
    }

    @Test func plantedLookAlikesAreFiledAndNearMissesBlocked() throws {
        let root = try TemporaryDirectory(prefix: "headroom-sweep")
        defer { root.cleanup() }
        let patched = """
            def export(rows):
                out = ""
                for row in rows:
                    out += row["sku"]
                    out += "\\n"
                return out
            """
        let ledger = try repository(
            root, "ledger", copying: Self.fixtures + "/ledger", extra: ["reports/csv.py": patched])
        let other = try repository(root, "other", copying: Self.fixtures + "/other", extra: [:])
        let store = try Store.open(path: ":memory:")
        let registry = RepositoryRegistry(store: store)
        _ = try registry.register(path: ledger, name: "ledger", service: "billing")
        _ = try registry.register(path: other, name: "ingest")
        let base = try DeliveryFixture.git(ledger, ["rev-parse", "HEAD"])
        let saved = try store.savePatch(
            PatchRecord(
                kind: .opportunity, regressionID: nil, skill: "str-join", repository: ledger, path: "reports/csv.py",
                function: "export", branch: "headroom/str-join-export", baseCommit: base, diff: "", prDescription: nil,
                status: .delivered, reason: nil, validation: nil))
        try store.reviewPatch(id: saved.id!, review: .applied, note: nil)
        let catalog = try SkillCatalog.load(root: (Checkout.root as NSString).appendingPathComponent("Skills"))
        let report = try LearningSweep(store: store, catalog: catalog).sweep(after: saved.id!)

        #expect(report.pattern == "string-concat" && report.shapes == ["string-concat"])
        #expect(report.repositories.sorted() == ["ingest", "ledger"])
        struct Expected: Decodable {
            var skill: String
            var functions: [String: String]
        }
        let expected = try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/expected.json"))
        ).functions
        var outcome: [String: String] = [:]
        for o in report.filed { outcome["\(o.file):\(o.function)"] = o.blocked == nil ? "filed" : "blocked" }
        for key in expected.keys where outcome[key] == nil { outcome[key] = "absent" }
        #expect(outcome == expected, "\(report.filed.map { ($0.file, $0.function, $0.blocked ?? "-") })")
        // The patched function itself is not filed; every filing cites the patch and is unmeasured.
        #expect(!report.filed.contains { $0.file == "reports/csv.py" })
        #expect(report.filed.allSatisfy { $0.shareBasis == "sweep" && $0.evidence[0].contains("patch #\(saved.id!)") })
        #expect(Set(report.filed.map(\.service)) == ["billing", "ingest"])

        // Each look-alike filed unblocked is one the skill's recipe turns into a patch that passes the guardrails.
        for o in report.filed where o.blocked == nil {
            let root = o.service == "billing" ? ledger : other
            let source = try String(contentsOfFile: (root as NSString).appendingPathComponent(o.file), encoding: .utf8)
            let edit = try StrJoinRecipe().apply(
                RecipeInput(repository: root, baseCommit: "HEAD", path: o.file, source: source, function: o.function))
            try Guardrails().check(edit, recipe: StrJoinRecipe())
        }
        // A second sweep files nothing new; a profile-based rescan of the service keeps the sweep's rows.
        #expect(try LearningSweep(store: store, catalog: catalog).sweep(after: saved.id!).filed.isEmpty)
        _ = try store.replaceOpportunities(service: "billing", repository: ledger, with: [])
        #expect(
            try store.opportunities(service: "billing").count == report.filed.filter { $0.service == "billing" }.count)
    }

    /// The server's API apply (`PatchReview` with the skills) sweeps as `review apply` does.
    @Test func theAPIApplySweeps() throws {
        let root = try TemporaryDirectory(prefix: "headroom-sweep")
        defer { root.cleanup() }
        let ledger = try repository(root, "ledger", copying: Self.fixtures + "/ledger", extra: [:])
        let store = try Store.open(path: ":memory:")
        _ = try RepositoryRegistry(store: store).register(path: ledger, name: "ledger", service: "billing")
        let base = try DeliveryFixture.git(ledger, ["rev-parse", "HEAD"])
        let saved = try store.savePatch(
            PatchRecord(
                kind: .opportunity, regressionID: nil, skill: "str-join", repository: ledger,
                path: "ledger/statements.py", function: "statement_lines", branch: "headroom/opportunity-1",
                baseCommit: base, commit: base, diff: "", prDescription: nil, status: .delivered, reason: nil,
                validation: nil))
        let catalog = try SkillCatalog.load(root: (Checkout.root as NSString).appendingPathComponent("Skills"))
        let report = try PatchReview(store: store, catalog: catalog).apply(saved.id!, markOnly: true, note: nil)
        #expect(report.review == .applied)
        let swept = try store.opportunities(service: "billing").filter { $0.shareBasis == "sweep" }
        // The patched function is skipped; the other look-alike and the two near misses are filed.
        #expect(Set(swept.map(\.function)) == ["receipt", "padded", "join_names"], "\(swept.map(\.function))")
    }

    @Test func aPendingPatchIsNotSweptAndARevertHasNoShape() throws {
        let store = try Store.open(path: ":memory:")
        let catalog = try SkillCatalog.load(root: (Checkout.root as NSString).appendingPathComponent("Skills"))
        let pending = try store.savePatch(
            PatchRecord(
                regressionID: nil, skill: "revert-hunk", repository: "/nowhere", branch: nil, baseCommit: "0",
                diff: "", prDescription: nil, status: .delivered, reason: nil, validation: nil))
        #expect(throws: HeadroomError.self) {
            try LearningSweep(store: store, catalog: catalog).sweep(after: pending.id!)
        }
        try store.reviewPatch(id: pending.id!, review: .applied, note: nil)
        let report = try LearningSweep(store: store, catalog: catalog).sweep(after: pending.id!)
        #expect(report.skipped != nil && report.filed.isEmpty)
    }

    /// The same end to end with the real CLI: py-spy profile, resolve, `review apply`, the stored opportunities.
    @Test func endToEndWithTheCLI() async throws {
        let run = try await AsyncBridge.onOwnThread {
            try Shell.run(
                [
                    "python3", (Checkout.root as NSString).appendingPathComponent("Benchmarks/skills/sweep.py"),
                    "--bin", Checkout.binary, "--check",
                ], timeout: 900)
        }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("sweep precision 1.00"))
    }
}
