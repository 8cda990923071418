import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes", abstract: "Change history.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a git repository's commits, the functions each hunk changed, and configuration keys.",
            discussion: """
                Re-import is incremental: commits already in the store are skipped (--full re-reads them). Use
                --kind config for a configuration repository, whose commits are live when made. With --database
                (team mode): into the shared PostgreSQL database.
                """)
        enum Kind: String, ExpressibleByArgument { case code, config }
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Option(help: "The repository.") var repo: String
        @Option(help: "Only commits after this revision or date.") var since: String?
        @Option(help: "code (a service's repository) or config (a configuration repository).") var kind: Kind = .code
        @Option(help: "The service these changes belong to (config repositories: which service they configure).")
        var service: String?
        @Flag(help: "Re-read commits that are already imported.") var full = false

        func run() async throws {
            let (repo, since, kind, service, full) = (
                repo, since, kind == .config ? Commit.Kind.config : .code, service, full
            )
            let result =
                if let url = databaseOptions.url {
                    try await TeamDatabase.with(url: url) { database in
                        try await database.importRepository(
                            repo, since: since, kind: kind, service: service, full: full)
                    }
                } else {
                    try ChangeHistoryService(store: try storeOptions.open(create: true)).importRepository(
                        repo, since: since, kind: kind, service: service, full: full)
                }
            let functions = result.commits.reduce(0) { $0 + $1.functions.count }
            let keys = result.commits.reduce(0) { $0 + $1.configKeys.count }
            print(
                "imported \(result.commits.count) commits from \(result.root) (\(result.added) new, \(result.known) "
                    + "already known; \(functions) changed functions, \(keys) configuration keys)")
        }
    }
}

struct DeploysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploys", abstract: "Deploy history.", subcommands: [Import.self, Add.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import deploys from a CSV file with columns timestamp,service,commit.",
            discussion: """
                Each deploy makes live every commit between the service's previous deploy and this one. Commits may
                be full shas or unique prefixes of imported commits. The file is imported whole or not at all.
                With --database (team mode): into the shared PostgreSQL database.
                """)
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let file = file
            let (deploys, added) =
                if let url = databaseOptions.url {
                    try await TeamDatabase.with(url: url) { try await $0.importDeploys(file: file) }
                } else {
                    try ChangeHistoryService(store: try storeOptions.open()).importDeploys(file: file)
                }
            print(
                "imported \(deploys.count) deploys of \(Set(deploys.map(\.service)).count) services "
                    + "(\(added) new)")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Record one deploy.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Option(help: "The service deployed.") var service: String
        @Option(help: "The commit deployed (full sha or unique prefix).") var commit: String
        @Option(help: "When (ISO-8601 or Unix seconds); default now.") var at: String?

        func run() async throws {
            let time = try parseTime(at, option: "at") ?? Timestamps.now()
            let (service, commit) = (service, commit)
            let sha =
                if let url = databaseOptions.url {
                    try await TeamDatabase.with(url: url) {
                        try await $0.recordDeploy(service: service, commit: commit, time: time)
                    }
                } else {
                    try ChangeHistoryService(store: try storeOptions.open()).recordDeploy(
                        service: service, commit: commit, time: time)
                }
            print("recorded deploy of \(sha.prefix(10)) to \(service) at \(Timestamps.format(time))")
        }
    }
}
