/// Settings of the regression detector; the defaults are meant to work across services without tuning.
public struct DetectionConfiguration: Sendable, Equatable {
    /// Family-wise false-alarm rate per series, after correcting for the number of split positions tried.
    public var alpha: Double
    /// Fewest buckets a segment may have: a single spike can never become its own segment.
    public var minimumSegment: Int
    /// Changes smaller than this, relative to the level before, are not reported however significant.
    public var minimumRelativeChange: Double
    /// Changes smaller than this in absolute share (0.0005 = 0.05 points of CPU) are not reported.
    public var minimumAbsoluteChange: Double
    /// Changes smaller than this many minimum detectable effects of their split are not reported: a significant
    /// change below 1 MDE is one the test would miss as often as not, so listing it shows noise first.
    public var minimumEffect: Double
    /// A shift that reverts within this many buckets is a transient, not a regression.
    public var transientHorizon: Int
    /// Functions with fewer samples than this over the whole window are not tested (no power, only noise).
    public var minimumSamples: Int64
    /// Whether to report improvements as well as regressions.
    public var reportImprovements: Bool

    public init(
        alpha: Double = 0.001, minimumSegment: Int = 3, minimumRelativeChange: Double = 0.05,
        minimumAbsoluteChange: Double = 0.0005, minimumEffect: Double = 1.0, transientHorizon: Int = 6,
        minimumSamples: Int64 = 30, reportImprovements: Bool = true
    ) {
        self.minimumEffect = minimumEffect
        self.alpha = alpha
        self.minimumSegment = minimumSegment
        self.minimumRelativeChange = minimumRelativeChange
        self.minimumAbsoluteChange = minimumAbsoluteChange
        self.transientHorizon = transientHorizon
        self.minimumSamples = minimumSamples
        self.reportImprovements = reportImprovements
    }
}
