import HeadroomCore

/// What the opportunity scanner and `list_opportunities` read and keep, whichever engine holds it: a function's
/// per-line costs, the stored opportunities, and the reviewed patches and validations that name prior examples and
/// calibrate predicted savings.
public protocol OpportunityStore: Sendable {
    /// A function's samples per source line over a range (self: the line on top of the stack; total: the line
    /// anywhere in it), where its profiles named lines; empty when none did. An unknown service is a not-found error.
    func lineCosts(service: String, function: FunctionRef, from: Int64?, to: Int64?) throws
        -> [Int: (selfSamples: Int64, totalSamples: Int64)]
    /// Replaces a scan's opportunities for `service` in `repository` in one transaction: found ones are inserted or
    /// updated in place (ids stay stable across scans); ones no longer found are removed unless a patch refers to
    /// them or a learning sweep added them. Returns the stored opportunities with ids.
    func replaceOpportunities(service: String, repository: String, with found: [Opportunity]) throws
        -> [Opportunity]
    /// Adds opportunities a learning sweep found (share basis `sweep`) in one transaction; one already stored for the
    /// same service, file, function and pattern is kept as it is. Returns the ones added, with ids.
    func addSweepOpportunities(_ found: [Opportunity]) throws -> [Opportunity]
    /// Stored opportunities (of one service, or all) ranked by estimated savings, blocked ones last.
    func opportunities(service: String?) throws -> [Opportunity]
    /// One stored opportunity; an unknown id is a not-found error.
    func opportunity(id: Int64) throws -> Opportunity
    /// Stored patches, newest first, filtered by skill, review and status where given.
    func patches(skill: String?, review: PatchRecord.Review?, status: PatchRecord.Status?) throws -> [PatchRecord]
    /// Validated fixes' predicted and measured savings (of one pattern, or all), oldest first.
    func calibration(pattern: String?) throws -> [CalibrationPoint]
}

extension Store: OpportunityStore {}
