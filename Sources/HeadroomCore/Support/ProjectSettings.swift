import Foundation

/// A target repository's own settings, read from `headroom.toml` at its root.
///
/// The reader accepts the TOML subset these files use: `[table]` headers, `key = value` pairs with basic or literal
/// strings, integers, floats and booleans, and `#` comments. Anything else is reported with its line number.
public struct ProjectSettings: Sendable, Equatable {
    /// `[service] name`: the service the repository's profiles belong to.
    public var serviceName: String?
    /// `[service] language` (`python`, `go`).
    public var language: String?
    /// `[commands] test`: the command that runs the repository's tests.
    public var testCommand: String?
    /// `[commands] bench`: the command whose wall time the A/B benchmark measures.
    public var benchCommand: String?
    /// The load driver; `{seconds}` is replaced by the profiling window.
    public var loadCommand: String?
    /// The repository's formatter in check mode (`black --check {file}`); `{file}` is the patched file.
    public var formatCommand: String?
    /// `[policy]`: when `headroom serve` attempts a fix by itself (see `FixPolicy`).
    public var policy = Policy()
    /// `[forge]`: where `headroom review publish` opens pull requests; nil when the file has no such table.
    public var forge: Forge?

    /// `[forge]`: `kind` (`github` or `gitlab`), `repo` (`owner/name`; GitLab: the project's full path), `api` (the
    /// REST base URL; default the public service's), `token_env` (the environment variable holding the token — never
    /// the token itself), `remote` (the git remote to push to, default `origin`), `base` (the target branch, default
    /// the branch the patch was made on), `labels` (array of strings), `draft` (GitHub), `auto_publish` (serve
    /// publishes delivered patches by itself). `[forge.users]` maps commit emails to forge user names.
    public struct Forge: Sendable, Equatable {
        /// The forge's API dialect.
        public enum Kind: String, Sendable, Codable { case github, gitlab }
        /// `kind`: `github` or `gitlab`.
        public var kind: Kind
        /// `repo`: the repository on the forge (`owner/name`, or a GitLab project path).
        public var repo: String
        /// `api`: the API's base URL.
        public var api: String
        /// `token_env`: the environment variable holding the token (never the token itself).
        public var tokenEnv: String
        /// `remote`: the git remote patch branches are pushed to.
        public var remote: String
        /// `base`: the branch pull requests target (default: the remote's default branch).
        public var base: String?
        /// `labels`: labels put on every pull request.
        public var labels: [String]
        /// `draft`: open pull requests as drafts.
        public var draft: Bool
        /// `auto_publish`: the server publishes each delivered patch by itself.
        public var autoPublish: Bool
        /// `[forge.users]`: commit emails to forge logins, for review requests.
        public var users: [String: String]

        /// Forge settings from their fields.
        public init(
            kind: Kind, repo: String, api: String? = nil, tokenEnv: String? = nil, remote: String = "origin",
            base: String? = nil, labels: [String] = ["performance"], draft: Bool = false, autoPublish: Bool = false,
            users: [String: String] = [:]
        ) {
            self.kind = kind
            self.repo = repo
            self.api = api ?? (kind == .github ? "https://api.github.com" : "https://gitlab.com/api/v4")
            self.tokenEnv = tokenEnv ?? (kind == .github ? "GITHUB_TOKEN" : "GITLAB_TOKEN")
            self.remote = remote
            self.base = base
            self.labels = labels
            self.draft = draft
            self.autoPublish = autoPublish
            self.users = users
        }

        /// The token from the variable `token_env` names; its absence is one line saying what the token needs.
        public func token(in environment: [String: String], for purpose: String) throws -> String {
            guard let token = environment[tokenEnv], !token.isEmpty else {
                let name = kind == .github ? "GitHub" : "GitLab"
                throw HeadroomError(.config, "$\(tokenEnv) is not set: export a \(name) token with \(purpose)")
            }
            return token
        }
    }

