import Foundation
import HeadroomCore
import HeadroomStore

/// The repositories tools may touch: those an operator registered (`headroom repos add`, or a `--repo`,
/// `changes import` or demo path they passed). A tool's `repository` argument must name one — by its name, or by
/// the exact top-level folder it was registered with — so no caller (an MCP client, a model) reaches any other
/// repository on the disk.
public struct RepositoryRegistry: Sendable {
    /// The store registrations live in (SQLite, or team mode's database).
    public let store: any RepositoryStore

    /// A registry over `store`.
    public init(store: any RepositoryStore) { self.store = store }

    /// Every registration, by name.
    public func all() throws -> [RegisteredRepository] { try store.registeredRepositories() }

    /// Forgets a registration (the repository is not touched); a name nobody registered is a not-found error.
    public func unregister(name: String) throws {
        guard try store.unregisterRepository(name: name) else {
            throw HeadroomError(.notFound, "no repository named '\(name)' (see `headroom repos list`)")
        }
    }

    /// Registers the repository containing `path` for the operator. The name defaults to `service`, else the
    /// folder's name (made unique); an already registered repository is returned as it is.
    @discardableResult
    public func register(path: String, name: String? = nil, service: String? = nil) throws -> RegisteredRepository {
        if let name, !Store.isValidRepositoryName(name) {
            throw HeadroomError(.badInput, "repository name '\(name)' must be letters, digits, '.', '_' or '-'")
        }
        let root = Self.canonical(try Git(path: path).root)
        if let known = try store.registeredRepositories().first(where: { $0.root == root }) {
            if let name, name != known.name {
                throw HeadroomError(.badInput, "\(root) is already registered as '\(known.name)'")
            }
            return known
        }
        let chosen = try name ?? store.freeRepositoryName(service ?? (root as NSString).lastPathComponent)
        return try store.registerRepository(root: root, name: chosen, service: service)
    }

    /// The top-level folder of the registered repository `reference` names (its name, or its registered folder);
    /// anything else is refused with one line that says how an operator registers one.
    public func root(_ reference: String) throws -> String {
        let registered = try store.registeredRepositories()
        if let byName = registered.first(where: { $0.name == reference }) { return byName.root }
        if reference.hasPrefix("/") {
            let wanted = Self.canonical(reference)
            if let byRoot = registered.first(where: { $0.root == wanted }) { return byRoot.root }
        }
        let names = registered.map(\.name)
        throw HeadroomError(
            .refused,
            "repository '\(reference)' is not registered"
                + (names.isEmpty ? "" : " (registered: \(names.prefix(20).joined(separator: ", ")))")
                + "; an operator registers one with `headroom repos add SERVICE DIR`")
    }

    /// The registered name of a top-level folder, when it has one.
    public func name(ofRoot root: String) -> String? {
        let wanted = Self.canonical(root)
        return (try? store.registeredRepositories())?.first { $0.root == wanted }?.name
    }

    /// A folder with symlinks resolved and no trailing slash.
    static func canonical(_ path: String) -> String {
        var resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        while resolved.count > 1, resolved.hasSuffix("/") { resolved.removeLast() }
        return resolved
    }
}
