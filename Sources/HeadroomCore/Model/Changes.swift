/// A function that a commit added, modified or removed.
public struct ChangedFunction: Sendable, Codable, Equatable, Hashable {
    public enum Change: String, Sendable, Codable { case added, modified, removed }
    /// Repository-relative path.
    public var file: String
    /// Qualified name (`Class.method`), or `<module>` for top-level code.
    public var name: String
    public var change: Change
    public var linesAdded: Int
    public var linesRemoved: Int
    public init(file: String, name: String, change: Change, linesAdded: Int, linesRemoved: Int) {
        self.file = file
        self.name = name
        self.change = change
        self.linesAdded = linesAdded
        self.linesRemoved = linesRemoved
    }
}

/// One commit with what it changed.
public struct Commit: Sendable, Codable, Equatable {
    public var sha: String
    public var author: String
    public var email: String
    /// Commit time, Unix seconds.
    public var time: Int64
    public var message: String
    public var files: [String]
    public var functions: [ChangedFunction]
    /// The lines the commit added, kept for content features (logging, regexes, loops).
    public var addedText: String
    public var linesAdded: Int
    public var linesRemoved: Int
    public init(
        sha: String, author: String, email: String, time: Int64, message: String, files: [String],
        functions: [ChangedFunction], addedText: String, linesAdded: Int, linesRemoved: Int
    ) {
        self.sha = sha
        self.author = author
        self.email = email
        self.time = time
        self.message = message
        self.files = files
        self.functions = functions
        self.addedText = addedText
        self.linesAdded = linesAdded
        self.linesRemoved = linesRemoved
    }
}

/// A deploy of a service at a commit; it makes live every commit since the service's previous deploy.
public struct Deploy: Sendable, Codable, Equatable {
    public var service: String
    public var commit: String
    public var time: Int64
    public init(service: String, commit: String, time: Int64) {
        self.service = service
        self.commit = commit
        self.time = time
    }
}

/// A ranked suspect for a regression.
public struct RootCauseCandidate: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case commit, config, deploy }
    public var kind: Kind
    /// Commit sha, config change id or deploy id.
    public var ref: String
    public var author: String
    public var email: String
    public var message: String
    public var score: Double
    /// Lines a person can check.
    public var evidence: [String]
    /// The changed functions that overlap the regressed frames.
    public var functions: [ChangedFunction]
    public init(
        kind: Kind, ref: String, author: String, email: String, message: String, score: Double, evidence: [String],
        functions: [ChangedFunction]
    ) {
        self.kind = kind
        self.ref = ref
        self.author = author
        self.email = email
        self.message = message
        self.score = score
        self.evidence = evidence
        self.functions = functions
    }
}
