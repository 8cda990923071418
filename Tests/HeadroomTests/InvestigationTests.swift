import Foundation
import HeadroomAgent
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomSkills
import HeadroomStore
import HeadroomTesting
import Testing

/// `headroom investigate`: an investigation skill's steps walked over the tools, with a person's decisions.
@Suite("guided investigations", .ownThreads)
struct InvestigationTests {
    static let skills = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Skills").path

    /// The delivery fixture with profiles around an onset, its history imported and the culprit deployed.
    static func prepared() throws -> (DeliveryFixture, Regression, ToolRegistry) {
        let fixture = try DeliveryFixture()
        let store = fixture.store
        let regression = try fixture.liveRegression(file: "app.py").regression
        let registry = HeadroomTools.registry(
            ToolContext(store: store, skillsRoot: skills, outputDirectory: fixture.dir.path))
        return (fixture, regression, registry)
    }

    @Test("each step calls its tool, reads the answer, and takes the person's choice; stopping ends the walk")
    func walk() throws {
        let (fixture, regression, registry) = try Self.prepared()
        defer { fixture.cleanup() }
        let skill = try #require(try SkillCatalog.load(root: Self.skills).skill(named: "investigate-regression"))
        let walker = try InvestigationWalker(registry: registry, skill: skill)
        var seen: [String] = []
        // The person picks Alice's commit among the candidates (the history's first commit, which added `price`, is
        // a candidate too).
        let alice = String(fixture.culprit.prefix(12))
        let done = walker.walk(regression: regression.id!) { step in
            seen.append(step.step)
            return .next(step.choices.firstIndex { $0.contains(alice) } ?? 0)
        }
        #expect(done.outcome == "completed" && done.error == nil, "\(done)")
        #expect(seen == ["regression", "culprits", "change", "profile", "fix"])
        #expect(
            done.steps.map(\.tool) == [
                "get_regression", "rank_root_causes", "get_change", "query_profile", "list_patches",
            ])
        #expect(done.steps[0].reading.contains("rose 2.0×"), "\(done.steps[0].reading)")
        let culprits = done.steps[1]
        #expect(culprits.choices.count >= 2 && culprits.chosen?.contains(alice) == true, "\(culprits)")
        // The chosen culprit's change: it touched `price`, and its added line logs at debug level.
        #expect(done.steps[2].input["sha"]?.stringValue == fixture.culprit)
        #expect(done.steps[2].reading.contains("It changed `price`"), "\(done.steps[2].reading)")
        #expect(done.steps[2].reading.contains("log at a level"))
        #expect(done.steps[3].reading.contains("`price` itself"), "\(done.steps[3].reading)")
        #expect(done.steps[4].reading.contains("headroom fix \(regression.id!)"), "\(done.steps[4].reading)")

        // A person who stops after the culprits: two steps, the last with no choice taken.
        let stopped = walker.walk(regression: regression.id!) { $0.step == "culprits" ? .stop : .next(0) }
        #expect(stopped.outcome == "stopped" && stopped.steps.count == 2 && stopped.steps[1].chosen == nil)
        // The default is the top candidate, and the change read is that one's.
        let defaults = walker.walk(regression: regression.id!) { _ in .next(0) }
        #expect(defaults.steps[1].chosen == defaults.steps[1].choices.first)
        #expect(
            defaults.steps[1].chosen?.contains(String(defaults.steps[2].input["sha"]?.stringValue?.prefix(12) ?? "?"))
                == true)
        // A regression that does not exist: failed at the first step, with the tool's error.
        let missing = walker.walk(regression: 999) { _ in .next(0) }
        #expect(missing.outcome == "failed" && missing.error?.contains("999") == true && missing.steps.isEmpty)
        // Only investigation skills with known steps can be walked.
        let fixSkill = try #require(try SkillCatalog.load(root: Self.skills).skill(named: "log-guard"))
        #expect(throws: HeadroomError.self) { try InvestigationWalker(registry: registry, skill: fixSkill) }
    }

    @Test("the command refuses without a terminal unless --yes, and saves the transcript it prints")
    func command() throws {
        let (fixture, regression, _) = try Self.prepared()
        defer { fixture.cleanup() }
        let id = String(regression.id!)
        let refused = try Checkout.headroom(["investigate", id, "--store", fixture.storePath, "--skills", Self.skills])
        #expect(refused.status != 0 && refused.stderr.contains("--yes"))
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        let out = fixture.dir.file("walk.json")
        let run = try Checkout.headroom([
            "investigate", id, "--store", fixture.storePath, "--skills", Self.skills, "--yes", "--format", "json",
            "--transcript", out,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let printed = try JSONDecoder().decode(InvestigationTranscript.self, from: Data(run.stdout.utf8))
        let saved = try JSONDecoder().decode(
            InvestigationTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(printed == saved && printed.outcome == "completed" && printed.steps.count == 5)
        #expect(run.stderr.contains("== culprits: rank_root_causes"))  // the walk itself went to stderr
    }
}
