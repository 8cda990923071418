/// `get_experiment` / `headroom experiment`: a service's profiles split by one label into a control and a treatment
/// arm (`arm=control|treatment`, `version=stable|canary`), compared per function with a significance test, and the
/// canary verdict on a fix.
public struct ExperimentReport: Sendable, Codable, Equatable {
    /// One function in both arms.
    public struct Function: Sendable, Codable, Equatable {
        /// The function's name, as profiles write it.
        public var function: String
        /// Its file, where the profile says.
        public var file: String?
        /// The function's share of its arm's samples (self or total, as `metric` says), pooled over the buckets.
        public var controlShare: Double
        /// Its pooled share in the treatment arm.
        public var treatmentShare: Double
        /// (treatment − control) / control; null when control is 0.
        public var relativeChange: Double?
        /// The test's two-sided p-value, and Benjamini–Hochberg's q over every function tested.
        public var pValue: Double
        /// Benjamini–Hochberg's q over every function tested.
        public var qValue: Double
        /// `regression` (costs more in treatment), `improvement`, or `no_change` (q not under alpha).
        public var direction: String

        /// A value from its fields.
        public init(
            function: String, file: String?, controlShare: Double, treatmentShare: Double, relativeChange: Double?,
            pValue: Double, qValue: Double, direction: String
        ) {
            self.function = function
            self.file = file
            self.controlShare = controlShare
            self.treatmentShare = treatmentShare
            self.relativeChange = relativeChange
            self.pValue = pValue
            self.qValue = qValue
            self.direction = direction
        }

        enum CodingKeys: String, CodingKey {
            case function, file, direction
            case controlShare = "control_share"
            case treatmentShare = "treatment_share"
            case relativeChange = "relative_change"
            case pValue = "p_value"
            case qValue = "q_value"
        }

        /// Writes every key; what does not apply is `null`, a number that is not finite too.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(function, forKey: .function)
            try c.encode(file, forKey: .file)
            try c.encode(controlShare.finite, forKey: .controlShare)
            try c.encode(treatmentShare.finite, forKey: .treatmentShare)
            try c.encode(relativeChange?.finite, forKey: .relativeChange)
            try c.encode(pValue.finite, forKey: .pValue)
            try c.encode(qValue.finite, forKey: .qValue)
            try c.encode(direction, forKey: .direction)
        }
    }

    /// The service.
    public var service: String
    /// The label that splits the arms, and each arm's value.
    public var label: String
    /// The control arm's value of the label.
    public var control: String
    /// The treatment arm's value of the label.
    public var treatment: String
    /// The window read (ISO-8601 UTC; null: open).
    public var since: String?
    /// The end of the window, ISO-8601 UTC.
    public var until: String?
    /// `self` or `total` share.
    public var metric: CostMetric
    /// Buckets and samples each arm has in the window: the replicates the test compares.
    public var controlBuckets: Int
    /// Buckets the treatment arm has in the window.
    public var treatmentBuckets: Int
    /// Samples of the control arm in the window.
    public var controlSamples: Int64
    /// Samples of the treatment arm in the window.
    public var treatmentSamples: Int64
    /// `mann-whitney` on per-bucket shares (3 or more buckets in each arm), else `proportions` (a two-proportion
    /// z-test on pooled samples, which ignores profile-to-profile variation and so overstates significance).
    public var test: String
    /// The significance level.
    public var alpha: Double
    /// The function a canary check is about (`--function`), when given.
    public var target: Function?
    /// Functions that changed significantly first, by the size of the change; then the rest, to `limit`.
    public var functions: [Function]
    /// With a target: `pass` (it improved and nothing else regressed more than it gained), `fail`, or
    /// `inconclusive` (too few buckets, or no significant change either way). Without: `regressions`,
    /// `improvements_only` or `no_change`.
    public var verdict: String
    /// Why, one sentence each.
    public var reasons: [String]

    /// A value from its fields.
    public init(
        service: String, label: String, control: String, treatment: String, since: String?, until: String?,
        metric: CostMetric, controlBuckets: Int, treatmentBuckets: Int, controlSamples: Int64,
        treatmentSamples: Int64, test: String, alpha: Double, target: Function?, functions: [Function],
        verdict: String, reasons: [String]
    ) {
        self.service = service
        self.label = label
        self.control = control
        self.treatment = treatment
        self.since = since
        self.until = until
        self.metric = metric
        self.controlBuckets = controlBuckets
        self.treatmentBuckets = treatmentBuckets
        self.controlSamples = controlSamples
        self.treatmentSamples = treatmentSamples
        self.test = test
        self.alpha = alpha
        self.target = target
        self.functions = functions
        self.verdict = verdict
        self.reasons = reasons
    }

    enum CodingKeys: String, CodingKey {
        case service, label, control, treatment, since, until, metric, test, alpha, target, functions, verdict
        case reasons
        case controlBuckets = "control_buckets"
        case treatmentBuckets = "treatment_buckets"
        case controlSamples = "control_samples"
        case treatmentSamples = "treatment_samples"
    }

    /// Writes every key; what does not apply is `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(service, forKey: .service)
        try c.encode(label, forKey: .label)
        try c.encode(control, forKey: .control)
        try c.encode(treatment, forKey: .treatment)
        try c.encode(since, forKey: .since)
        try c.encode(until, forKey: .until)
        try c.encode(metric, forKey: .metric)
        try c.encode(controlBuckets, forKey: .controlBuckets)
        try c.encode(treatmentBuckets, forKey: .treatmentBuckets)
        try c.encode(controlSamples, forKey: .controlSamples)
        try c.encode(treatmentSamples, forKey: .treatmentSamples)
        try c.encode(test, forKey: .test)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(target, forKey: .target)
        try c.encode(functions, forKey: .functions)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(reasons, forKey: .reasons)
    }
}
