import Foundation
import HeadroomCore

/// A pull request (GitHub) or merge request (GitLab) as Headroom tracks it.
public struct ForgePullRequest: Sendable, Codable, Equatable {
    /// GitHub's number, GitLab's `iid`.
    public var number: Int
    /// Its web address.
    public var url: String
    /// `open`, `closed` or `merged` (`opened` on GitLab).
    public var state: String

    /// A request from its fields.
    public init(number: Int, url: String, state: String) {
        self.number = number
        self.url = url
        self.state = state
    }
}

/// A forge user a review can be requested from.
public struct ForgeUser: Sendable, Codable, Equatable {
    /// The forge login.
    public var login: String
    /// GitLab's numeric id (its API requests reviewers by id).
    public var id: Int?

    /// A user from their login and, on GitLab, id.
    public init(login: String, id: Int? = nil) {
        self.login = login
        self.id = id
    }
}

/// What publishing needs from a forge's REST API. Every call is one request (or a short fixed sequence) against the
/// forge's documented endpoints; a refusal is thrown as a `ForgeError` with one clear line.
public protocol ForgeClient: Sendable {
    var name: String { get }
    /// The open pull request whose head is `branch`, if there is one.
    func openPullRequest(head branch: String) async throws -> ForgePullRequest?
    func createPullRequest(title: String, body: String, head: String, base: String, draft: Bool, labels: [String])
        async throws -> ForgePullRequest
    func updatePullRequest(_ number: Int, title: String, body: String, labels: [String]) async throws
        -> ForgePullRequest
    /// The forge account behind a commit's author: by `login` when a table named it, else as the forge links the
    /// commit (GitHub) or the email (GitLab).
    func user(login: String?, email: String, commit: String) async throws -> ForgeUser?
    func requestReview(_ number: Int, from user: ForgeUser) async throws
    /// A request by number, its state normalised to `open`, `closed` (without merging) or `merged`.
    func pullRequest(_ number: Int) async throws -> ForgePullRequest
}

/// A forge's answer that is not success, as one line.
public struct ForgeError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status (0 when the forge could not be reached).
    public var status: Int
    /// The one line a person reads.
    public var line: String
    /// GitHub's 422 "A pull request already exists for …".
    public var alreadyExists: Bool
    /// The one line.
    public var description: String { line }
}
