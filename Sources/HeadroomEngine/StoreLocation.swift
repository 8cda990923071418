import Foundation
import HeadroomStore

/// The store as an adapter holds it: opened through ``StoreLocation`` and handed to the engine's services. The
/// adapters (CLI, MCP, server, language server) do not import HeadroomStore, and the CLI builds with
/// MemberImportVisibility, so the handle's own reads and writes are out of their reach: every one goes through a
/// service.
public typealias StoreHandle = Store

/// Where a command's store is, and how it was found — one rule for every command:
/// `--store PATH`, else `HEADROOM_STORE`, else the nearest `.headroom/headroom.sqlite` from the current folder up
/// (as git finds `.git`), else `.headroom/headroom.sqlite` here (created by the commands that bring data in).
public struct StoreLocation: Sendable, Equatable {
    /// The store's path.
    public var path: String
    /// How it was found, for messages: "--store", "HEADROOM_STORE", "found from /x/y", or "default".
    public var source: String

    /// The location by the one rule: an explicit path, else `HEADROOM_STORE`, else the nearest store from `directory` up, else the default here.
    public static func resolve(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = FileManager.default.currentDirectoryPath
    ) -> StoreLocation {
        if let explicit, !explicit.isEmpty { return StoreLocation(path: explicit, source: "--store") }
        if let fromEnvironment = environment["HEADROOM_STORE"], !fromEnvironment.isEmpty {
            return StoreLocation(path: fromEnvironment, source: "HEADROOM_STORE")
        }
        var folder = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = folder.appendingPathComponent(Store.defaultPath).path
            if FileManager.default.fileExists(atPath: candidate) {
                let relative = folder.path == URL(fileURLWithPath: directory).standardizedFileURL.path
                return StoreLocation(path: candidate, source: relative ? "here" : "found up from \(directory)")
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        return StoreLocation(path: Store.defaultPath, source: "default")
    }

    /// Opens the store; `create` only for the commands that bring data in. A missing store is one line that names
    /// the path it looked at and how it got there.
    public func open(create: Bool) throws -> Store {
        try Store.open(path: path, create: create, source: source)
    }

    /// Opens the store for `serve`: created when absent, in write-ahead-log mode, so the dashboard's and the API's
    /// reads never wait behind an ingest.
    public func openForServing() throws -> Store {
        let store = try open(create: true)
        try store.useWriteAheadLog()
        return store
    }
}
