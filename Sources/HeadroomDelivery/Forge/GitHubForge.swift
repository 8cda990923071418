import Foundation
import HeadroomCore

/// GitHub's REST API (also GitHub Enterprise Server's, under its `/api/v3` base): pulls, issue labels, requested
/// reviewers and commits, as its published API description defines them.
public struct GitHubForge: ForgeClient {
    /// `GitHub`.
    public let name = "GitHub"
    let http: ForgeHTTP
    let owner: String
    let repo: String

    /// A client of `repository` (`owner/name`) on the GitHub API at `api`; a malformed name is a `config` error.
    public init(api: URL, repository: String, token: String, tokenSource: String) throws {
        let parts = repository.split(separator: "/").map(String.init)
        guard parts.count == 2 else {
            throw HeadroomError(.config, "forge.repo for GitHub is owner/name, not \(repository)")
        }
        owner = parts[0]
        repo = parts[1]
        http = ForgeHTTP(
            base: api, authorization: ("Authorization", "Bearer \(token)"),
            extraHeaders: ["Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"],
            forgeName: name, tokenSource: tokenSource)
    }

    private var repoPath: String { "/repos/\(Self.segment(owner))/\(Self.segment(repo))" }

    /// The open pull request from `branch`, if any.
    public func openPullRequest(head branch: String) async throws -> ForgePullRequest? {
        let answer = try await http.send(
            "GET", "\(repoPath)/pulls", query: [("head", "\(owner):\(branch)"), ("state", "open"), ("per_page", "10")],
            action: "list pull requests of \(owner)/\(repo)")
        return answer.body.arrayValue?.first.flatMap(Self.pull)
    }

    /// Opens a pull request, then labels it.
    public func createPullRequest(
        title: String, body: String, head: String, base: String, draft: Bool, labels: [String]
    ) async throws -> ForgePullRequest {
        let answer = try await http.send(
            "POST", "\(repoPath)/pulls",
            body: [
                "title": .string(title), "body": .string(body), "head": .string(head), "base": .string(base),
                "draft": .bool(draft), "maintainer_can_modify": true,
            ],
            action: "open a pull request from \(head) into \(base)")
        guard let pull = Self.pull(answer.body) else { throw malformed("the new pull request") }
        try await setLabels(pull.number, labels)
        return pull
    }

    /// Updates a pull request's title, body and labels.
    public func updatePullRequest(_ number: Int, title: String, body: String, labels: [String]) async throws
        -> ForgePullRequest
    {
        let answer = try await http.send(
            "PATCH", "\(repoPath)/pulls/\(number)", body: ["title": .string(title), "body": .string(body)],
            action: "update pull request #\(number)")
        guard let pull = Self.pull(answer.body) else { throw malformed("pull request #\(number)") }
        try await setLabels(number, labels)
        return pull
    }

    /// Adds the labels (labels a person added stay; GitHub creates missing ones).
    private func setLabels(_ number: Int, _ labels: [String]) async throws {
        guard !labels.isEmpty else { return }
        try await http.send(
            "POST", "\(repoPath)/issues/\(number)/labels", body: ["labels": .array(labels.map(JSONValue.string))],
            action: "label pull request #\(number)")
    }

    /// The GitHub account of a commit's author, as GitHub links the commit.
    public func user(login: String?, email: String, commit: String) async throws -> ForgeUser? {
        if let login { return ForgeUser(login: login) }
        // The commit as GitHub links it: `author` is the account whose verified email wrote it (null when none is).
        let answer = try await http.send(
            "GET", "\(repoPath)/commits/\(Self.segment(commit))", action: "look up commit \(commit.prefix(12))")
        return answer.body["author"]?["login"]?.stringValue.map { ForgeUser(login: $0) }
    }

    /// Requests a review from `user`.
    public func requestReview(_ number: Int, from user: ForgeUser) async throws {
        try await http.send(
            "POST", "\(repoPath)/pulls/\(number)/requested_reviewers",
            body: ["reviewers": [.string(user.login)]], action: "request a review from \(user.login)")
    }

    /// Uploads a SARIF log to code scanning (`POST /repos/{owner}/{repo}/code-scanning/sarifs`: the log gzipped and
    /// base64-encoded, for a commit and ref GitHub knows). Returns the upload's id and status URL.
    public func uploadSarif(gzipped: Data, commit: String, ref: String, checkoutURI: String?) async throws -> (
        id: String, url: String
    ) {
        var body: [String: JSONValue] = [
            "commit_sha": .string(commit), "ref": .string(ref), "sarif": .string(gzipped.base64EncodedString()),
            "tool_name": "Headroom",
        ]
        if let checkoutURI { body["checkout_uri"] = .string(checkoutURI) }
        let answer = try await http.send(
            "POST", "\(repoPath)/code-scanning/sarifs", body: .object(body),
            action: "upload SARIF for \(commit.prefix(12)) to code scanning")
        return (answer.body["id"]?.stringValue ?? "?", answer.body["url"]?.stringValue ?? "")
    }

    /// A pull request by number: GitHub answers `closed` for merged ones too, with `merged: true`.
    public func pullRequest(_ number: Int) async throws -> ForgePullRequest {
        let answer = try await http.send(
            "GET", "\(repoPath)/pulls/\(number)", action: "read pull request #\(number) of \(owner)/\(repo)")
        guard var pull = Self.pull(answer.body) else { throw malformed("pull request #\(number)") }
        if answer.body["merged"]?.boolValue == true || answer.body["merged_at"]?.stringValue != nil {
            pull.state = "merged"
        }
        return pull
    }

    static func pull(_ value: JSONValue) -> ForgePullRequest? {
        guard let number = value["number"]?.doubleValue, let url = value["html_url"]?.stringValue else { return nil }
        return ForgePullRequest(number: Int(number), url: url, state: value["state"]?.stringValue ?? "open")
    }

    func malformed(_ what: String) -> ForgeError {
        ForgeError(status: 0, line: "\(name) answered with an unexpected body for \(what)", alreadyExists: false)
    }

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? text
    }
}
