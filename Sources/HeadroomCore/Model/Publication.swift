/// A delivered patch published as a pull request (GitHub) or merge request (GitLab).
public struct Publication: Sendable, Codable, Equatable {
    /// The published patch.
    public var patchID: Int64
    /// `github` or `gitlab`.
    public var forge: String
    /// The repository on the forge (`owner/name`).
    public var repo: String
    /// The pull or merge request's number.
    public var number: Int
    /// Its web address.
    public var url: String
    /// The forge login a review was requested from, if one was.
    public var reviewer: String?
    /// When it was opened, Unix seconds.
    public var publishedAt: Int64
    /// When it was last updated, Unix seconds.
    public var updatedAt: Int64

    /// A publication from its fields.
    public init(
        patchID: Int64, forge: String, repo: String, number: Int, url: String, reviewer: String?, publishedAt: Int64,
        updatedAt: Int64
    ) {
        self.patchID = patchID
        self.forge = forge
        self.repo = repo
        self.number = number
        self.url = url
        self.reviewer = reviewer
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt
    }
}
