import ArgumentParser
import Foundation
import HeadroomChanges
import HeadroomCore
import HeadroomStore

struct ChangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes", abstract: "Change history.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a git repository's commits, the functions each hunk changed, and configuration keys.",
            discussion: """
                Re-import is incremental: commits already in the store are skipped (--full re-reads them). Use
                --kind config for a configuration repository, whose commits are live when made.
                """)
        enum Kind: String, ExpressibleByArgument { case code, config }
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The repository.") var repo: String
        @Option(help: "Only commits after this revision or date.") var since: String?
        @Option(help: "code (a service's repository) or config (a configuration repository).") var kind: Kind = .code
        @Option(help: "The service these changes belong to (config repositories: which service they configure).")
        var service: String?
        @Flag(help: "Re-read commits that are already imported.") var full = false

        func run() throws {
            let git = try Git(path: repo)
            let store = try Store.open(path: storeOptions.store)
            let known = full ? [] : try store.knownCommits(repository: git.root)
            let commits = try CommitImporter(git: git).importCommits(
                since: since, kind: kind == .config ? .config : .code, service: service, known: known)
            let added = try store.saveCommits(commits, repository: git.root)
            let functions = commits.reduce(0) { $0 + $1.functions.count }
            let keys = commits.reduce(0) { $0 + $1.configKeys.count }
            print("imported \(commits.count) commits from \(git.root) (\(added) new, \(known.count) already known; "
                  + "\(functions) changed functions, \(keys) configuration keys)")
        }
    }
}

struct DeploysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploys", abstract: "Deploy history.", subcommands: [Import.self, Add.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import deploys from a CSV file with columns timestamp,service,commit.",
            discussion: """
                Each deploy makes live every commit between the service's previous deploy and this one. Commits may
                be full shas or unique prefixes of imported commits. The file is imported whole or not at all.
                """)
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The CSV file.") var file: String

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw HeadroomError(.notFound, "cannot read \(file)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw HeadroomError(.badInput, "\(file) is not UTF-8 text")
            }
            let rows = try DeployCSV.parse(text, name: file)
            let store = try Store.open(path: storeOptions.store)
            let deploys = try rows.map { row in
                do {
                    return Deploy(service: row.service, commit: try store.resolveCommit(row.commit), time: row.time)
                } catch let error as HeadroomError {
                    throw HeadroomError(error.code, "\(file):\(row.line): \(error.message)")
                }
            }
            let added = try store.addDeploys(deploys)
            print("imported \(deploys.count) deploys of \(Set(deploys.map(\.service)).count) services "
                  + "(\(added) new)")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Record one deploy.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The service deployed.") var service: String
        @Option(help: "The commit deployed (full sha or unique prefix).") var commit: String
        @Option(help: "When (ISO-8601 or Unix seconds); default now.") var at: String?

        func run() throws {
            let time = try parseTime(at, option: "at") ?? Timestamps.now()
            let store = try Store.open(path: storeOptions.store)
            let sha = try store.resolveCommit(commit)
            try store.addDeploy(Deploy(service: service, commit: sha, time: time))
            print("recorded deploy of \(sha.prefix(10)) to \(service) at \(Timestamps.format(time))")
        }
    }
}
