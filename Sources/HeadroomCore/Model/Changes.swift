/// A function that a commit added, modified, removed or renamed.
public struct ChangedFunction: Sendable, Codable, Equatable, Hashable {
    /// What the commit did to the function.
    public enum Change: String, Sendable, Codable { case added, modified, removed, renamed }
    /// Repository-relative path.
    public var file: String
    /// Qualified name (`Class.method`), or `<module>` for top-level code.
    public var name: String
    /// Added, modified, removed or renamed.
    public var change: Change
    /// Lines the commit added inside the function.
    public var linesAdded: Int
    /// Lines the commit removed from the function.
    public var linesRemoved: Int
    /// For `renamed`: the name before the commit.
    public var previousName: String?
    /// The lines this commit added to and removed from the function (capped), for content features and evidence.
    public var addedText: [String]
    /// The lines this commit removed from the function (capped).
    public var removedText: [String]

    /// A changed function from its fields.
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
    /// The file, repository-relative.
    public var file: String
    /// The first line of the hunk before the commit.
    public var oldStart: Int
    /// Lines of the hunk before the commit.
    public var oldCount: Int
    /// The first line of the hunk after the commit.
    public var newStart: Int
    /// Lines of the hunk after the commit.
    public var newCount: Int
    /// Qualified names of the functions whose lines it touched.
    public var functions: [String]
    /// A hunk from its fields.
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
    /// The configuration file, repository-relative.
    public var file: String
    /// Dotted path (`pricing.rules.limit`; list items as `[0]`).
    public var key: String
    /// The value before, as text; nil when the commit added the key.
    public var oldValue: String?
    /// The value after, as text; nil when the commit removed the key.
    public var newValue: String?
    /// A key's change from its fields.
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
    /// The full commit hash.
    public var sha: String
    /// Its parents' hashes (two or more for a merge).
    public var parents: [String]
    /// Code or configuration.
    public var kind: Kind
    /// The service a repository was imported for (`--service`), or nil for any.
    public var service: String?
    /// The author's name.
    public var author: String
    /// The author's email: what a fix's pull request is addressed to.
    public var email: String
    /// Commit time, Unix seconds.
    public var time: Int64
    /// The full commit message.
    public var message: String
    /// The files it touched, repository-relative.
    public var files: [String]
    /// The functions whose bodies it changed, with the lines.
    public var functions: [ChangedFunction]
    /// Its hunks, with the functions each touched.
    public var hunks: [Hunk]
    /// The configuration keys it changed (configuration files only).
    public var configKeys: [ConfigKeyChange]
    /// The lines the commit added, kept for content features (logging, regexes, loops).
    public var addedText: String
    /// Lines added over all files.
    public var linesAdded: Int
    /// Lines removed over all files.
    public var linesRemoved: Int
    /// Whether it has more than one parent.
    public var isMerge: Bool { parents.count > 1 }

    /// A commit from its fields.
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
    /// The service deployed.
    public var service: String
    /// The commit deployed (a full hash of an imported commit).
    public var commit: String
    /// When it went live, Unix seconds.
    public var time: Int64
    /// A deploy from its fields.
    public init(service: String, commit: String, time: Int64) {
        self.service = service
        self.commit = commit
        self.time = time
    }
}

/// A ranked suspect for a regression.
public struct RootCauseCandidate: Sendable, Codable, Equatable {
    /// A code commit made live by a deploy, a configuration commit (live when made), or a deploy whose commits are not imported.
    public enum Kind: String, Sendable, Codable { case commit, config, deploy }
    /// What the suspect is.
    public var kind: Kind
    /// Commit sha, config commit sha, or the deployed sha for a deploy whose commits are unknown.
    public var ref: String
    /// Its author's name (the deployer's for an opaque deploy).
    public var author: String
    /// Its author's email.
    public var email: String
    /// The commit message's first line, or the deploy's description.
    public var message: String
    /// The ranker's score: the weighted sum of `features`.
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

    /// A candidate from its fields.
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
