import HeadroomCore
import HeadroomRootCause
import HeadroomStore

/// The ranked suspects of one regression, as every adapter reports them: `headroom rootcause --format json` and the
/// MCP tool `rank_root_causes` encode this value (keys are snake_case whatever the encoder; times ISO-8601 UTC).
public struct RootCauseReport: Encodable, Sendable {
    /// A function a candidate changed that lies on the regressed stacks.
    public struct Function: Encodable, Sendable {
        public var name: String
        public var file: String
        public var change: String
        public var linesAdded: Int
        public var linesRemoved: Int
        public var previousName: String?
        public var addedText: [String]

        enum CodingKeys: String, CodingKey {
            case name, file, change
            case linesAdded = "lines_added"
            case linesRemoved = "lines_removed"
            case previousName = "previous_name"
            case addedText = "added_text"
        }
    }

    /// One ranked suspect.
    public struct Candidate: Encodable, Sendable {
        public var kind: String
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
            kind = c.kind.rawValue
            ref = c.ref
            author = c.author
            email = c.email
            message = c.message
            score = c.score
            confidence = c.confidence
            liveAt = c.liveAt.map(Timestamps.format)
            functions = c.functions.map {
                Function(
                    name: $0.name, file: $0.file, change: $0.change.rawValue, linesAdded: $0.linesAdded,
                    linesRemoved: $0.linesRemoved, previousName: $0.previousName, addedText: $0.addedText)
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
    public var bisect: Bisector.Outcome?

    /// Ranks the culprits of regression `id` (and stores the ranking), keeping the first `limit` candidates.
    public init(service: RootCauseService, regression id: Int64, limit: Int? = nil, bisect: Bisector.Outcome? = nil)
        throws
    {
        let (found, ranked) = try service.run(regression: id)
        let kept = limit.map { Array(ranked.prefix($0)) } ?? ranked
        let window = RootCauseContext.onsetWindow(found, bucketSeconds: Store.bucketSeconds)
        regression = id
        self.service = found.service
        function = found.function.description
        onset = [Timestamps.format(window.start), Timestamps.format(window.end)]
        repository = try kept.first { $0.kind != .deploy }.flatMap { try service.store.repository(ofCommit: $0.ref) }
        repository_name = repository.flatMap { RepositoryRegistry(store: service.store).name(ofRoot: $0) }
        candidates = kept.map(Candidate.init)
        weights = service.ranker.weights.byName
        self.bisect = bisect
    }
}
