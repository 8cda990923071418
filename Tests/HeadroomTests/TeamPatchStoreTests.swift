import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomPostgres
import HeadroomStore
import HeadroomTesting
import Testing

/// Patches, calibration points and publications in team mode: the same `PatchStore` calls give the same answers on
/// SQLite and on PostgreSQL, a patch round-trips whole, its outcome reaches the outbox once, and an opportunity a
/// patch refers to outlives the scans that stop finding it.
@Suite("team mode: patches on PostgreSQL", .serialized, .ownThreads)
struct TeamPatchStoreTests {
    typealias Engine = (name: String, store: any FixStore)

    static func patch(opportunity: Int64?, skill: String, status: PatchRecord.Status, reason: String? = nil)
        -> PatchRecord
    {
        PatchRecord(
            kind: opportunity == nil ? .regression : .opportunity, regressionID: nil, opportunityID: opportunity,
            skill: skill, repository: "/src/svc", path: "svc.py", function: "svc.parse", culprit: nil, branch: nil,
            baseCommit: "0123456789abcdef", diff: "--- a/svc.py\n+++ b/svc.py\n", summary: ["hoist the regex"],
            editJSON: #"{"original":"a","patched":"b"}"#, prDescription: nil, status: status, reason: reason,
            validation: nil,
            transcript: [
                TranscriptStep(
                    kind: .tool, tool: "generate_patch", input: ["skill": .string(skill)], note: "ok", milliseconds: 3.5
                )
            ])
    }

