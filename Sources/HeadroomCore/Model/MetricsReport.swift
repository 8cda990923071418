/// The program's figures (`headroom metrics`): what detection found and how often people called it wrong, what
/// the fixes did, and what they saved. Every figure carries the ids of the rows it was counted from.
public struct MetricsReport: Sendable, Codable, Equatable {
    /// The window the figures cover: regressions detected and patches made from `since` (ISO-8601 UTC, nil for
    /// all time) to `until`.
    public var since: String?
    /// The end of the window, ISO-8601 UTC.
    public var until: String
    /// The regressions.
    public var regressions: Regressions
    /// The fixes.
    public var fixes: Fixes
    /// What the applied fixes recover.
    public var savings: Savings

    enum CodingKeys: String, CodingKey { case since, until, regressions, fixes, savings }

    /// Writes every key (`since` is `null` for all time).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(since, forKey: .since)
        try c.encode(until, forKey: .until)
        try c.encode(regressions, forKey: .regressions)
        try c.encode(fixes, forKey: .fixes)
        try c.encode(savings, forKey: .savings)
    }

    /// A value from its fields.
    public init(since: String?, until: String, regressions: Regressions, fixes: Fixes, savings: Savings) {
        self.since = since
        self.until = until
        self.regressions = regressions
        self.fixes = fixes
        self.savings = savings
    }

    /// Detection: what it raised and what people said about it.
    public struct Regressions: Sendable, Codable, Equatable {
        /// Regressions raised (improvements are not counted).
        public var detected: Int
        /// Of those, marked "known" by a person.
        public var acknowledged: Int
        /// Marked "not a regression": false alarms.
        public var invalid: Int
        /// Not yet judged (snoozed ones are not counted here).
        public var untriaged: Int
        /// Put off by a person ("not now").
        public var snoozed: Int
        /// invalid / (acknowledged + invalid): the measured false-positive rate; null until someone has judged one.
        public var falsePositiveRate: Double?
        /// Regressions whose applied fix production confirmed: their level dropped after the deploy that made the
        /// fix live (a significance test, see `FixConfirmation`).
        public var mitigated: Int
        /// Regressions with an applied fix, confirmed or not.
        public var fixed: Int
        /// Median seconds from a regression's onset to its first delivered fix; null without one.
        public var medianSecondsToFix: Double?
        /// The regression ids counted as detected.
        public var ids: [Int64]

        /// A value from its fields.
        public init(
            detected: Int, acknowledged: Int, invalid: Int, untriaged: Int, snoozed: Int = 0,
            falsePositiveRate: Double?,
            mitigated: Int, fixed: Int = 0, medianSecondsToFix: Double?, ids: [Int64]
        ) {
            self.detected = detected
            self.acknowledged = acknowledged
            self.invalid = invalid
            self.untriaged = untriaged
            self.snoozed = snoozed
            self.falsePositiveRate = falsePositiveRate
            self.mitigated = mitigated
            self.fixed = fixed
            self.medianSecondsToFix = medianSecondsToFix
            self.ids = ids
        }

        enum CodingKeys: String, CodingKey {
            case detected, acknowledged, invalid, untriaged, snoozed, mitigated, fixed, ids
            case falsePositiveRate = "false_positive_rate"
            case medianSecondsToFix = "median_seconds_to_fix"
        }

        /// Writes every key; a rate with nothing to divide is `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(detected, forKey: .detected)
            try c.encode(acknowledged, forKey: .acknowledged)
            try c.encode(invalid, forKey: .invalid)
            try c.encode(untriaged, forKey: .untriaged)
            try c.encode(snoozed, forKey: .snoozed)
            try c.encode(falsePositiveRate, forKey: .falsePositiveRate)
            try c.encode(mitigated, forKey: .mitigated)
            try c.encode(fixed, forKey: .fixed)
            try c.encode(medianSecondsToFix, forKey: .medianSecondsToFix)
            try c.encode(ids, forKey: .ids)
        }
    }

    /// The fixes Headroom made and what people did with them.
    public struct Fixes: Sendable, Codable, Equatable {
        /// Validated and delivered on a branch.
        public var delivered: Int
        /// Refused by a guardrail, or failed.
        public var refused: Int
        /// Delivered fixes a person applied or rejected.
        public var applied: Int
        /// Delivered fixes a person rejected.
        public var rejected: Int
        /// applied / (applied + rejected); null until someone has reviewed one.
        public var acceptanceRate: Double?
        /// The patch ids counted as delivered.
        public var ids: [Int64]

        /// A value from its fields.
        public init(
            delivered: Int, refused: Int, applied: Int, rejected: Int, acceptanceRate: Double?, ids: [Int64]
        ) {
            self.delivered = delivered
            self.refused = refused
            self.applied = applied
            self.rejected = rejected
            self.acceptanceRate = acceptanceRate
            self.ids = ids
        }

        enum CodingKeys: String, CodingKey {
            case delivered, refused, applied, rejected, ids
            case acceptanceRate = "acceptance_rate"
        }

        /// Writes every key; a rate with nothing to divide is `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(delivered, forKey: .delivered)
            try c.encode(refused, forKey: .refused)
            try c.encode(applied, forKey: .applied)
            try c.encode(rejected, forKey: .rejected)
            try c.encode(acceptanceRate, forKey: .acceptanceRate)
            try c.encode(ids, forKey: .ids)
        }
    }

    /// What the applied fixes recover.
    public struct Savings: Sendable, Codable, Equatable {
        /// Cores recovered by all applied fixes.
        public var cores: Double
        /// Watts those cores draw.
        public var watts: Double
        /// Energy saved from each fix's application to `until`, in MWh.
        public var megawattHours: Double
        /// Applied fixes × `hours_per_fix`: the time people would have spent finding, fixing and validating them.
        public var engineerHours: Double
        /// The per-fix estimate behind `engineer_hours` (`--hours-per-fix`).
        public var hoursPerFix: Double
        /// One row per applied fix.
        public var fixes: [Fix]

        /// A value from its fields.
        public init(
            cores: Double, watts: Double, megawattHours: Double, engineerHours: Double, hoursPerFix: Double,
            fixes: [Fix]
        ) {
            self.cores = cores
            self.watts = watts
            self.megawattHours = megawattHours
            self.engineerHours = engineerHours
            self.hoursPerFix = hoursPerFix
            self.fixes = fixes
        }

        enum CodingKeys: String, CodingKey {
            case cores, watts, fixes
            case megawattHours = "megawatt_hours"
            case engineerHours = "engineer_hours"
            case hoursPerFix = "hours_per_fix"
        }
    }

    /// One applied fix's saving: the function's cores times the share of them the measured speed-up removes,
    /// `cores × (1 − 1/speedup)`.
    public struct Fix: Sendable, Codable, Equatable {
        /// The patch's id.
        public var patch: Int64
        /// The regression (or its id).
        public var regression: Int64?
        /// The opportunity's id, for an opportunity's fix.
        public var opportunity: Int64?
        /// The service.
        public var service: String
        /// The function's name, as profiles write it.
        public var function: String
        /// The A/B speed-up of the fix's benchmark.
        public var speedup: Double
        /// The function's share of its service's CPU, and its cores at that share.
        public var share: Double
        /// The function's cores: its share × its service's cores.
        public var functionCores: Double
        /// `profile` when the service's cores are measured by its profiles, `fleet` when configured.
        public var coresBasis: CostModel.Basis
        /// Cores recovered.
        public var cores: Double
        /// Watts those cores draw.
        public var watts: Double
        /// Energy saved from when the fix went live to `until`, in MWh.
        public var megawattHours: Double
        /// When it was applied (ISO-8601 UTC).
        public var appliedAt: String?
        /// Where the figure comes from: `ab-estimate` (the benchmark's speed-up, until production confirms it) or
        /// `production` (the measured drop after the deploy that made the fix live).
        public var basis: String
        /// The A/B estimate, `function_cores × (1 − 1/speedup)`, whatever the basis.
        public var estimatedCores: Double?
        /// What production says about the fix; nil where there is nothing to confirm.
        public var confirmation: FixConfirmation?

        /// A value from its fields.
        public init(
            patch: Int64, regression: Int64?, opportunity: Int64?, service: String, function: String,
            speedup: Double, share: Double, functionCores: Double, coresBasis: CostModel.Basis, cores: Double,
            watts: Double, megawattHours: Double, appliedAt: String?, basis: String
        ) {
            self.patch = patch
            self.regression = regression
            self.opportunity = opportunity
            self.service = service
            self.function = function
            self.speedup = speedup
            self.share = share
            self.functionCores = functionCores
            self.coresBasis = coresBasis
            self.cores = cores
            self.watts = watts
            self.megawattHours = megawattHours
            self.appliedAt = appliedAt
            self.basis = basis
        }

        enum CodingKeys: String, CodingKey {
            case patch, regression, opportunity, service, function, speedup, share, cores, watts, basis
            case functionCores = "function_cores"
            case coresBasis = "cores_basis"
            case megawattHours = "megawatt_hours"
            case appliedAt = "applied_at"
            case estimatedCores = "estimated_cores"
            case confirmation
        }

        /// Writes every key; what does not apply is `null`, a number that is not finite too.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(patch, forKey: .patch)
            try c.encode(regression, forKey: .regression)
            try c.encode(opportunity, forKey: .opportunity)
            try c.encode(service, forKey: .service)
            try c.encode(function, forKey: .function)
            try c.encode(speedup.finite, forKey: .speedup)
            try c.encode(share.finite, forKey: .share)
            try c.encode(functionCores.finite, forKey: .functionCores)
            try c.encode(coresBasis, forKey: .coresBasis)
            try c.encode(cores.finite, forKey: .cores)
            try c.encode(watts.finite, forKey: .watts)
            try c.encode(megawattHours.finite, forKey: .megawattHours)
            try c.encode(appliedAt, forKey: .appliedAt)
            try c.encode(basis, forKey: .basis)
            try c.encode(estimatedCores?.finite, forKey: .estimatedCores)
            try c.encode(confirmation, forKey: .confirmation)
        }
    }
}
