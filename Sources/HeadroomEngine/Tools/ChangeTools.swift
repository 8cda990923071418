import Foundation
import HeadroomCore
import HeadroomStore

extension HeadroomTools {
    static func changeTools(_ context: ToolContext) -> [Tool] { changeTools(store: context.store) }

    /// The tools over change history (commits, configuration changes, registered repositories' code) over either
    /// engine's store.
    static func changeTools(store: any ChangeStore) -> [Tool] {
        let repositories = RepositoryRegistry(store: store)
        return [
            Tool(
                .getChange,
                description:
                    "One commit: author, time, message, the functions it changed (with added and removed lines), configuration keys, and its diff.",
                inputSchema: Schema.object(
                    [
                        "sha": Schema.string("full sha or unique prefix"),
                        "repository": Schema.string(
                            "registered repository name (default: the one it was imported from)"),
                    ],
                    required: ["sha"]),
                outputSchema: Schema.output([
                    "sha": Schema.string(""), "functions": Schema.array(Schema.any), "diff": Schema.string(""),
                ]),
                annotations: .readOnly
            ) { args in
                let sha = try store.resolveCommit(string(args, "sha")!)
                guard let commit = try store.commits(shas: [sha]).first else {
                    throw HeadroomError(.notFound, "no commit \(sha)")
                }
                let named = try string(args, "repository").map { try repositories.root($0) }
                guard
                    let repository = try named
                        ?? store.repository(ofCommit: sha).flatMap({ try? repositories.root($0) }),
                    let diff = try? Git(path: repository).run(["show", "--format=", "--no-color", "--stat", "-p", sha])
                else { return ChangeReport(commit: commit, diff: nil) }
                return ChangeReport(
                    commit: commit, diff: diff.count > 20_000 ? String(diff.prefix(20_000)) + "\n… (truncated)" : diff)
            },
            Tool(
                .configHistory,
                description:
                    "Configuration commits in a time range with the keys each changed (old → new); filter by a key substring.",
                inputSchema: Schema.object([
                    "key": Schema.string("only keys containing this text"),
                    "from": timeSchema, "to": timeSchema,
                ]),
                outputSchema: Schema.output(["changes": Schema.array(Schema.any)]),
                annotations: .readOnly
            ) { args in
                let key = string(args, "key")
                let commits = try store.configCommits(
                    from: try time(args, "from") ?? 0, to: try time(args, "to") ?? Int64.max / 2)
                var rows: [ConfigChangeList.Row] = []
                for commit in commits {
                    for change in commit.configKeys where key == nil || change.key.contains(key!) {
                        rows.append(
                            ConfigChangeList.Row(
                                sha: commit.sha, time: Timestamps.format(commit.time), author: commit.author,
                                file: change.file, key: change.key, old: change.oldValue, new: change.newValue))
                    }
                }
                return ConfigChangeList(changes: rows)
            },
            Tool(
                .searchCode,
                description:
                    "Search a repository's tracked files (git grep, fixed text or a regular expression); never reads outside the repository root.",
                inputSchema: Schema.object(
                    [
                        "repository": Schema.string("registered repository name"),
                        "query": Schema.string("text or regular expression"),
                        "regex": Schema.boolean("treat query as an extended regular expression"),
                        "path": Schema.string("only under this repository-relative path"),
                        "limit": Schema.integer("matches to return (default 50)", minimum: 1),
                    ], required: ["repository", "query"]),
                outputSchema: Schema.output(["matches": Schema.array(Schema.any)]),
                annotations: .readOnly
            ) { args in
                let git = try Git(path: repositories.root(string(args, "repository")!))
                var command = [
                    "grep", "-n", "-I", "--no-color", args["regex"]?.boolValue == true ? "-E" : "-F", "-e",
                    string(args, "query")!, "--",
                ]
                if let path = string(args, "path") {
                    command.append(try PatchService.repositoryPath(path, root: git.root))
                }
                let result = try Shell.run(["git", "-C", git.root] + command, timeout: 60)
                guard result.status == 0 || result.status == 1 else {
                    throw HeadroomError(.badInput, "search failed: \(result.stderr.split(separator: "\n").first ?? "")")
                }
                let limit = args["limit"]?.intValue ?? 50
                let matches = result.stdout.split(separator: "\n").prefix(limit).compactMap {
                    line -> CodeSearchReport.Match? in
                    let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                    guard parts.count == 3, let number = Int(parts[1]) else { return nil }
                    return CodeSearchReport.Match(
                        path: String(parts[0]), line: number, text: String(parts[2].prefix(300)))
                }
                return CodeSearchReport(matches: Array(matches), repository: git.root)
            },
        ]
    }
}
