import Foundation
import HeadroomCore

/// One commit as `git log -p` shows it, before functions are resolved.
public struct RawCommit: Sendable {
    public var sha: String
    public var parents: [String]
    public var author: String
    public var email: String
    public var time: Int64
    public var message: String
    /// The diff against the first parent; empty for merges (see `CommitImporter`).
    public var files: [FileDiff]
}

/// Reads a repository's history in one `git log` and file contents in batches through `git cat-file --batch`.
public struct GitHistory: Sendable {
    public let git: Git

    public init(git: Git) { self.git = git }

    /// Fails clearly on a shallow clone or a repository without commits.
    public func checkUsable() throws {
        let shallow = try git.run(["rev-parse", "--is-shallow-repository"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        if shallow == "true" {
            throw HeadroomError(
                .git,
                "\(git.root) is a shallow clone: its oldest commits' parents are missing, so their "
                    + "diffs would be wrong (run `git fetch --unshallow` first)")
        }
        let head = try Shell.run(
            ["git", "-C", git.root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"], timeout: 30)
        guard head.succeeded else { throw HeadroomError(.git, "\(git.root) has no commits") }
    }

    /// The `git log` arguments selecting commits after `since`: a revision (`REF..HEAD`) or a date.
    public func range(since: String?) throws -> [String] {
        guard let since else { return ["HEAD"] }
        let asRevision = try Shell.run(
            ["git", "-C", git.root, "rev-parse", "--verify", "--quiet", since + "^{commit}"], timeout: 30)
        if asRevision.succeeded {
            return [asRevision.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "..HEAD"]
        }
        if let time = Timestamps.parse(since) { return ["--since=@\(time)", "HEAD"] }
        throw HeadroomError(.badInput, "--since \(since): neither a revision of \(git.root) nor a date")
    }

    /// Commits in `range`, parents before children, with their zero-context diffs against the first parent.
    public func log(_ range: [String]) throws -> [RawCommit] {
        let output = try git.run(
            [
                "-c", "core.quotePath=true", "log", "--reverse", "--topo-order", "-p", "-U0", "--no-color",
                "--no-ext-diff",
                "--no-textconv", "--full-index", "-M", "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%ct%x1f%s%x1f",
            ] + range
                + ["--"],
            timeout: 1800)
        // Records start with a line beginning 0x1e; diff lines never do (they begin with a space, +, -, @, \\ or a
        // keyword), even when file contents hold that byte. Splitting bytes also avoids grapheme breaking.
        var commits: [RawCommit] = []
        var header: [Substring]?
        var diffLines: [Substring] = []
        func flush() {
            guard let fields = header, fields.count >= 6, fields[0].count >= 40 else { return }
            commits.append(
                RawCommit(
                    sha: String(fields[0]), parents: fields[1].split(separator: " ").map(String.init),
                    author: String(fields[2]), email: String(fields[3]), time: Int64(fields[4]) ?? 0,
                    message: String(fields[5]), files: UnifiedDiff.parse(lines: diffLines)))
        }
        for bytes in output.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            if bytes.first == 0x1e {
                flush()
                header = bytes.dropFirst().split(separator: 0x1f, omittingEmptySubsequences: false).map {
                    Substring($0)
                }
                diffLines.removeAll(keepingCapacity: true)
            } else if header != nil {
                diffLines.append(Substring(bytes))
            }
        }
        flush()
        return commits
    }

    /// Blob contents by id; blobs larger than `limit` bytes, or missing, are left out.
    public func blobs(_ ids: [String], limit: Int = 2_000_000) throws -> [String: Data] {
        var result: [String: Data] = [:]
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 2000, ids.count)]
            start += chunk.count
            let input = Data(chunk.map { $0 + "\n" }.joined().utf8)
            let run = try Shell.run(["git", "-C", git.root, "cat-file", "--batch"], input: input, timeout: 600)
            guard run.succeeded else {
                throw HeadroomError(
                    .git,
                    "git cat-file failed in \(git.root): "
                        + (run.stderr.split(separator: "\n").first.map(String.init) ?? "exit \(run.status)"))
            }
            let bytes = run.stdoutData
            var i = bytes.startIndex
            while i < bytes.endIndex {
                guard let newline = bytes[i...].firstIndex(of: 10) else { break }
                let header = String(decoding: bytes[i..<newline], as: UTF8.self).split(separator: " ")
                i = bytes.index(after: newline)
                guard header.count == 3, let size = Int(header[2]) else { continue }  // "<id> missing"
                let end = bytes.index(i, offsetBy: size)
                if size <= limit { result[String(header[0])] = bytes[i..<end] }
                i = bytes.index(after: end)  // the LF after the contents
            }
        }
        return result
    }
}
