import Foundation
import HeadroomCore

/// Who wrote a span of lines (`git blame`), for routing work to the people who know the code.
public struct LineAuthors: Sendable {
    /// The repository read.
    public let git: Git

    /// A value from its fields.
    public init(git: Git) { self.git = git }

    /// One author's lines in the span.
    public struct Author: Sendable, Equatable {
        /// The author's name.
        public var name: String
        /// The author's email.
        public var email: String
        /// Lines of the span they wrote.
        public var lines: Int
        /// The newest of their lines' commit times, Unix seconds.
        public var latest: Int64
    }

    /// The authors of lines `start...end` of `path` at `revision`, most lines first.
    public func authors(path: String, start: Int, end: Int, revision: String = "HEAD") throws -> [Author] {
        let text = try git.run(["blame", "--line-porcelain", "-L", "\(start),\(end)", revision, "--", path])
        var byEmail: [String: Author] = [:]
        var name = ""
        var email = ""
        var time: Int64 = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("author ") {
                name = String(line.dropFirst(7))
            } else if line.hasPrefix("author-mail ") {
                email = String(line.dropFirst(12)).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            } else if line.hasPrefix("author-time ") {
                time = Int64(line.dropFirst(12)) ?? 0
            } else if line.hasPrefix("\t") {
                // The line's text ends its record.
                var author = byEmail[email.lowercased()] ?? Author(name: name, email: email, lines: 0, latest: 0)
                author.lines += 1
                author.latest = max(author.latest, time)
                byEmail[email.lowercased()] = author
            }
        }
        return byEmail.values.sorted { $0.lines != $1.lines ? $0.lines > $1.lines : $0.latest > $1.latest }
    }

    /// The recent authors of the span: those with a line from the last `window` seconds before its newest line,
    /// most lines first; the people who last worked on the code, not everyone who ever touched it.
    public func recentAuthors(path: String, start: Int, end: Int, window: Int64 = 365 * 86400) throws -> [Author] {
        let all = try authors(path: path, start: start, end: end)
        guard let newest = all.map(\.latest).max() else { return [] }
        return all.filter { $0.latest >= newest - window }
    }
}
