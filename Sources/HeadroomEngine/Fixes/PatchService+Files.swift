import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomSkills
import HeadroomSource
import HeadroomStore

/// Paths inside the repository, the patch's diff, and scratch space.
extension PatchService {
    /// A repository-relative path that stays inside `root`.
    static func repositoryPath(_ path: String, root: String) throws -> String {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        let absolute = path.hasPrefix("/") ? URL(fileURLWithPath: path) : rootURL.appendingPathComponent(path)
        let resolved = absolute.standardizedFileURL.path
        guard resolved.hasPrefix(rootURL.path + "/") else {
            throw HeadroomError(.refused, "guardrail safety: \(path) is outside the repository \(root)")
        }
        return String(resolved.dropFirst(rootURL.path.count + 1))
    }

    /// `git diff --no-index` of the edit, with repository paths in the headers.
    static func unifiedDiff(_ edit: SourceEdit) throws -> String {
        let scratch = try scratchDirectory()
        defer { PrivateTemporary.remove(path: scratch) }
        let a = (scratch as NSString).appendingPathComponent("a")
        let b = (scratch as NSString).appendingPathComponent("b")
        try PrivateTemporary.write(edit.original, to: a)
        try PrivateTemporary.write(edit.patched, to: b)
        let result = try Shell.run(
            ["git", "diff", "--no-index", "--no-color", "-U3", "a", "b"], in: scratch, timeout: 60)
        return result.stdout
            .replacingOccurrences(of: "diff --git a/a b/b", with: "diff --git a/\(edit.path) b/\(edit.path)")
            .replacingOccurrences(of: "--- a/a\n", with: "--- a/\(edit.path)\n")
            .replacingOccurrences(of: "+++ b/b\n", with: "+++ b/\(edit.path)\n")
    }

    static func scratchDirectory() throws -> String {
        try PrivateTemporary.directory(prefix: "headroom").path
    }
}
