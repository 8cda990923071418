import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomStore

/// Publishes a delivered patch where its reviewers work: pushes its branch to the repository's git remote and opens
/// (or, when one is open for the branch, updates) a pull request on GitHub or a merge request on GitLab, labelled,
/// with a review requested from the author of the culprit change. Configured by `[forge]` in the repository's
/// `headroom.toml`; the token comes from the environment variable the file names. Nothing local changes: the branch
/// is pushed as it is, and a refusal from the remote or the forge is one error line.
public struct PublishService: Sendable {
    /// The store of patches and publications.
    public let store: any FixStore
    /// Where the token is read from (the process environment; tests pass their own).
    public var environment: [String: String]
    /// Makes the forge client (tests substitute one; the default speaks HTTP to the configured API).
    public var makeClient: @Sendable (ProjectSettings.Forge, String) throws -> any ForgeClient

    /// A service over `store`, reading forge tokens from `environment` and reaching forges through `makeClient`.
    public init(
        store: any FixStore, environment: [String: String] = ProcessInfo.processInfo.environment,
        makeClient: @escaping @Sendable (ProjectSettings.Forge, String) throws -> any ForgeClient = PublishService
            .httpClient
    ) {
        self.store = store
        self.environment = environment
        self.makeClient = makeClient
    }

    /// The answer of `headroom review publish` (and the server's automatic publication).
    public struct Result: Sendable, Codable, Equatable {
        /// The patch published.
        public var patch: Int64
        /// `github` or `gitlab`.
        public var forge: String
        /// The repository on the forge.
        public var repo: String
        /// The pull or merge request's number.
        public var number: Int
        /// Its web address.
        public var url: String
        /// True when this call opened the request; false when it updated the open one.
        public var created: Bool
        /// The branch pushed.
        public var branch: String
        /// The branch the request targets.
        public var base: String
        /// The git remote pushed to.
        public var remote: String
        /// The commit pushed.
        public var commit: String
        /// The labels put on the request.
        public var labels: [String]
        /// The forge login a review was requested from.
        public var reviewer: String?
        /// Why no review was requested, or why the request failed (the publication itself stands).
        public var reviewerNote: String?
        /// Seconds the publication took.
        public var seconds: Double

        enum CodingKeys: String, CodingKey {
            case patch, forge, repo, number, url, created, branch, base, remote, commit, labels, reviewer, seconds
            case reviewerNote = "reviewer_note"
        }
    }

    /// The forge client for a repository's `[forge]` table and token.
    public static let httpClient: @Sendable (ProjectSettings.Forge, String) throws -> any ForgeClient = {
        forge, token in
        guard let api = URL(string: forge.api) else { throw HeadroomError(.config, "forge.api is not a URL") }
        switch forge.kind {
        case .github:
            return try GitHubForge(api: api, repository: forge.repo, token: token, tokenSource: forge.tokenEnv)
        case .gitlab: return GitLabForge(api: api, repository: forge.repo, token: token, tokenSource: forge.tokenEnv)
        }
    }

    /// The forge settings of a patch's repository (its root, as patches record it), or nil when its
    /// `headroom.toml` has no `[forge]`. Reads the file only: pages call this for every patch they show.
    public static func forge(repository: String) throws -> ProjectSettings.Forge? {
        try ProjectSettings.load(repository: repository).forge
    }

