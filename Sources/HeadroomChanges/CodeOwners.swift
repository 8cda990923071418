import Foundation
import HeadroomCore

/// A repository's CODEOWNERS file (GitHub and GitLab syntax): `pattern owner…` lines, the last matching pattern
/// wins, patterns in gitignore style (a leading or inner `/` anchors to the root, a trailing `/` means a folder and
/// everything in it, `*` stays inside one path segment, `**` crosses them). GitLab's `[Section]` headers are read
/// as comments; owners are `@user`, `@org/team` or an email, as written.
public struct CodeOwners: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        /// The rule's pattern as written.
        public var pattern: String
        /// Its owners as written: @user, @org/team or an email.
        public var owners: [String]
        let regex: String
    }

    /// The rules in file order.
    public var rules: [Rule]
    /// Where the file was found, repository-relative.
    public var path: String

    /// Where GitHub and GitLab look, in their order.
    public static let locations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"]

    /// The first CODEOWNERS file under `root`, or nil.
    public static func load(root: String) -> CodeOwners? {
        for location in locations {
            let file = (root as NSString).appendingPathComponent(location)
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                return CodeOwners(text: text, path: location)
            }
        }
        return nil
    }

    /// A value from its fields.
    public init(text: String, path: String = "CODEOWNERS") {
        self.path = path
        rules = text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix("["), !line.hasPrefix("^[") else { return nil }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let owners = Array(words.dropFirst().prefix { !$0.hasPrefix("#") })
            return Rule(pattern: words[0], owners: owners, regex: Self.regex(for: words[0]))
        }
    }

    /// The owners of a repository-relative path and the rule that named them; nil when no rule matches (or the
    /// last match names nobody, which un-owns the path).
    public func owners(of path: String) -> (owners: [String], pattern: String)? {
        let clean = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard
            let rule = rules.last(where: { clean.range(of: $0.regex, options: .regularExpression) != nil }),
            !rule.owners.isEmpty
        else { return nil }
        return (rule.owners, rule.pattern)
    }

    /// The gitignore-style pattern as an anchored regular expression over a repository-relative path.
    static func regex(for pattern: String) -> String {
        var body = pattern
        let folder = body.hasSuffix("/")
        if folder { body.removeLast() }
        let anchored = body.hasPrefix("/") || body.dropFirst().contains("/")
        if body.hasPrefix("/") { body.removeFirst() }
        var out = ""
        let chars = Array(body)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "*", i + 1 < chars.count, chars[i + 1] == "*" {
                let slashAfter = i + 2 < chars.count && chars[i + 2] == "/"
                out += slashAfter ? "(?:.*/)?" : ".*"
                i += slashAfter ? 3 : 2
                continue
            }
            switch c {
            case "*": out += "[^/]*"
            case "?": out += "[^/]"
            case ".", "+", "(", ")", "[", "]", "{", "}", "^", "$", "|", "\\": out += "\\" + String(c)
            default: out.append(c)
            }
            i += 1
        }
        // A name matches that file or folder and everything in it; a last segment with a wildcard (`docs/*`)
        // matches only what is directly there, as GitHub reads it.
        let last = body.split(separator: "/").last.map(String.init) ?? body
        let glob = last.contains("*") || last.contains("?")
        let start = anchored ? "^" : "^(?:.*/)?"
        return start + out + (folder ? "/.*$" : glob ? "$" : "(?:/.*)?$")
    }
}
