// The answers of the change and code tools (`get_change`, `config_history`, `search_code`).
// Conventions for every answer (keys, nulls, times) are on ToolSignature, in ../ToolName.swift.

/// `get_change`: one commit as stored (snake_case keys) and, when its repository is known, its diff (capped).
public struct ChangeReport: Codable, Sendable {
    /// The commit as imported: author, time, message, changed functions and configuration keys.
    public var commit: Commit
    /// `git show --stat -p` of the commit, capped at 20,000 characters; nil when its repository is not on this machine.
    public var diff: String?

    enum CodingKeys: String, CodingKey { case diff }

    /// A commit and, when known, its diff.
    public init(commit: Commit, diff: String?) {
        self.commit = commit
        self.diff = diff
    }

    /// The commit's fields and `diff` side by side in one object; `diff` is left out when unknown.
    public init(from decoder: any Decoder) throws {
        commit = try Commit(from: decoder)
        diff = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .diff)
    }

    /// Writes the commit's fields and, when known, `diff` into one object.
    public func encode(to encoder: any Encoder) throws {
        try commit.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(diff, forKey: .diff)
    }
}

/// `config_history`: configuration keys changed in a time range.
public struct ConfigChangeList: Codable, Sendable, Equatable {
    /// One key's change in one commit.
    public struct Row: Codable, Sendable, Equatable {
        /// The configuration commit.
        public var sha: String
        /// When it was committed (live at once), ISO-8601 UTC.
        public var time: String
        /// Its author.
        public var author: String
        /// The configuration file, repository-relative.
        public var file: String
        /// The dotted key (`pricing.rules[0].limit`).
        public var key: String
        /// The value before; nil when the commit added the key.
        public var old: String?
        /// The value after; nil when the commit removed the key.
        public var new: String?

        /// One key's change from its fields.
        public init(sha: String, time: String, author: String, file: String, key: String, old: String?, new: String?) {
            self.sha = sha
            self.time = time
            self.author = author
            self.file = file
            self.key = key
            self.old = old
            self.new = new
        }

        /// Every key is written, absent values as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sha, forKey: .sha)
            try c.encode(time, forKey: .time)
            try c.encode(author, forKey: .author)
            try c.encode(file, forKey: .file)
            try c.encode(key, forKey: .key)
            try c.encode(old, forKey: .old)  // null when the key was added, never left out
            try c.encode(new, forKey: .new)
        }
    }

    /// The changes, oldest commit first.
    public var changes: [Row]

    /// The list of `changes`.
    public init(changes: [Row]) { self.changes = changes }
}

/// `search_code`: matching lines of a repository's tracked files.
public struct CodeSearchReport: Codable, Sendable, Equatable {
    /// One matching line.
    public struct Match: Codable, Sendable, Equatable {
        /// The file, repository-relative.
        public var path: String
        /// The 1-based line number.
        public var line: Int
        /// The line, capped at 300 characters.
        public var text: String

        /// One match from its fields.
        public init(path: String, line: Int, text: String) {
            self.path = path
            self.line = line
            self.text = text
        }
    }

    /// The matching lines, at most the call's `limit`.
    public var matches: [Match]
    /// The repository's root.
    public var repository: String

    /// The matches in the repository at `repository`.
    public init(matches: [Match], repository: String) {
        self.matches = matches
        self.repository = repository
    }
}
