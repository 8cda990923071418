import Foundation
import HeadroomCore

/// Creates review branches in a repository through separate worktrees, never touching the checked-out branch.
public struct PatchBranch: Sendable {
    /// The repository's root.
    public let repository: String
    /// Where temporary worktrees go.
    public let scratch: String
    /// The author and committer of patch commits.
    public static let author = (name: "Headroom", email: "headroom@localhost")

    /// Branches in `repository`, with worktrees under `scratch`.
    public init(repository: String, scratch: String) {
        self.repository = repository
        self.scratch = scratch
    }

    /// A branch name that does not exist yet: `base`, else `base-2`, `base-3`, ….
    public func freshName(_ base: String) throws -> String {
        var name = base
        var n = 1
        while try branchExists(name) {
            n += 1
            name = "\(base)-\(n)"
        }
        return name
    }

    /// Makes `branch` at `base` in a new worktree, writes the files and commits them.
    /// - Returns: the worktree's path, the new commit and its diff.
    public func commit(branch: String, base: String, files: [(path: String, text: String)], message: String) throws
        -> (worktree: String, commit: String, diff: String)
    {
        guard !branch.isEmpty, try !branchExists(branch) else {
            throw HeadroomError(.refused, "branch \(branch) already exists; Headroom only creates new branches")
        }
        let worktree = (scratch as NSString).appendingPathComponent("patch-\(UUID().uuidString.prefix(8))")
        ActiveWork.shared.addWorktree(worktree, repository: repository)
        try git(["worktree", "add", "-q", "-b", branch, worktree, base])
        for file in files {
            let target = URL(fileURLWithPath: worktree).appendingPathComponent(file.path).standardizedFileURL.path
            guard target.hasPrefix(URL(fileURLWithPath: worktree).standardizedFileURL.path + "/") else {
                throw HeadroomError(.refused, "patch path \(file.path) leaves the repository")
            }
            try file.text.write(toFile: target, atomically: true, encoding: .utf8)
            try git(["-C", worktree, "add", "--", file.path], inRepository: false)
        }
        let env = [
            "GIT_AUTHOR_NAME": Self.author.name, "GIT_AUTHOR_EMAIL": Self.author.email,
            "GIT_COMMITTER_NAME": Self.author.name, "GIT_COMMITTER_EMAIL": Self.author.email,
        ]
        try git(
            ["-C", worktree, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message], inRepository: false,
            environment: env)
        let sha = try git(["-C", worktree, "rev-parse", "HEAD"], inRepository: false)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let diff = try git(["-C", worktree, "show", "--format=", "--no-color", "HEAD"], inRepository: false)
        return (worktree, sha, diff)
    }

    /// A detached worktree at `revision`, for the A/B baseline.
    public func detachedWorktree(at revision: String) throws -> String {
        let path = (scratch as NSString).appendingPathComponent("base-\(UUID().uuidString.prefix(8))")
        ActiveWork.shared.addWorktree(path, repository: repository)
        try git(["worktree", "add", "-q", "--detach", path, revision])
        return path
    }

    /// Removes a worktree made by this type (the branch stays).
    public func removeWorktree(_ path: String) {
        _ = try? git(["worktree", "remove", "--force", path])
        ActiveWork.shared.removeWorktree(path)
    }

    /// Deletes a branch this type made, when its patch is not surfaced.
    public func deleteBranch(_ name: String) {
        _ = try? git(["branch", "-D", name])
    }

    /// The checked-out branch, its head and whether the work tree is clean: compared before and after a fix.
    public func checkoutState() throws -> String {
        let head = try git(["rev-parse", "HEAD"])
        let branch = try git(["rev-parse", "--abbrev-ref", "HEAD"])
        let status = try git(["status", "--porcelain", "--untracked-files=no"])
        return head + branch + status
    }

    private func branchExists(_ name: String) throws -> Bool {
        try Shell.run(["git", "-C", repository, "show-ref", "--verify", "--quiet", "refs/heads/\(name)"]).succeeded
    }

    /// Runs git in the repository, or (with `-C DIR` first in `arguments` and `inRepository: false`) in a worktree.
    @discardableResult
    private func git(_ arguments: [String], inRepository: Bool = true, environment: [String: String] = [:]) throws
        -> String
    {
        guard !inRepository, arguments.count > 2, arguments[0] == "-C" else {
            return try Git(path: repository).run(arguments, environment: environment)
        }
        return try Git(path: arguments[1]).run(Array(arguments.dropFirst(2)), environment: environment)
    }
}
