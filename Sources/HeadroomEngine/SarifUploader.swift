import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomProfiles

/// Uploads an exported SARIF log to GitHub code scanning, one run per repository: to the repository its `[forge]`
/// names (GitHub only: GitLab's security reports are not SARIF), for the commit and branch checked out there, with
/// the token from the variable the settings name.
public struct SarifUploader: Sendable {
    /// Where the forge token is read from.
    public var environment: [String: String]

    /// An uploader reading tokens from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// One accepted upload.
    public struct Upload: Sendable, Codable, Equatable {
        /// The repository's root.
        public var root: String
        /// The repository on the forge (`owner/name`).
        public var repo: String
        /// The commit the analysis is of.
        public var commit: String
        /// The git ref it was uploaded for.
        public var ref: String
        /// Results in the run uploaded.
        public var results: Int
        /// The forge's id for the upload.
        public var id: String
        /// Where the upload's processing status can be read.
        public var url: String
    }

    /// GitHub's limit on the gzipped log.
    static let maximumBytes = 10 << 20

    /// Uploads each repository's run of `log` to its forge's code scanning; one `Upload` per run.
    public func upload(_ log: SarifLog) async throws -> [Upload] {
        var uploads: [Upload] = []
        for run in log.runs {
            guard let base = run.originalUriBaseIds?["SRCROOT"]?.uri, let url = URL(string: base), url.isFileURL else {
                throw HeadroomError(.badInput, "a SARIF run without its repository (SRCROOT) cannot be uploaded")
            }
            let git = try Git(path: url.path)
            guard let forge = try ProjectSettings.load(repository: git.root).forge, forge.kind == .github else {
                throw HeadroomError(
                    .config,
                    "\(git.root)/headroom.toml: code-scanning upload needs [forge] with kind = \"github\" (GitLab does not take SARIF)"
                )
            }
            let token = try forge.token(in: environment, for: "security_events write access")
            guard let branch = try git.currentBranch() else {
                throw HeadroomError(.badInput, "\(git.root): HEAD is detached; check out the branch that was analysed")
            }
            let commit = try git.resolve("HEAD")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let gzipped = try Gzip.compress(try encoder.encode(SarifLog(runs: [run])))
            guard gzipped.count <= Self.maximumBytes else {
                throw HeadroomError(
                    .badInput, "the SARIF log is \(gzipped.count >> 20) MiB gzipped; GitHub takes at most 10 MiB")
            }
            guard let api = URL(string: forge.api) else { throw HeadroomError(.config, "forge.api is not a URL") }
            let client = try GitHubForge(api: api, repository: forge.repo, token: token, tokenSource: forge.tokenEnv)
            do {
                let answer = try await client.uploadSarif(
                    gzipped: gzipped, commit: commit, ref: "refs/heads/\(branch)",
                    checkoutURI: URL(fileURLWithPath: git.root).absoluteString)
                uploads.append(
                    Upload(
                        root: git.root, repo: forge.repo, commit: commit, ref: "refs/heads/\(branch)",
                        results: run.results.count, id: answer.id, url: answer.url))
            } catch let error as ForgeError {
                throw HeadroomError(.refused, error.line)
            }
        }
        return uploads
    }
}
