import Foundation

/// Scratch space under the system's temporary folder that only the current user can enter (mode 0700): worktrees,
/// patched files and process output hold repository content, which other users of the machine must not read.
public enum PrivateTemporary {
    /// A new, empty directory `PREFIX-UUID`, mode 0700.
    public static func directory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw HeadroomError(.process, "cannot create a temporary folder under \(FileManager.default.temporaryDirectory.path)")
        }
        return url
    }
}
