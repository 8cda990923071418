/// A function that a commit added, modified, removed or renamed.
public struct ChangedFunction: Sendable, Codable, Equatable, Hashable {
    public enum Change: String, Sendable, Codable { case added, modified, removed, renamed }
    /// Repository-relative path.
    public var file: String
    /// Qualified name (`Class.method`), or `<module>` for top-level code.
    public var name: String
    public var change: Change
    public var linesAdded: Int
    public var linesRemoved: Int
    /// For `renamed`: the name before the commit.
    public var previousName: String?
    /// The lines this commit added to and removed from the function (capped), for content features and evidence.
    public var addedText: [String]
    public var removedText: [String]

    public init(
        file: String, name: String, change: Change, linesAdded: Int, linesRemoved: Int, previousName: String? = nil,
        addedText: [String] = [], removedText: [String] = []
    ) {
        self.file = file
        self.name = name
        self.change = change
        self.linesAdded = linesAdded
        self.linesRemoved = linesRemoved
        self.previousName = previousName
        self.addedText = addedText
        self.removedText = removedText
    }
}

/// One hunk of a commit's diff and the functions whose lines it touched.
public struct Hunk: Sendable, Codable, Equatable {
    public var file: String
    public var oldStart: Int
    public var oldCount: Int
    public var newStart: Int
    public var newCount: Int
    public var functions: [String]
    public init(file: String, oldStart: Int, oldCount: Int, newStart: Int, newCount: Int, functions: [String] = []) {
        self.file = file
        self.oldStart = oldStart
        self.oldCount = oldCount
        self.newStart = newStart
        self.newCount = newCount
        self.functions = functions
    }
}

/// One key of a configuration file (JSON, YAML, TOML, INI) that a commit added, changed or removed.
public struct ConfigKeyChange: Sendable, Codable, Equatable, Hashable {
    public var file: String
    /// Dotted path (`pricing.rules.limit`; list items as `[0]`).
    public var key: String
    public var oldValue: String?
    public var newValue: String?
    public init(file: String, key: String, oldValue: String?, newValue: String?) {
        self.file = file
        self.key = key
        self.oldValue = oldValue
        self.newValue = newValue
    }
    /// The last path component without list indices: what code usually spells (`limit`).
    public var leaf: String {
        let last = key.split(separator: ".").last.map(String.init) ?? key
        return last.split(separator: "[").first.map(String.init) ?? last
    }
}

/// One commit with what it changed.
public struct Commit: Sendable, Codable, Equatable {
    /// `code` for a service's repository; `config` for a configuration repository, whose commits are live when made.
    public enum Kind: String, Sendable, Codable { case code, config }
    public var sha: String
    public var parents: [String]
    public var kind: Kind
    /// The service a repository was imported for (`--service`), or nil for any.
    public var service: String?
    public var author: String
    public var email: String
    /// Commit time, Unix seconds.
    public var time: Int64
    public var message: String
    public var files: [String]
    public var functions: [ChangedFunction]
    public var hunks: [Hunk]
    public var configKeys: [ConfigKeyChange]
    /// The lines the commit added, kept for content features (logging, regexes, loops).
    public var addedText: String
    public var linesAdded: Int
    public var linesRemoved: Int
    public var isMerge: Bool { parents.count > 1 }

    public init(
        sha: String, parents: [String] = [], kind: Kind = .code, service: String? = nil, author: String,
        email: String, time: Int64, message: String, files: [String], functions: [ChangedFunction],
        hunks: [Hunk] = [], configKeys: [ConfigKeyChange] = [], addedText: String, linesAdded: Int, linesRemoved: Int
    ) {
        self.sha = sha
        self.parents = parents
        self.kind = kind
        self.service = service
        self.author = author
        self.email = email
        self.time = time
        self.message = message
        self.files = files
        self.functions = functions
        self.hunks = hunks
        self.configKeys = configKeys
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
    /// Commit sha, config commit sha, or the deployed sha for a deploy whose commits are unknown.
    public var ref: String
    public var author: String
    public var email: String
    public var message: String
    public var score: Double
    /// Probability-like share of the ranking's mass (softmax of scores); low when candidates are close.
    public var confidence: Double
    /// Lines a person can check.
    public var evidence: [String]
    /// The changed functions that overlap the regressed frames.
    public var functions: [ChangedFunction]
    /// The feature values behind the score, by name.
    public var features: [String: Double]
    /// When the change went live (deploy time, or commit time for config).
    public var liveAt: Int64?

    public init(
        kind: Kind, ref: String, author: String, email: String, message: String, score: Double,
        confidence: Double = 0, evidence: [String], functions: [ChangedFunction], features: [String: Double] = [:],
        liveAt: Int64? = nil
    ) {
        self.kind = kind
        self.ref = ref
        self.author = author
        self.email = email
        self.message = message
        self.score = score
        self.confidence = confidence
        self.evidence = evidence
        self.functions = functions
        self.features = features
        self.liveAt = liveAt
    }
}
