import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import Testing

/// Every tool declares one Codable answer (`ToolSignature`); these tests hold the producers and the declared types
/// to each other, so a field renamed on one side fails here instead of reading as 0 in a brain.
@Suite("Typed tool answers", .ownThreads)
struct ToolContractTests {
    /// The tool's JSON answer, decoded as its declared type and encoded again, is the same JSON: the type neither
    /// drops nor renames a field the tool writes.
    func roundTrips<Output>(
        _ registry: ToolRegistry, _ signature: ToolSignature<Output>, _ arguments: JSONValue = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Output {
        let answer = try registry.call(signature.name.rawValue, arguments)
        let typed = try ToolRegistry.decode(answer, as: signature)
        #expect(try JSONValue(encoding: typed) == answer, "\(signature.name.rawValue)", sourceLocation: sourceLocation)
        return typed
    }

    @Test("every registered tool is a ToolName and every ToolName is registered")
    func namesAreOneList() throws {
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        let registry = HeadroomTools.registry(
            ToolContext(store: fixture.store, skillsRoot: nil, outputDirectory: fixture.dir.path))
        #expect(Set(registry.tools.map(\.name)) == Set(ToolName.allCases.map(\.rawValue)))
    }

    @Test("each tool's answer decodes as its declared type and encodes back to the same JSON")
    func answersRoundTrip() throws {
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        let store = fixture.store
        let (regression, onset) = try fixture.liveRegression()
        let skills = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Skills").path
        let registry = HeadroomTools.registry(
            ToolContext(store: store, skillsRoot: skills, outputDirectory: fixture.dir.path))
        let id = JSONValue.number(Double(regression.id!))

        let services = try roundTrips(registry, .listServices)
        #expect(services.services.map(\.service) == ["shop"])
        #expect(services.services.first?.samples == 40)
        let top = try roundTrips(registry, .queryTop, ["service": "shop", "mode": "top", "by": "total"])
        #expect(top.functions.first?.function == "main")
        let diff = try roundTrips(
            registry, .queryDiff,
            [
                "service": "shop", "mode": "diff", "before_to": .number(Double(onset - 60)),
                "after_from": .number(Double(onset)),
            ])
        #expect(diff.functions.contains { $0.function == "total" && $0.after == 0 })
        let flame = try roundTrips(registry, .queryFlame, ["service": "shop", "mode": "flame"])
        #expect(flame.stacks.first?.frames == "main;price")

        let listed = try roundTrips(registry, .listRegressions)
        #expect(listed.regressions.map(\.function) == ["price"])
        let metrics = try roundTrips(registry, .getMetrics)
        #expect(metrics.regressions.ids == [regression.id!])
        #expect(metrics.regressions.falsePositiveRate == nil)
        let ranked = try roundTrips(registry, .rankRootCauses, ["regression": id])
        #expect(ranked.candidates.contains { $0.ref == fixture.culprit && $0.author == "Alice" })
        #expect(ranked.repository_name == "shop")
        // The stored ranking, as get_regression returns it: the same candidate shape, times as ISO-8601 text.
        let detail = try roundTrips(registry, .getRegression, ["id": id])
        #expect(detail.regression.before == 0.5)
        #expect(detail.candidates.map(\.ref) == ranked.candidates.map(\.ref))
        #expect(detail.candidates.first?.liveAt.flatMap(Timestamps.parse) != nil)

        let change = try roundTrips(registry, .getChange, ["sha": .string(fixture.culprit), "repository": "shop"])
        #expect(change.commit.author == "Alice")
        #expect(change.commit.functions.map(\.name) == ["price"])
        #expect(change.diff?.contains("logger.debug") == true)
        _ = try roundTrips(registry, .configHistory)
        let found = try roundTrips(registry, .searchCode, ["repository": "shop", "query": "logger.debug"])
        #expect(found.matches.first?.path == "app.py")

        let skillList = try roundTrips(registry, .listSkills)
        #expect(skillList.skills.contains { $0.name == "log-guard" })
        let docs = try roundTrips(registry, .readDocs, ["skill": "log-guard"])
        #expect(docs.text?.contains("log-guard") == true)
        #expect(try roundTrips(registry, .readDocs).skills?.isEmpty == false)
        let experiments = try roundTrips(registry, .getExperimentResults)
        #expect(experiments.experiments.first?.validation.speedup == 2.9)
        let opportunities = try roundTrips(registry, .listOpportunities)
        #expect(opportunities.opportunities.first?.savingsCores == 15.5)

        let patches = try roundTrips(registry, .listPatches)
        let patch = try #require(patches.patches.first)
        #expect(patch.status == .delivered && patch.review == .pending && patch.skill == "log-guard")
        #expect(patch.validation?.runs == 2)
        let rejected = try roundTrips(
            registry, .rejectPatch, ["patch": .number(Double(patch.patch)), "keep_branch": true])
        #expect(rejected.review == .rejected && rejected.deletedBranch == nil)
        let triaged = try roundTrips(registry, .triageRegression, ["id": id, "verdict": "acknowledged"])
        #expect(triaged.triage?.verdict == .acknowledged)
    }

    @Test("an answer that does not fit its declared type is a contract error naming the tool, not a default")
    func misfitIsAnError() throws {
        let wrong: JSONValue = ["patches": [["patch": 1, "status": "delivered"]]]
        #expect {
            try ToolRegistry.decode(wrong, as: .listPatches)
        } throws: { error in
            (error as? HeadroomError)?.code == .contract
                && (error as? HeadroomError)?.message.hasPrefix("list_patches answered") == true
        }
    }
}
