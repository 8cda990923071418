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
            commandName: "import", abstract: "Import a git repository's commits and the functions each changed.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The repository.") var repo: String
        @Option(help: "Only commits after this revision.") var since: String?

        func run() throws {
            let git = try Git(path: repo)
            let commits = try CommitImporter(git: git).importCommits(since: since)
            let store = try Store.open(path: storeOptions.store)
            let added = try store.saveCommits(commits, repository: git.root)
            print("imported \(commits.count) commits from \(git.root) (\(added) new)")
        }
    }
}

struct DeploysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploys", abstract: "Deploy history.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Record one deploy.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The service deployed.") var service: String
        @Option(help: "The commit deployed (full sha).") var commit: String
        @Option(help: "When (ISO-8601 or Unix seconds); default now.") var at: String?

        func run() throws {
            let time = try parseTime(at, option: "at") ?? Timestamps.now()
            let store = try Store.open(path: storeOptions.store)
            try store.addDeploy(Deploy(service: service, commit: commit, time: time))
            print("recorded deploy of \(commit.prefix(10)) to \(service) at \(Timestamps.format(time))")
        }
    }
}
