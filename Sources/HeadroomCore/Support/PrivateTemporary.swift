import Foundation

/// Scratch space under the system's temporary folder that only the current user can enter (mode 0700): worktrees,
/// patched files and process output hold repository content, which other users of the machine must not read.
public enum PrivateTemporary {
    /// A new directory `PREFIX-UUID`, mode 0700, holding only the owner's lease (`ProcessLease.fileName`), so that
    /// what a killed process leaves here can be told from what a live one uses. An interruption removes it; so does
    /// `remove(_:)`.
    public static func directory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw HeadroomError(
                .process, "cannot create a temporary folder under \(FileManager.default.temporaryDirectory.path)")
        }
        let lease = url.appendingPathComponent(ProcessLease.fileName)
        _ = FileManager.default.createFile(
            atPath: lease.path, contents: Data(ProcessLease.current.utf8),
            attributes: [.posixPermissions: 0o600])
        ActiveWork.shared.addScratch(url.path)
        return url
    }

    /// Writes a scratch file readable by its owner only (0600), whatever the umask.
    public static func write(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw HeadroomError(.process, "cannot write \(path)")
        }
    }

    /// Writes scratch text readable by its owner only (0600).
    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// Removes a folder made by `directory(prefix:)`.
    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
        ActiveWork.shared.removeScratch(url.path)
    }

    /// Removes a folder made by `directory(prefix:)`, by path.
    public static func remove(path: String) { remove(URL(fileURLWithPath: path)) }

    /// Where scratch folders go.
    public static var root: String { FileManager.default.temporaryDirectory.path }
}
