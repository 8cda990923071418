import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomStore

/// A person's decision on a delivered patch, from the API or the dashboard (`POST /api/v1/patches/{id}/apply|reject`;
/// `publish` opens its pull request),
/// as `headroom review apply|reject` makes it: apply cherry-picks the patch's commit onto the repository's checked-out
/// branch (refused on a dirty tree; `mark_only` records an acceptance merged elsewhere, e.g. through the PR), reject
/// records why and deletes the patch's branch (unless `keep_branch`). Answers with the patch as `list_patches` shows
/// it.
public struct PatchReview: Sendable {
    /// The store of patches.
    public let store: any FixStore
    /// The skills, when known: an applied patch is then swept for look-alikes (`LearningSweep`), as
    /// `headroom review apply` does.
    public var catalog: SkillCatalog?

    /// Reviews over `store`; with `catalog`, applying runs the learning sweep.
    public init(store: any FixStore, catalog: SkillCatalog? = nil) {
        self.store = store
        self.catalog = catalog
    }

    /// The patches Headroom made, oldest first; only those with `status` when given.
    public func list(status: PatchRecord.Status? = nil) throws -> [PatchRecord] {
        try store.patches(skill: nil, review: nil, status: status)
    }

    /// One patch with its transcript, or a not-found error.
    public func patch(_ id: Int64) throws -> PatchRecord { try store.patch(id: id) }

    /// Applies a delivered patch (cherry-picks its commit; `markOnly` records an acceptance merged elsewhere).
    public func apply(_ id: Int64, markOnly: Bool, note: String?) throws -> PatchReport {
        let report = PatchReport(
            try PatchService(store: store, outputDirectory: "").apply(
                patchID: id, markOnly: markOnly, note: try Self.bounded(note)))
        // The apply stands whatever the sweep does; its findings are opportunities like any other.
        if let catalog { _ = try? LearningSweep(store: store, catalog: catalog).sweep(after: id) }
        return report
    }

    /// Rejects a patch with `reason`, deleting its branch unless `keepBranch`.
    public func reject(_ id: Int64, reason: String?, keepBranch: Bool) throws -> PatchReport {
        let (patch, deleted) = try PatchService(store: store, outputDirectory: "").reject(
            patchID: id, reason: try Self.bounded(reason), keepBranch: keepBranch)
        var report = PatchReport(patch)
        report.deletedBranch = .some(deleted)
        return report
    }

    /// Publishes a delivered patch as `headroom review publish` does (push, open or update the pull request).
    public func publish(_ id: Int64, remote: String? = nil) async throws -> JSONValue {
        try JSONValue(encoding: try await PublishService(store: store).publish(patchID: id, remote: remote))
    }

    static func bounded(_ text: String?) throws -> String? {
        guard let text else { return nil }
        guard text.unicodeScalars.count <= 2000 else {
            throw HeadroomError(.badInput, "the text is longer than 2,000 characters")
        }
        return text
    }
}
