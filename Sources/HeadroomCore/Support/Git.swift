import Foundation

/// A thin, checked wrapper over the `git` command for one repository.
public struct Git: Sendable {
    /// The repository's top-level folder.
    public let root: String

    /// Opens the repository containing `path`; fails with a clear error when it is not one.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HeadroomError(.git, "\(path) is not a directory")
        }
        let result = try Shell.run(["git", "-C", path, "rev-parse", "--show-toplevel"], timeout: 30)
        guard result.succeeded else { throw HeadroomError(.git, "\(path) is not a git repository") }
        root = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git in the repository and returns stdout; a failure becomes one clear error line.
    @discardableResult
    public func run(_ arguments: [String], timeout: Double = 120, environment: [String: String] = [:]) throws -> String
    {
        let result = try Shell.run(["git", "-C", root] + arguments, environment: environment, timeout: timeout)
        guard result.succeeded else {
            let why = result.stderr.split(separator: "\n").first.map(String.init) ?? "exit \(result.status)"
            throw HeadroomError(.git, "git \(arguments.first ?? "") failed in \(root): \(why)")
        }
        return result.stdout
    }

    /// The full sha of a revision.
    public func resolve(_ revision: String) throws -> String {
        try run(["rev-parse", "--verify", "--quiet", revision + "^{commit}"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    /// The checked-out branch name, or nil when HEAD is detached.
    public func currentBranch() throws -> String? {
        let name = try run(["rev-parse", "--abbrev-ref", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return name == "HEAD" ? nil : name
    }

    /// A file's text at a revision, or nil when it does not exist there or is not UTF-8.
    public func show(_ revision: String, path: String) -> String? {
        guard let result = try? Shell.run(["git", "-C", root, "show", "\(revision):\(path)"], timeout: 60),
            result.succeeded
        else { return nil }
        return result.stdout
    }

    /// Whether a branch of that name exists.
    public func hasBranch(_ name: String) -> Bool { Self.hasBranch(name, root: root) }

    /// Whether a branch of that name exists in the repository at `root`.
    public static func hasBranch(_ name: String, root: String) -> Bool {
        (try? Shell.run(["git", "-C", root, "show-ref", "--verify", "--quiet", "refs/heads/\(name)"], tracked: false))?
            .succeeded ?? false
    }
}
