import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomStore

/// Imports change history (repositories and deploy files) into the store; every adapter goes through it.
public struct ChangeHistoryService: Sendable {
    /// The store commits and deploys go to: SQLite, or team mode's database (`TeamStore`).
    public let store: any ChangeStore

    /// A service over `store`.
    public init(store: any ChangeStore) { self.store = store }

    /// What one `changes import` did.
    public struct RepositoryImport: Sendable {
        /// The repository's root.
        public var root: String
        /// The commits read (the known ones skipped unless `full`).
        public var commits: [Commit]
        /// How many of them were new to the store.
        public var added: Int
        /// How many commits the store knew before.
        public var known: Int
    }

    /// Imports a repository's commits after `since`, skipping known ones unless `full`; one transaction.
    public func importRepository(
        _ path: String, since: String? = nil, kind: Commit.Kind = .code, service: String? = nil, full: Bool = false
    ) throws -> RepositoryImport {
        let git = try Git(path: path)
        // The operator named this repository: tools may read it from now on.
        try RepositoryRegistry(store: store).register(path: git.root, service: kind == .code ? service : nil)
        let known = full ? [] : try store.knownCommits(repository: git.root)
        let commits = try CommitImporter(git: git).importCommits(
            since: since, kind: kind, service: service, known: known)
        let added = try store.saveCommits(commits, repository: git.root)
        return RepositoryImport(root: git.root, commits: commits, added: added, known: known.count)
    }

    /// Records one deploy of an imported commit (a full sha or a unique prefix); returns the full sha.
    @discardableResult
    public func recordDeploy(service: String, commit: String, time: Int64) throws -> String {
        let sha = try store.resolveCommit(commit)
        try store.addDeploys([Deploy(service: service, commit: sha, time: time)])
        return sha
    }

    /// Imports a `timestamp,service,commit` deploy file whole or not at all; errors name `file:line`. Returns the
    /// deploys and how many were new.
    public func importDeploys(file: String) throws -> (deploys: [Deploy], added: Int) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HeadroomError(.notFound, "cannot read \(file)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HeadroomError(.badInput, "\(file) is not UTF-8 text")
        }
        let deploys = try DeployCSV.parse(text, name: file).map { row in
            do {
                return Deploy(service: row.service, commit: try store.resolveCommit(row.commit), time: row.time)
            } catch let error as HeadroomError {
                throw HeadroomError(error.code, "\(file):\(row.line): \(error.message)")
            }
        }
        return (deploys, try store.addDeploys(deploys))
    }
}
