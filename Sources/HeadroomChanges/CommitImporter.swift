import Foundation
import HeadroomCore
import HeadroomSource

/// Reads a repository's history into `Commit`s, with the functions each commit changed.
///
/// Python files are resolved with Python's own `ast` at the commit and at its first parent: an added line belongs
/// to the innermost function around it in the new file, a removed line to the innermost one in the old file. A
/// function present only in the new file was added, only in the old one removed. Lines outside any function count
/// as `<module>`. Other files are listed without functions.
public struct CommitImporter: Sendable {
    public let git: Git
    public var python: PythonAST

    public init(git: Git, python: PythonAST = PythonAST()) {
        self.git = git
        self.python = python
    }

    /// Commits reachable from HEAD, oldest first; with `since`, only those after that revision.
    public func importCommits(since: String? = nil) throws -> [Commit] {
        let range = since.map { "\($0)..HEAD" } ?? "HEAD"
        let log = try git.run(["log", "--reverse", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%ct%x1f%s%x1e", range])
        return try log.split(separator: "\u{1e}").compactMap { record -> Commit? in
            let fields = record.trimmingCharacters(in: .whitespacesAndNewlines).split(
                separator: "\u{1f}", omittingEmptySubsequences: false
            ).map(String.init)
            guard fields.count == 6 else { return nil }
            let parents = fields[1].split(separator: " ").map(String.init)
            return try commit(sha: fields[0], parent: parents.first, author: fields[2], email: fields[3],
                              time: Int64(fields[4]) ?? 0, message: fields[5])
        }
    }

    func commit(sha: String, parent: String?, author: String, email: String, time: Int64, message: String) throws
        -> Commit
    {
        // Merge commits show as combined diffs that this parser ignores; against the first parent they are ordinary.
        let diffText = try git.run(
            ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames", parent ?? emptyTree(), sha])
        let files = UnifiedDiff.parse(diffText)
        let pythonFiles = files.filter { !$0.isBinary && $0.path.hasSuffix(".py") }
        var sources: [(path: String, source: String)] = []
        for file in pythonFiles {
            if let path = file.newPath, let text = git.show(sha, path: path) { sources.append(("new:" + path, text)) }
            if let parent, let path = file.oldPath, let text = git.show(parent, path: path) {
                sources.append(("old:" + path, text))
            }
        }
        let spans = sources.isEmpty ? [:] : try python.functions(files: sources).functions
        var functions: [ChangedFunction] = []
        for file in pythonFiles {
            functions += changedFunctions(file, new: spans["new:" + (file.newPath ?? "")] ?? [],
                                          old: spans["old:" + (file.oldPath ?? "")] ?? [])
        }
        let added = files.reduce(0) { $0 + $1.addedLines.count }
        let removed = files.reduce(0) { $0 + $1.removedLines.count }
        return Commit(sha: sha, author: author, email: email, time: time, message: message,
                      files: files.map(\.path), functions: functions,
                      addedText: files.flatMap(\.addedText).prefix(400).joined(separator: "\n"),
                      linesAdded: added, linesRemoved: removed)
    }

    func changedFunctions(_ file: FileDiff, new: [PythonFunction], old: [PythonFunction]) -> [ChangedFunction] {
        var added: [String: Int] = [:]
        var removed: [String: Int] = [:]
        for line in file.addedLines { added[innermost(new, line), default: 0] += 1 }
        for line in file.removedLines { removed[innermost(old, line), default: 0] += 1 }
        let newNames = Set(new.map(\.name))
        let oldNames = Set(old.map(\.name))
        return Set(added.keys).union(removed.keys).sorted().map { name in
            let change: ChangedFunction.Change =
                name == "<module>" ? .modified
                : !oldNames.contains(name) ? .added : !newNames.contains(name) ? .removed : .modified
            return ChangedFunction(file: file.path, name: name, change: change, linesAdded: added[name] ?? 0,
                                   linesRemoved: removed[name] ?? 0)
        }
    }

    private func innermost(_ functions: [PythonFunction], _ line: Int) -> String {
        functions.filter { $0.start <= line && line <= $0.end }.min { $0.end - $0.start < $1.end - $1.start }?.name
            ?? "<module>"
    }

    private func emptyTree() -> String { "4b825dc642cb6eb9a060e54bf8d69288fbee4904" }
}
