/// One validated opportunity fix: what the scan predicted and what the A/B benchmark measured.
public struct CalibrationPoint: Codable, Sendable, Equatable {
    /// The validated patch.
    public var patchID: Int64
    /// The opportunity it fixed, while the opportunity is stored.
    public var opportunityID: Int64?
    /// The opportunity's pattern (`logging`, `regex-compile`, …).
    public var pattern: String
    /// The opportunity's measured share of CPU when it was validated, and how it was measured.
    public var share: Double
    /// How `share` was measured (`source-lines`, `pattern-frames`, …).
    public var shareBasis: String
    /// The predicted fraction of CPU saved: share × the pattern's factor at the time.
    public var predicted: Double
    /// The A/B speed-up the validation measured.
    public var speedup: Double
    /// The measured fraction saved, 1 − 1/speed-up (negative when the patch was slower).
    public var measured: Double
    /// Whether that speed-up was a significant gain.
    public var significant: Bool
    /// When the point was recorded, Unix seconds.
    public var recordedAt: Int64

    /// A point; `measured` follows from `speedup`.
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