    /// Pushes a delivered patch's branch (never forced) and opens or updates its pull request.
    public func publish(patchID: Int64, remote remoteOverride: String? = nil) async throws -> Result {
        let started = Date()
        // The store's calls run off the cooperative pool (team mode's store waits for PostgreSQL).
        let store = store
        let patch = try await AsyncBridge.offPool { try store.patch(id: patchID) }
        guard patch.status == .delivered, let branch = patch.branch, let commit = patch.commit else {
            throw HeadroomError(
                .badInput,
                "patch \(patchID) is \(patch.status.rawValue), not delivered: only a validated fix is published")
        }
        guard patch.review != .rejected else {
            throw HeadroomError(.refused, "patch \(patchID) was rejected; it is not published")
        }
        let git = try Git(path: patch.repository)
        guard let forge = try ProjectSettings.load(repository: git.root).forge else {
            throw HeadroomError(
                .config,
                "\(git.root)/headroom.toml has no [forge] table: set kind, repo and token_env to publish (README: Publish fixes)"
            )
        }
        let token = try forge.token(in: environment, for: "pull-request access")
        guard (try? git.resolve("refs/heads/\(branch)")) == commit else {
            throw HeadroomError(
                .refused,
                "branch \(branch) is gone or no longer at the patch's commit \(commit.prefix(12)); nothing pushed")
        }
        let remote = remoteOverride ?? forge.remote
        guard (try? git.run(["remote", "get-url", remote])) != nil else {
            throw HeadroomError(.config, "\(git.root) has no git remote named \(remote)")
        }
        let base = try forge.base ?? baseBranch(git: git, remote: remote)
        // The push may take a while (a slow remote): off the cooperative pool, which a server shares.
        try await AsyncBridge.offPool { try push(git: git, remote: remote, branch: branch) }

        let client = try makeClient(forge, token)
        let text = try await AsyncBridge.offPool {
            try PatchService(store: store, outputDirectory: "").pullRequestText(for: patch)
        }
        let body = text.body + "\n<!-- headroom:patch:\(patchID) -->\n"
        var created = false
        let pull: ForgePullRequest
        do {
            if let open = try await client.openPullRequest(head: branch) {
                pull = try await client.updatePullRequest(
                    open.number, title: text.title, body: body, labels: forge.labels)
            } else {
                do {
                    pull = try await client.createPullRequest(
                        title: text.title, body: body, head: branch, base: base, draft: forge.draft,
                        labels: forge.labels)
                    created = true
                } catch let error as ForgeError where error.alreadyExists {
                    // Opened by someone else between our look and our request: update that one.
                    guard let open = try await client.openPullRequest(head: branch) else { throw error }
                    pull = try await client.updatePullRequest(
                        open.number, title: text.title, body: body, labels: forge.labels)
                }
            }
        } catch let error as ForgeError {
            throw HeadroomError(.refused, error.line)
        }
        var result = Result(
            patch: patchID, forge: forge.kind.rawValue, repo: forge.repo, number: pull.number, url: pull.url,
            created: created, branch: branch, base: base, remote: remote, commit: commit, labels: forge.labels,
            reviewer: nil, reviewerNote: nil, seconds: 0)
        try await requestReview(patch: patch, forge: forge, client: client, pull: pull, result: &result)
        let now = Timestamps.now()
        let publication = Publication(
            patchID: patchID, forge: forge.kind.rawValue, repo: forge.repo, number: pull.number, url: pull.url,
            reviewer: result.reviewer, publishedAt: now, updatedAt: now)
        try await AsyncBridge.offPool { try store.savePublication(publication) }
        if created {
            var event = EventPayload(
                event: "patch.published", createdAt: now,
                text:
                    "Headroom: patch #\(patchID)\(patch.function.map { " for \($0)" } ?? "") published as \(pull.url)"
                    + (result.reviewer.map { ", review requested from \($0)" } ?? ""),
                patch: EventPayload.PatchSummary(patch))
            event.url = pull.url
            let (kind, payload) = (event.event, try event.json())
            _ = try await AsyncBridge.offPool {
                try store.recordEvent(kind: kind, subject: "patch/\(patchID)", payload: payload, at: now)
            }
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// Asks the culprit's author to review; a failure here is noted, not thrown (the request is open either way).
    private func requestReview(
        patch: PatchRecord, forge: ProjectSettings.Forge, client: any ForgeClient, pull: ForgePullRequest,
        result: inout Result
    ) async throws {
        let store = store
        guard let id = patch.regressionID, let ref = patch.culprit,
            let culprit = try await AsyncBridge.offPool({ try store.candidates(regression: id) }).first(where: {
                $0.ref == ref
            }), culprit.kind == .commit
        else {
            result.reviewerNote = "no culprit commit to ask (opportunity fixes and deploy culprits have no author)"
            return
        }
        do {
            guard
                let user = try await client.user(
                    login: forge.users[culprit.email.lowercased()], email: culprit.email, commit: culprit.ref)
            else {
                result.reviewerNote =
                    "no \(forge.kind.rawValue) account found for \(culprit.email); map it in [forge.users] of headroom.toml"
                return
            }
            try await client.requestReview(pull.number, from: user)
            result.reviewer = user.login
        } catch let error as ForgeError {
            result.reviewerNote = error.line
        }
    }

    /// The branch a pull request targets: the remote's default branch as git knows it, else the checked-out one.
    private func baseBranch(git: Git, remote: String) throws -> String {
        if let head = try? git.run(["symbolic-ref", "--quiet", "--short", "refs/remotes/\(remote)/HEAD"]) {
            let name = head.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.hasPrefix(remote + "/") { return String(name.dropFirst(remote.count + 1)) }
        }
        if let current = try git.currentBranch(), !current.hasPrefix("headroom/") { return current }
        throw HeadroomError(.config, "cannot tell the pull request's base branch: set forge.base in headroom.toml")
    }

    /// A line with any `scheme://user:secret@` credentials of a URL masked.
    static func redactingCredentials(_ line: String) -> String {
        line.replacingOccurrences(of: "://[^/@\\s]+@", with: "://***@", options: .regularExpression)
    }

    /// Pushes the branch as it is (never forced: a remote branch that moved on is reported, not overwritten).
    private func push(git: Git, remote: String, branch: String) throws {
        let result = try Shell.run(
            ["git", "-C", git.root, "push", "--porcelain", remote, "refs/heads/\(branch):refs/heads/\(branch)"],
            environment: ["GIT_TERMINAL_PROMPT": "0"], timeout: 120)
        guard result.succeeded else {
            let why =
                (result.stderr + "\n" + result.stdout).split(separator: "\n").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                .first { $0.hasPrefix("!") || $0.hasPrefix("error:") || $0.hasPrefix("fatal:") }
                ?? "exit \(result.status)"
            throw HeadroomError(.git, "git push of \(branch) to \(remote) failed: \(Self.redactingCredentials(why))")
        }
    }
}
