/// The ranked suspects of one regression, as every adapter reports them: `headroom rootcause --format json` and the
/// MCP tool `rank_root_causes` encode this value (keys are snake_case whatever the encoder; times ISO-8601 UTC).
public struct RootCauseReport: Codable, Sendable {
    /// A function a candidate changed that lies on the regressed stacks.
    public struct Function: Codable, Sendable {
        /// The function's qualified name after the commit.
        public var name: String
        /// Its file, repository-relative.
        public var file: String
        /// Added, modified, removed or renamed.
        public var change: ChangedFunction.Change
        /// Lines the change added inside it.
        public var linesAdded: Int
        /// Lines the change removed from it.
        public var linesRemoved: Int
        /// Its name before a rename.
        public var previousName: String?
        /// The lines the change added to it (capped).
        public var addedText: [String]
        /// The lines the change removed from it (capped).
        public var removedText: [String]

        enum CodingKeys: String, CodingKey {
            case name, file, change
            case linesAdded = "lines_added"
            case linesRemoved = "lines_removed"
            case previousName = "previous_name"
            case addedText = "added_text"
            case removedText = "removed_text"
        }
    }

    /// One ranked suspect.
    public struct Candidate: Codable, Sendable {
        /// A commit, a configuration commit, or an opaque deploy.
        public var kind: RootCauseCandidate.Kind
        /// The commit's hash, or the deployed hash of an opaque deploy.
        public var ref: String
        /// Its author's name.
        public var author: String
        /// Its author's email.
        public var email: String
        /// The commit message's first line, or the deploy's description.
        public var message: String
        /// The ranker's score: the weighted sum of `features`.
        public var score: Double
        /// Its share of the ranking's mass (softmax of the scores): low when candidates are close.
        public var confidence: Double
        /// When the change went live.
        public var liveAt: String?
        /// The changed functions that lie on the regressed stacks.
        public var functions: [Function]
        /// The feature values behind the score, by name.
        public var features: [String: Double]
        /// Lines a person can check.
        public var evidence: [String]

        enum CodingKeys: String, CodingKey {
            case kind, ref, author, email, message, score, confidence, functions, features, evidence
            case liveAt = "live_at"
        }

        /// The report of a ranked candidate.
        public init(_ c: RootCauseCandidate) {
            kind = c.kind
            ref = c.ref
            author = c.author
            email = c.email
            message = c.message
            score = c.score
            confidence = c.confidence
            liveAt = c.liveAt.map(Timestamps.format)
            functions = c.functions.map {
                Function(
                    name: $0.name, file: $0.file, change: $0.change, linesAdded: $0.linesAdded,
                    linesRemoved: $0.linesRemoved, previousName: $0.previousName, addedText: $0.addedText,
                    removedText: $0.removedText)
            }
            features = c.features
            evidence = c.evidence
        }
    }

    /// The regression's id.
    public var regression: Int64
    /// Its service.
    public var service: String
    /// Its function.
    public var function: String
    /// The onset window `[start, end]`.
    public var onset: [String]
    /// The repository of the top code candidate, when known.
    public var repository: String?
    /// The registered name of `repository`: what the code and patch tools take.
    public var repository_name: String?
    /// The suspects, most likely first.
    public var candidates: [Candidate]
    /// The ranker's feature weights.
    public var weights: [String: Double]
    /// The bisection's outcome, with `rootcause --bisect`.
    public var bisect: BisectOutcome?

    enum CodingKeys: String, CodingKey {
        case regression, service, function, onset, repository, candidates, weights, bisect
        case repository_name
    }

    /// A report from its fields.
    public init(
        regression: Int64, service: String, function: String, onset: [String], repository: String?,
        repositoryName: String?, candidates: [Candidate], weights: [String: Double], bisect: BisectOutcome?
    ) {
        self.regression = regression
        self.service = service
        self.function = function
        self.onset = onset
        self.repository = repository
        repository_name = repositoryName
        self.candidates = candidates
        self.weights = weights
        self.bisect = bisect
    }
}
