import HeadroomCore

/// What making, validating, reviewing and publishing fixes keep, whichever engine holds it: the patches with the
/// process working on each, the validated fixes' calibration points, and where delivered patches were published.
public protocol PatchStore: Sendable {
    /// Records a new patch, or updates it when it has an id; returns it with its id. A delivered or refused
    /// outcome goes to the notification outbox in the same transaction, once per patch and outcome.
    func savePatch(_ patch: PatchRecord) throws -> PatchRecord
    /// Records a person's review of a patch; an unknown id is a not-found error.
    func reviewPatch(id: Int64, review: PatchRecord.Review, note: String?, appliedCommit: String?) throws
    /// Stored patches, newest first, filtered by skill, review and status where given.
    func patches(skill: String?, review: PatchRecord.Review?, status: PatchRecord.Status?) throws -> [PatchRecord]
    /// One stored patch; an unknown id is a not-found error.
    func patch(id: Int64) throws -> PatchRecord
    /// Marks patches as worked on by `owner` (a `ProcessLease`), or releases them with nil.
    func setPatchOwner(_ ids: [Int64], owner: String?) throws
    /// Patches some process is working on, with that process's lease, by id.
    func ownedPatches() throws -> [(id: Int64, owner: String, status: PatchRecord.Status)]
    /// Releases every patch `owner` holds (its run finished).
    func releasePatches(owner: String) throws
    /// Ends the work of an owner that stopped: its patches still `proposed` become `cancelled` with `reason`, and
    /// every patch it held is released. Returns the ids cancelled.
    @discardableResult
    func cancelPatches(owner: String, reason: String) throws -> [Int64]
    /// Records (or replaces, for a patch validated again) one predicted-against-measured point.
    func recordCalibration(_ point: CalibrationPoint) throws
    /// Validated fixes' predicted and measured savings (of one pattern, or all), oldest first.
    func calibration(pattern: String?) throws -> [CalibrationPoint]
    /// Records (or updates) a patch's publication; the first publication time and a known reviewer are kept.
    func savePublication(_ publication: Publication) throws
    /// A patch's publication, if it was published.
    func publication(patch id: Int64) throws -> Publication?
    /// Every publication, newest first.
    func publications() throws -> [Publication]
}

extension Store: PatchStore {}

/// Everything making, validating, reviewing and publishing a fix reads and writes, on either engine: the regression
/// and its ranked culprits, the opportunity, the patches, and the notification outbox.
public typealias FixStore = RegressionStore & OpportunityStore & PatchStore & EventStore
