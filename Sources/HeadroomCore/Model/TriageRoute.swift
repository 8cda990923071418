/// Where the triage policy sends a regression (`[policy]` in the service's `headroom.toml`).
public enum TriageRoute: String, Sendable, Codable, CaseIterable {
    /// Attempted by the fix queue without a person (a confident culprit, enough cores, a registered repository).
    case autoFix = "auto_fix"
    /// A person now: critical (≥ `critical_cores`), or costly enough to notify (≥ `notify_min_cores`) but not for
    /// an automatic attempt.
    case person
    /// The weekly digest: below `notify_min_cores`.
    case digest
    /// Nobody: acknowledged, invalid, or snoozed.
    case quiet
}

/// A regression with its route and why (`headroom digest`).
public struct RoutedRegression: Sendable, Codable, Equatable {
    /// The regression (or its id).
    public var regression: RegressionReport
    /// Where the policy sent it.
    public var route: TriageRoute
    /// Why, in a sentence.
    public var reason: String

    /// A value from its fields.
    public init(regression: RegressionReport, route: TriageRoute, reason: String) {
        self.regression = regression
        self.route = route
        self.reason = reason
    }
}

/// `headroom digest`: the regressions detected in a window by route - what went to people, what was attempted, what
/// waited for this digest and what people silenced.
public struct DigestReport: Sendable, Codable, Equatable {
    /// The window, ISO-8601 UTC (regressions by onset).
    public var since: String
    /// The end of the window, ISO-8601 UTC.
    public var until: String
    /// How many of each route.
    public var counts: [String: Int]
    /// Every regression of the window, the digest's first, then by cores.
    public var regressions: [RoutedRegression]

    /// A value from its fields.
    public init(since: String, until: String, counts: [String: Int], regressions: [RoutedRegression]) {
        self.since = since
        self.until = until
        self.counts = counts
        self.regressions = regressions
    }
}
