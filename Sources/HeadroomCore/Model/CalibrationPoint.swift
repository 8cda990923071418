/// One validated opportunity fix: what the scan predicted and what the A/B benchmark measured.
public struct CalibrationPoint: Codable, Sendable, Equatable {
    public var patchID: Int64
    public var opportunityID: Int64?
    public var pattern: String
    /// The opportunity's measured share of CPU when it was validated, and how it was measured.
    public var share: Double
    public var shareBasis: String
    /// The predicted fraction of CPU saved: share × the pattern's factor at the time.
    public var predicted: Double
    public var speedup: Double
    /// The measured fraction saved, 1 − 1/speed-up (negative when the patch was slower).
    public var measured: Double
    public var significant: Bool
    public var recordedAt: Int64

    public init(
        patchID: Int64, opportunityID: Int64?, pattern: String, share: Double, shareBasis: String, predicted: Double,
        speedup: Double, significant: Bool, recordedAt: Int64
    ) {
        self.patchID = patchID
        self.opportunityID = opportunityID
        self.pattern = pattern
        self.share = share
        self.shareBasis = shareBasis
        self.predicted = predicted
        self.speedup = speedup
        self.measured = speedup > 0 ? 1 - 1 / speedup : 0
        self.significant = significant
        self.recordedAt = recordedAt
    }
}
