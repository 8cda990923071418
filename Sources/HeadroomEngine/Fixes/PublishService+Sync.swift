import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomSkills
import HeadroomStore

extension PublishService {
    /// What `headroom review sync` found for one published patch awaiting review.
    public struct SyncOutcome: Sendable, Codable, Equatable {
        /// The patch.
        public var patch: Int64
        /// The pull or merge request's number and address.
        public var number: Int
        public var url: String
        /// `open`, `merged` or `closed` as the forge answered; nil when it could not be asked.
        public var state: String?
        /// `applied` (merged: recorded as applied, a prior example, swept for look-alikes), `rejected` (closed without
        /// merging), `waiting` (still open) or `failed` (the forge could not be asked; see `error`).
        public var action: String
        /// Why the forge could not be asked.
        public var error: String?
    }

    /// Asks the forge about every published patch still awaiting review: a merged request makes the patch applied (as
    /// `review apply --mark-only` does: the merge happened on the forge), a request closed without merging makes it
    /// rejected (its branch kept: the forge may still show it). Each patch is judged alone; a forge that cannot be
    /// reached leaves its patches pending and says why.
    public func sync() async throws -> [SyncOutcome] {
        var outcomes: [SyncOutcome] = []
        let patches = PatchService(store: store, outputDirectory: "")
        for publication in try store.publications() {
            let patch = try store.patch(id: publication.patchID)
            guard patch.review == .pending else { continue }
            var outcome = SyncOutcome(
                patch: publication.patchID, number: publication.number, url: publication.url, state: nil,
                action: "failed", error: nil)
            do {
                guard let forge = try Self.forge(repository: patch.repository) else {
                    throw HeadroomError(.config, "\(patch.repository)/headroom.toml no longer has a [forge] table")
                }
                let client = try makeClient(forge, try forge.token(in: environment, for: "pull-request access"))
                let pull = try await client.pullRequest(publication.number)
                outcome.state = pull.state
                switch pull.state {
                case "merged":
                    _ = try patches.apply(
                        patchID: publication.patchID, markOnly: true,
                        note: "merged on \(client.name) as #\(publication.number)")
                    outcome.action = "applied"
                case "closed":
                    _ = try patches.reject(
                        patchID: publication.patchID,
                        reason: "closed on \(client.name) without merging (#\(publication.number))", keepBranch: true)
                    outcome.action = "rejected"
                default:
                    outcome.action = "waiting"
                }
            } catch let error as ForgeError {
                outcome.error = error.line
            } catch let error as HeadroomError {
                outcome.error = error.message
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// `sync()`, then the learning sweep for each patch found merged (skipped without a catalog). A failed sweep
    /// leaves the applied patch applied; it is missing from `sweeps` and can be rerun (`headroom review sweep ID`).
    public func sync(sweeping catalog: SkillCatalog?) async throws -> (
        patches: [SyncOutcome], sweeps: [LearningSweep.Report]
    ) {
        let outcomes = try await sync()
        guard let catalog else { return (outcomes, []) }
        let sweeps = outcomes.filter { $0.action == "applied" }.compactMap {
            try? LearningSweep(store: store, catalog: catalog).sweep(after: $0.patch)
        }
        return (outcomes, sweeps)
    }
}
