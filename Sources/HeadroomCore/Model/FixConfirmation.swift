/// Whether production confirms an applied fix: once a deploy makes it live, the function's cost in the buckets after
/// the deploy is compared with its cost before (one-sided Mann–Whitney, exact for small windows), and the cores it
/// recovers are the measured drop instead of the A/B estimate.
public struct FixConfirmation: Sendable, Codable, Equatable {
    /// Where confirmation stands.
    public enum State: String, Sendable, Codable {
        /// No deploy of the service contains the fix yet.
        case awaitingDeploy = "awaiting_deploy"
        /// Deployed, but too few buckets of profiles on one side of the deploy to test.
        case awaitingProfiles = "awaiting_profiles"
        /// The function's cost after the deploy is significantly below its cost before: the fix is live and works.
        case confirmed
        /// Enough profiles on both sides and no significant drop.
        case notConfirmed = "not_confirmed"
    }

    /// How the deploy was tied to the fix.
    public enum Match: String, Sendable, Codable {
        /// The deploy's commit is the fix's commit.
        case commit
        /// The fix's commit is an ancestor of the deploy's (in the imported history or the repository).
        case ancestry
        /// Neither history was available: the service's first deploy after the fix was applied.
        case time
    }

    /// One bucket the test read.
    public struct Bucket: Sendable, Codable, Equatable {
        /// The bucket's start, ISO-8601 UTC.
        public var bucket: String
        /// `before` or `after` the deploy.
        public var window: String
        /// The function's share of its service's samples in the bucket.
        public var share: Double
        /// The service's cores in the bucket: measured by its profiles, else the configured fleet size.
        public var serviceCores: Double
        /// share × service cores.
        public var functionCores: Double

        /// A value from its fields.
        public init(bucket: String, window: String, share: Double, serviceCores: Double, functionCores: Double) {
            self.bucket = bucket
            self.window = window
            self.share = share
            self.serviceCores = serviceCores
            self.functionCores = functionCores
        }

        enum CodingKeys: String, CodingKey {
            case bucket, window, share
            case serviceCores = "service_cores"
            case functionCores = "function_cores"
        }

        /// Writes every key; a number that is not finite is `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(bucket, forKey: .bucket)
            try c.encode(window, forKey: .window)
            try c.encode(share.finite, forKey: .share)
            try c.encode(serviceCores.finite, forKey: .serviceCores)
            try c.encode(functionCores.finite, forKey: .functionCores)
        }
    }

    /// Where confirmation stands.
    public var state: State
    /// The deploy that made the fix live: its commit and time (ISO-8601 UTC), and how it was matched.
    public var deployCommit: String?
    /// When that deploy went live, ISO-8601 UTC.
    public var deployedAt: String?
    /// How the deploy was tied to the fix.
    public var matchedBy: Match?
    /// Median function cores per bucket before and after the deploy, and their difference (the measured drop).
    public var coresBefore: Double?
    /// Median function cores per bucket after the deploy.
    public var coresAfter: Double?
    /// Median before − median after: the cores the fix recovers, measured.
    public var drop: Double?
    /// The one-sided p-value of "after is lower", and the level it must be under.
    public var pValue: Double?
    /// The significance level.
    public var alpha: Double
    /// Buckets needed on each side before the test is run.
    public var minimumBuckets: Int
    /// The buckets read, oldest first: every figure above comes from these rows.
    public var buckets: [Bucket]

    /// A value from its fields.
    public init(
        state: State, deployCommit: String? = nil, deployedAt: String? = nil, matchedBy: Match? = nil,
        coresBefore: Double? = nil, coresAfter: Double? = nil, drop: Double? = nil, pValue: Double? = nil,
        alpha: Double, minimumBuckets: Int, buckets: [Bucket] = []
    ) {
        self.state = state
        self.deployCommit = deployCommit
        self.deployedAt = deployedAt
        self.matchedBy = matchedBy
        self.coresBefore = coresBefore
        self.coresAfter = coresAfter
        self.drop = drop
        self.pValue = pValue
        self.alpha = alpha
        self.minimumBuckets = minimumBuckets
        self.buckets = buckets
    }

    enum CodingKeys: String, CodingKey {
        case state, drop, alpha, buckets
        case deployCommit = "deploy_commit"
        case deployedAt = "deployed_at"
        case matchedBy = "matched_by"
        case coresBefore = "cores_before"
        case coresAfter = "cores_after"
        case pValue = "p_value"
        case minimumBuckets = "minimum_buckets"
    }

    /// Writes every key; what is not known yet is `null`, a number that is not finite too.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(deployCommit, forKey: .deployCommit)
        try c.encode(deployedAt, forKey: .deployedAt)
        try c.encode(matchedBy, forKey: .matchedBy)
        try c.encode(coresBefore?.finite, forKey: .coresBefore)
        try c.encode(coresAfter?.finite, forKey: .coresAfter)
        try c.encode(drop?.finite, forKey: .drop)
        try c.encode(pValue?.finite, forKey: .pValue)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(minimumBuckets, forKey: .minimumBuckets)
        try c.encode(buckets, forKey: .buckets)
    }
}
