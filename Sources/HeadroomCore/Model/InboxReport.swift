/// `headroom inbox --for PERSON`: what waits for one person, ranked by savings - regressions to review, fixes
/// awaiting their review, and opportunities in their code - each with why it is theirs.
public struct InboxReport: Sendable, Codable, Equatable {
    /// One item of the inbox.
    public struct Item: Sendable, Codable, Equatable {
        /// `regression`, `patch` or `opportunity`, and its id.
        public var kind: String
        /// The row's id.
        public var id: Int64
        /// The service.
        public var service: String
        /// The function's name, as profiles write it.
        public var function: String
        /// The repository-relative file, where the code was found.
        public var path: String?
        /// What it costs (a regression), recovers (a fix) or could save (an opportunity), in cores: the ranking.
        public var cores: Double
        /// Why it is this person's: `culprit author`, `CODEOWNERS <pattern>`, `blame: n of m lines`, or the patch's
        /// reviewer.
        public var because: String
        /// One line on what to do.
        public var summary: String

        /// A value from its fields.
        public init(
            kind: String, id: Int64, service: String, function: String, path: String?, cores: Double,
            because: String, summary: String
        ) {
            self.kind = kind
            self.id = id
            self.service = service
            self.function = function
            self.path = path
            self.cores = cores
            self.because = because
            self.summary = summary
        }

        /// Writes every key; a number that is not finite is `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(id, forKey: .id)
            try c.encode(service, forKey: .service)
            try c.encode(function, forKey: .function)
            try c.encode(path, forKey: .path)
            try c.encode(cores.finite, forKey: .cores)
            try c.encode(because, forKey: .because)
            try c.encode(summary, forKey: .summary)
        }

        enum CodingKeys: String, CodingKey { case kind, id, service, function, path, cores, because, summary }
    }

    /// Who the inbox is for, as asked (an email or an @handle).
    public var person: String
    /// Open regressions whose culprit they wrote or whose code they own.
    public var regressions: [Item]
    /// Delivered fixes waiting for a review, in code they own or for regressions they caused.
    public var patches: [Item]
    /// Opportunities in code they own.
    public var opportunities: [Item]

    /// A value from its fields.
    public init(person: String, regressions: [Item], patches: [Item], opportunities: [Item]) {
        self.person = person
        self.regressions = regressions
        self.patches = patches
        self.opportunities = opportunities
    }
}
