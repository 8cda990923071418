/// The ranked suspects of one regression, as every adapter reports them: `headroom rootcause --format json` and the
/// MCP tool `rank_root_causes` encode this value (keys are snake_case whatever the encoder; times ISO-8601 UTC).
public struct RootCauseReport: Codable, Sendable {
    /// A function a candidate changed that lies on the regressed stacks.
    public struct Function: Codable, Sendable {
        public var name: String
        public var file: String
        public var change: ChangedFunction.Change
        public var linesAdded: Int
        public var linesRemoved: Int
        public var previousName: String?
        public var addedText: [String]
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
        public var kind: RootCauseCandidate.Kind
        public var ref: String
        public var author: String
        public var email: String
        public var message: String
        public var score: Double
        public var confidence: Double
        /// When the change went live.
        public var liveAt: String?
        public var functions: [Function]
        public var features: [String: Double]
        public var evidence: [String]

        enum CodingKeys: String, CodingKey {
            case kind, ref, author, email, message, score, confidence, functions, features, evidence
            case liveAt = "live_at"
        }

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

    public var regression: Int64
    public var service: String
    public var function: String
    /// The onset window `[start, end]`.
    public var onset: [String]
    /// The repository of the top code candidate, when known.
    public var repository: String?
    /// The registered name of `repository`: what the code and patch tools take.
    public var repository_name: String?
    public var candidates: [Candidate]
    /// The ranker's feature weights.
    public var weights: [String: Double]
    public var bisect: BisectOutcome?

    enum CodingKeys: String, CodingKey {
        case regression, service, function, onset, repository, candidates, weights, bisect
        case repository_name
    }

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