    /// `[policy]` of a service's repository: `auto_fix` (default true), `min_confidence` (0.5: the top culprit's
    /// share of the ranking), `min_cores` (1.0: the regression's cost in cores) gate automatic fixes;
    /// `critical_cores` (10: a regression this costly goes to a person first, never straight to a fix attempt) and
    /// `notify_min_cores` (0.25) and `notify_min_share` (0.01: below both, a regression waits for the weekly digest
    /// instead of notifying now) route the rest. Absent keys keep the defaults.
    public struct Policy: Sendable, Equatable {
        /// `auto_fix`: attempt fixes without a person (the server's loop).
        public var autoFix: Bool?
        /// `min_confidence`: the root-cause confidence an automatic attempt needs.
        public var minConfidence: Double?
        /// `min_cores`: the cores a regression must cost for an automatic attempt.
        public var minCores: Double?
        /// `critical_cores`: from this cost on, a person first.
        public var criticalCores: Double?
        /// `notify_min_cores`: below this cost, the weekly digest...
        public var notifyMinCores: Double?
        /// `notify_min_share`: ...unless the share moved at least this much (0.01: one percentage point).
        public var notifyMinShare: Double?

        /// A policy from its fields; nil fields keep the defaults.
        public init(autoFix: Bool? = nil, minConfidence: Double? = nil, minCores: Double? = nil) {
            self.autoFix = autoFix
            self.minConfidence = minConfidence
            self.minCores = minCores
        }
    }

    /// Settings from their fields.
    public init(
        serviceName: String? = nil, language: String? = nil, testCommand: String? = nil, benchCommand: String? = nil,
        loadCommand: String? = nil, formatCommand: String? = nil
    ) {
        self.formatCommand = formatCommand
        self.serviceName = serviceName
        self.language = language
        self.testCommand = testCommand
        self.benchCommand = benchCommand
        self.loadCommand = loadCommand
    }

