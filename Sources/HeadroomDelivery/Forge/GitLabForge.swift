import Foundation
import HeadroomCore

/// GitLab's REST API v4: merge requests (labels and reviewers are fields of the request) and users, as its API
/// documentation defines them. The project is addressed by its URL-encoded full path.
public struct GitLabForge: ForgeClient {
    /// `GitLab`.
    public let name = "GitLab"
    let http: ForgeHTTP
    let project: String
    let projectID: String

    /// A client of the project `repository` on the GitLab API at `api`.
    public init(api: URL, repository: String, token: String, tokenSource: String) {
        project = repository
        projectID =
            repository.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~")))
            ?? repository
        http = ForgeHTTP(
            base: api, authorization: ("PRIVATE-TOKEN", token), forgeName: name, tokenSource: tokenSource)
    }

    private var projectPath: String { "/projects/\(projectID)" }

    /// The open merge request from `branch`, if any.
    public func openPullRequest(head branch: String) async throws -> ForgePullRequest? {
        let answer = try await http.send(
            "GET", "\(projectPath)/merge_requests", query: [("source_branch", branch), ("state", "opened")],
            action: "list merge requests of \(project)")
        return answer.body.arrayValue?.first.flatMap(Self.request)
    }

    /// Opens a merge request with its labels.
    public func createPullRequest(
        title: String, body: String, head: String, base: String, draft: Bool, labels: [String]
    ) async throws -> ForgePullRequest {
        let answer = try await http.send(
            "POST", "\(projectPath)/merge_requests",
            body: [
                "source_branch": .string(head), "target_branch": .string(base),
                "title": .string(draft ? "Draft: \(title)" : title), "description": .string(body),
                "labels": .string(labels.joined(separator: ",")), "remove_source_branch": true,
            ],
            action: "open a merge request from \(head) into \(base)")
        guard let request = Self.request(answer.body) else { throw malformed("the new merge request") }
        return request
    }

    /// Updates a merge request's title, description and labels.
    public func updatePullRequest(_ number: Int, title: String, body: String, labels: [String]) async throws
        -> ForgePullRequest
    {
        let answer = try await http.send(
            "PUT", "\(projectPath)/merge_requests/\(number)",
            body: [
                "title": .string(title), "description": .string(body),
                "add_labels": .string(labels.joined(separator: ",")),
            ],
            action: "update merge request !\(number)")
        guard let request = Self.request(answer.body) else { throw malformed("merge request !\(number)") }
        return request
    }

    /// The GitLab account of a commit's author, found by their email.
    public func user(login: String?, email: String, commit: String) async throws -> ForgeUser? {
        let query = login.map { [("username", $0)] } ?? [("search", email)]
        let answer = try await http.send("GET", "/users", query: query, action: "look up user \(login ?? email)")
        let users = answer.body.arrayValue ?? []
        // A search matches substrings of names and public emails: only an exact username (or a single hit) counts.
        let chosen =
            login.flatMap { name in users.first(where: { $0["username"]?.stringValue == name }) }
            ?? (login == nil && users.count == 1 ? users.first : nil)
        guard let chosen, let username = chosen["username"]?.stringValue, let id = chosen["id"]?.doubleValue else {
            return nil
        }
        return ForgeUser(login: username, id: Int(id))
    }

    /// Adds `user` as the merge request's reviewer.
    public func requestReview(_ number: Int, from user: ForgeUser) async throws {
        guard let id = user.id else { return }
        try await http.send(
            "PUT", "\(projectPath)/merge_requests/\(number)", body: ["reviewer_ids": [.number(Double(id))]],
            action: "request a review from \(user.login)")
    }

    /// A merge request by `iid`: `opened` is reported as `open`, `locked` (mid-merge) too.
    public func pullRequest(_ number: Int) async throws -> ForgePullRequest {
        let answer = try await http.send(
            "GET", "\(projectPath)/merge_requests/\(number)", action: "read merge request !\(number) of \(project)")
        guard var request = Self.request(answer.body) else { throw malformed("merge request !\(number)") }
        if request.state == "opened" || request.state == "locked" { request.state = "open" }
        return request
    }

    static func request(_ value: JSONValue) -> ForgePullRequest? {
        guard let iid = value["iid"]?.doubleValue, let url = value["web_url"]?.stringValue else { return nil }
        return ForgePullRequest(number: Int(iid), url: url, state: value["state"]?.stringValue ?? "opened")
    }

    func malformed(_ what: String) -> ForgeError {
        ForgeError(status: 0, line: "\(name) answered with an unexpected body for \(what)", alreadyExists: false)
    }
}
