import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

/// The repositories tools may read and patch: registered by an operator, named by tools.
struct ReposCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repos", abstract: "Register the repositories Headroom's tools may read and patch.",
        discussion: """
            Tools (MCP clients, the agents, a model) name a repository by its registered name and can reach no other
            folder. `changes import --repo`, `opportunities --repo` and the demo register the folder they are given.
            With --database (team mode): the registrations of the shared PostgreSQL database.
            """,
        subcommands: [Add.self, List.self, Remove.self], defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register SERVICE's repository DIR under the name SERVICE.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Argument(help: "The service the repository builds; also the name tools use.") var service: String
        @Argument(help: "The repository (any folder inside it).") var directory: String
        @Option(help: "Register under this name instead of SERVICE.") var name: String?

        func run() async throws {
            let (directory, name, service) = (directory, name ?? service, service)
            let added =
                if let url = databaseOptions.url {
                    try await TeamDatabase.with(url: url) {
                        try await $0.synchronously {
                            try RepositoryRegistry(store: $0).register(path: directory, name: name, service: service)
                        }
                    }
                } else {
                    try RepositoryRegistry(store: try storeOptions.open(create: true)).register(
                        path: directory, name: name, service: service)
                }
            print("registered \(added.name) → \(added.root)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The registered repositories.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @OptionGroup var format: FormatOptions

        func run() async throws {
            let repositories =
                if let url = databaseOptions.url {
                    try await TeamDatabase.with(url: url) {
                        try await $0.synchronously { try RepositoryRegistry(store: $0).all() }
                    }
                } else {
                    try RepositoryRegistry(store: try storeOptions.open()).all()
                }
            if format.format == .json { return try printJSON(["repositories": repositories]) }
            if repositories.isEmpty {
                print("no repositories registered; add one with `headroom repos add SERVICE DIR`")
            }
            for repository in repositories {
                print("\(repository.name)  \(repository.root)" + (repository.service.map { "  (service \($0))" } ?? ""))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a registration (the repository is not touched).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Argument(help: "The registered name.") var name: String

        func run() async throws {
            let name = name
            if let url = databaseOptions.url {
                try await TeamDatabase.with(url: url) {
                    try await $0.synchronously { try RepositoryRegistry(store: $0).unregister(name: name) }
                }
            } else {
                try RepositoryRegistry(store: try storeOptions.open()).unregister(name: name)
            }
            print("removed \(name)")
        }
    }
}