    /// Reads `headroom.toml` under `root`; a missing file gives empty settings.
    public static func load(repository root: String) throws -> ProjectSettings {
        let path = (root as NSString).appendingPathComponent("headroom.toml")
        guard FileManager.default.fileExists(atPath: path) else { return ProjectSettings() }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HeadroomError(.config, "\(path): not readable UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a `headroom.toml`.
    public static func parse(_ text: String, path: String = "headroom.toml") throws -> ProjectSettings {
        var table = ""
        var values: [String: String] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw HeadroomError(.config, "\(path):\(offset + 1): malformed table header")
                }
                table = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw HeadroomError(.config, "\(path):\(offset + 1): expected key = value")
            }
            let key = try parseKey(
                line[..<equals].trimmingCharacters(in: .whitespaces), location: "\(path):\(offset + 1)")
            let value = try parseValue(
                line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces),
                location: "\(path):\(offset + 1)")
            values[table.isEmpty ? key : "\(table).\(key)"] = value
        }
        var settings = ProjectSettings(
            serviceName: values["service.name"], language: values["service.language"],
            testCommand: values["commands.test"], benchCommand: values["commands.bench"],
            loadCommand: values["commands.load"], formatCommand: values["commands.format"])
        if let text = values["policy.auto_fix"] {
            guard text == "true" || text == "false" else {
                throw HeadroomError(.config, "\(path): policy.auto_fix must be true or false")
            }
            settings.policy.autoFix = text == "true"
        }
        let numbers: [(String, WritableKeyPath<Policy, Double?>)] = [
            ("min_confidence", \Policy.minConfidence), ("min_cores", \Policy.minCores),
            ("critical_cores", \Policy.criticalCores), ("notify_min_cores", \Policy.notifyMinCores),
            ("notify_min_share", \Policy.notifyMinShare),
        ]
        for (key, keyPath) in numbers {
            guard let text = values["policy.\(key)"] else { continue }
            guard let number = Double(text), number.isFinite, number >= 0 else {
                throw HeadroomError(.config, "\(path): policy.\(key) must be a number ≥ 0")
            }
            settings.policy[keyPath: keyPath] = number
        }
        settings.forge = try parseForge(values, path: path)
        return settings
    }

    private static func parseForge(_ values: [String: String], path: String) throws -> Forge? {
        let keys = values.keys.filter { $0.hasPrefix("forge.") }
        guard !keys.isEmpty else { return nil }
        guard let kindText = values["forge.kind"], let kind = Forge.Kind(rawValue: kindText) else {
            throw HeadroomError(.config, "\(path): forge.kind must be \"github\" or \"gitlab\"")
        }
        guard let repo = values["forge.repo"], repo.contains("/"), !repo.hasPrefix("/"), !repo.hasSuffix("/") else {
            throw HeadroomError(
                .config, "\(path): forge.repo must be the repository's path on the forge, as owner/name")
        }
        if let api = values["forge.api"] {
            guard let url = URL(string: api), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw HeadroomError(.config, "\(path): forge.api must be an http(s) URL")
            }
        }
        if let env = values["forge.token_env"],
            env.isEmpty || !env.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        {
            throw HeadroomError(
                .config,
                "\(path): forge.token_env names an environment variable (the token itself never goes in the file)")
        }
        func flag(_ key: String) throws -> Bool {
            guard let text = values["forge.\(key)"] else { return false }
            guard text == "true" || text == "false" else {
                throw HeadroomError(.config, "\(path): forge.\(key) must be true or false")
            }
            return text == "true"
        }
        var labels = ["performance"]
        if let text = values["forge.labels"] {
            guard let list = decodeArray(text) else {
                throw HeadroomError(.config, "\(path): forge.labels must be an array of strings")
            }
            labels = list
        }
        var users: [String: String] = [:]
        for key in keys where key.hasPrefix("forge.users.") {
            users[String(key.dropFirst("forge.users.".count)).lowercased()] = values[key]
        }
        let known: Set<String> = [
            "kind", "repo", "api", "token_env", "remote", "base", "labels", "draft", "auto_publish",
        ]
        if let unknown = keys.first(where: { !$0.hasPrefix("forge.users.") && !known.contains(String($0.dropFirst(6))) }
        ) {
            throw HeadroomError(.config, "\(path): unknown key \(unknown)")
        }
        return Forge(
            kind: kind, repo: repo, api: values["forge.api"], tokenEnv: values["forge.token_env"],
            remote: values["forge.remote"] ?? "origin", base: values["forge.base"], labels: labels,
            draft: try flag("draft"), autoPublish: try flag("auto_publish"), users: users)
    }

    /// A bare key, or a quoted one (`"alice@example.com" = …`).
    private static func parseKey(_ text: String, location: String) throws -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
        else { throw HeadroomError(.config, "\(location): malformed key \(text)") }
        return text
    }

    /// Arrays of strings are kept as their elements joined by U+001F, which no TOML basic string here holds.
    private static let arraySeparator = "\u{1F}"
    private static let arrayMarker = "\u{1E}"

    private static func decodeArray(_ stored: String) -> [String]? {
        guard stored.hasPrefix(arrayMarker) else { return nil }
        let body = stored.dropFirst()
        return body.isEmpty ? [] : body.components(separatedBy: arraySeparator)
    }

    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        for (index, char) in zip(line.indices, line) {
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "\"" || char == "'" {
                quote = char
            } else if char == "#" {
                return String(line[..<index])
            }
        }
        return line
    }

    private static func parseValue(_ text: String, location: String) throws -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            let body = String(text.dropFirst().dropLast())
            guard first == "\"" else { return body }
            return body.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        if text == "true" || text == "false" || Double(text) != nil { return text }
        if text.hasPrefix("["), text.hasSuffix("]") {
            var items: [String] = []
            var rest = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)[...]
            while !rest.isEmpty {
                guard let quote = rest.first, quote == "\"" || quote == "'",
                    let close = rest.dropFirst().firstIndex(of: quote)
                else { throw HeadroomError(.config, "\(location): arrays hold quoted strings only") }
                items.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
                if rest.first == "," {
                    rest = rest.dropFirst().drop(while: { $0 == " " })
                } else if !rest.isEmpty {
                    throw HeadroomError(.config, "\(location): expected , between array items")
                }
            }
            return arrayMarker + items.joined(separator: arraySeparator)
        }
        throw HeadroomError(.config, "\(location): unsupported value \(text)")
    }
}