    @Test("the patch store on both engines: round trip, filters, review, owners, outbox, calibration, publications")
    func storeOnBothEngines() async throws {
        try await TeamWorkerTests.withTeam { team, _ in
            let engines: [Engine] = [
                ("sqlite", try Store.open(path: ":memory:")), ("postgres", TeamStore(profiles: team[0].profiles)),
            ]
            var answers: [[String]] = []
            for engine in engines {
                answers.append(try await AsyncBridge.onOwnThread { try Self.exercise(engine) })
            }
            #expect(answers[0] == answers[1])
            #expect(
                answers[0] == [
                    "memoize:proposed:pending,memoize:refused:pending,hoist:proposed:pending",
                    "memoize:proposed:pending,memoize:refused:pending", "hoist:delivered:pending",
                    "hoist:delivered:applied", "lease-1:refused,lease-1:proposed", "cancelled:interrupted",
                    "svc.parse", "svc.parse:function-total,svc.render:sweep added [\"svc.render\"]",
                    "hoist:0.25,memoize:0.75", "300", "ada:10:30", "github:7,gitlab:3",
                ])
        }
    }

    /// Runs the same calls on one engine; returns what they answered, ids left out (engines number alike, but the
    /// comparison should not depend on it).
    static func exercise(_ engine: Engine) throws -> [String] {
        let (name, store) = engine
        var seen: [String] = []
        func line(_ patches: [PatchRecord]) -> String {
            patches.map { "\($0.skill):\($0.status.rawValue):\($0.review.rawValue)" }.joined(separator: ",")
        }
        let found = try store.replaceOpportunities(
            service: "svc", repository: "/src/svc",
            with: [TeamOpportunityTests.opportunity("svc.parse", savings: 3)])
        let opportunity = try #require(found.first?.id)

        // A new patch: an id and a creation time; read back whole.
        let proposed = try store.savePatch(Self.patch(opportunity: opportunity, skill: "hoist", status: .proposed))
        let id = try #require(proposed.id)
        #expect(proposed.createdAt != nil, "\(name)")
        #expect(try store.patch(id: id) == proposed, "\(name)")
        let refused = try store.savePatch(
            Self.patch(opportunity: nil, skill: "memoize", status: .refused, reason: "not pure"))
        let held = try store.savePatch(Self.patch(opportunity: nil, skill: "memoize", status: .proposed))
        seen.append(line(try store.patches(skill: nil, review: nil, status: nil)))

        // Delivered: the update keeps its id and creation time; its outcome reaches the outbox once however often
        // it is saved; a refusal's too.
        var delivered = proposed
        delivered.status = .delivered
        delivered.branch = "headroom/opportunity-\(opportunity)"
        delivered.commit = "fedcba9876543210"
        delivered.validation = ValidationResult(
            testsPassed: true, speedup: 2.5, ci95: [2.1, 2.9], pValue: 0.001, beforeSeconds: [0.5, 0.52],
            afterSeconds: [0.2, 0.21])
        delivered.seconds = 12.5
        delivered = try store.savePatch(delivered)
        _ = try store.savePatch(delivered)
        #expect(delivered.id == id && delivered.createdAt == proposed.createdAt, "\(name)")
        #expect(try store.patch(id: id) == delivered, "\(name)")
        #expect(try store.hasEvent(kind: "patch.delivered", subject: "patch/\(id)"), "\(name)")
        #expect(try store.hasEvent(kind: "patch.refused", subject: "patch/\(try #require(refused.id))"), "\(name)")
        #expect(try !store.hasEvent(kind: "patch.delivered", subject: "patch/\(try #require(held.id))"), "\(name)")
        #expect(try store.recordEvent(kind: "patch.delivered", subject: "patch/\(id)", payload: "{}", at: 1) == nil)

        // Filters: skill, status, review; newest first.
        seen.append(line(try store.patches(skill: "memoize", review: nil, status: nil)))
        seen.append(line(try store.patches(skill: nil, review: nil, status: .delivered)))

        // A person's review: applied with the commit it became.
        try store.reviewPatch(id: id, review: .applied, note: "merged", appliedCommit: "abc123")
        let reviewed = try store.patch(id: id)
        #expect(reviewed.reviewedAt != nil && reviewed.appliedCommit == "abc123" && reviewed.reviewNote == "merged")
        seen.append(line(try store.patches(skill: nil, review: .applied, status: nil)))
        #expect(throws: HeadroomError.self) {
            try store.reviewPatch(id: 9_999, review: .rejected, note: nil, appliedCommit: nil)
        }
        #expect(throws: HeadroomError.self) { _ = try store.patch(id: 9_999) }

        // Owners: an interrupted run's proposed patch is cancelled, what it held released.
        let heldID = try #require(held.id)
        try store.setPatchOwner([heldID, try #require(refused.id)], owner: "lease-1")
        seen.append(try store.ownedPatches().map { "\($0.owner):\($0.status.rawValue)" }.joined(separator: ","))
        #expect(try store.cancelPatches(owner: "lease-1", reason: "interrupted") == [heldID], "\(name)")
        #expect(try store.ownedPatches().isEmpty, "\(name)")
        let cancelled = try store.patch(id: heldID)
        seen.append("\(cancelled.status.rawValue):\(cancelled.reason ?? "")")
        try store.setPatchOwner([id], owner: "lease-2")
        try store.releasePatches(owner: "lease-2")
        #expect(try store.ownedPatches().isEmpty, "\(name)")

        // The opportunity a patch refers to outlives a scan that no longer finds it.
        _ = try store.replaceOpportunities(service: "svc", repository: "/src/svc", with: [])
        seen.append(try store.opportunity(id: opportunity).function)
        // A learning sweep adds look-alikes not already stored; later scans keep them.
        let swept = try store.addSweepOpportunities([
            TeamOpportunityTests.opportunity("svc.parse", savings: 1),
            TeamOpportunityTests.opportunity("svc.render", savings: 1),
        ])
        _ = try store.replaceOpportunities(service: "svc", repository: "/src/svc", with: [])
        seen.append(
            try store.opportunities(service: "svc").map { "\($0.function):\($0.shareBasis)" }.joined(separator: ",")
                + " added \(swept.map(\.function))")

        // Calibration: replaced per patch, filtered by pattern, oldest first.
        for (patch, pattern, measured, at) in [
            (id, "memoize", 0.5, Int64(200)), (heldID, "hoist", 0.25, 100), (id, "memoize", 0.75, 300),
        ] {
            var point = CalibrationPoint(
                patchID: patch, opportunityID: opportunity, pattern: pattern, share: 0.3, shareBasis: "line",
                predicted: 0.4, speedup: 2.5, significant: true, recordedAt: at)
            point.measured = measured
            try store.recordCalibration(point)
        }
        seen.append(try store.calibration(pattern: nil).map { "\($0.pattern):\($0.measured)" }.joined(separator: ","))
        seen.append(try store.calibration(pattern: "memoize").map { "\($0.recordedAt)" }.joined(separator: ","))

        // Publications: updated in place, the first time and a known reviewer kept.
        try store.savePublication(
            Publication(
                patchID: id, forge: "github", repo: "acme/svc", number: 7, url: "https://example/pull/7",
                reviewer: "ada", publishedAt: 10, updatedAt: 10))
        try store.savePublication(
            Publication(
                patchID: id, forge: "github", repo: "acme/svc", number: 7, url: "https://example/pull/7",
                reviewer: nil, publishedAt: 20, updatedAt: 30))
        try store.savePublication(
            Publication(
                patchID: heldID, forge: "gitlab", repo: "acme/other", number: 3, url: "https://example/mr/3",
                reviewer: nil, publishedAt: 15, updatedAt: 15))
        let publication = try #require(try store.publication(patch: id))
        seen.append("\(publication.reviewer ?? "-"):\(publication.publishedAt):\(publication.updatedAt)")
        seen.append(try store.publications().map { "\($0.forge):\($0.number)" }.joined(separator: ","))
        #expect(try store.publication(patch: try #require(refused.id)) == nil, "\(name)")
        return seen
    }
}
