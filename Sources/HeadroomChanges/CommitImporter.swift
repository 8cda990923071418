import Foundation
import HeadroomCore
import HeadroomSource

/// Reads a repository's history into `Commit`s, with the hunks, the functions each hunk changed, and the
/// configuration keys each commit changed.
///
/// - Functions are resolved at the commit and at its first parent: an added line belongs to the innermost function
///   around it in the new file, a removed line to the innermost one in the old file. Python goes through Python's
///   own `ast` (one subprocess per 1000 files); brace languages (Swift, Go, Rust, Kotlin, JS/TS, Java, C#, C/C++)
///   through `BraceScanner`; other files are listed without functions. Lines outside any function count as
///   `<module>`.
/// - A function only in the new file was added, only in the old one removed; a removed and an added function of
///   the same file whose bodies share at least half their lines were renamed.
/// - Configuration files (`.json`, `.yaml`/`.yml`, `.toml`, `.ini`/`.cfg`) are flattened to dotted keys at both
///   revisions and the keys that differ are recorded; a file that does not parse is listed without keys.
/// - Merge commits are recorded with their parents and no diff of their own: what they bring in is attributed to
///   the merged commits, which are imported as well.
/// - Binary files are listed without hunks. Paths that are not UTF-8 are kept with U+FFFD in place of bad bytes.
/// - Files over 2 MB are listed with hunks but without functions.
public struct CommitImporter: Sendable {
    public let git: Git
    public var python: PythonAST

    public init(git: Git, python: PythonAST = PythonAST()) {
        self.git = git
        self.python = python
    }

    /// Commits reachable from HEAD, parents first; with `since` (a revision or a date), only later ones. Commits in
    /// `known` are skipped (incremental re-import).
    public func importCommits(
        since: String? = nil, kind: Commit.Kind = .code, service: String? = nil, known: Set<String> = []
    ) throws -> [Commit] {
        let history = GitHistory(git: git)
        try history.checkUsable()
        let raw = try history.log(try history.range(since: since)).filter { !known.contains($0.sha) }
        let sources = try resolve(raw, history: history)
        return raw.map { assemble($0, kind: kind, service: service, sources: sources) }
    }

    /// What import knows about one blob.
    struct BlobInfo {
        var lines: [Substring] = []
        var spans: [FunctionSpan]?
        var config: [String: String]?
    }

    enum FileKind { case python, go, brace(BraceScanner.Language), config(String), other }

    /// Whether Go files are read with go/parser (a Go toolchain is installed) rather than the brace scanner.
    static let goAvailable = GoAST().isAvailable

    static func kind(of path: String) -> FileKind {
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "py", "pyi": return .python
        case "go": return goAvailable ? .go : .brace(.go)
        case "json": return .config("json")
        case "yaml", "yml": return .config("yaml")
        case "toml": return .config("toml")
        case "ini", "cfg": return .config("ini")
        default:
            if let language = BraceScanner.Language(path: path) { return .brace(language) }
            return .other
        }
    }

    /// Reads every blob the commits' code and config files need, and resolves their functions or keys.
    func resolve(_ commits: [RawCommit], history: GitHistory) throws -> [String: BlobInfo] {
        var wanted: [String: FileKind] = [:]
        for commit in commits {
            for file in commit.files where !file.isBinary {
                let kind = Self.kind(of: file.path)
                if case .other = kind { continue }
                for blob in [file.oldBlob, file.newBlob].compactMap({ $0 }) { wanted[blob] = kind }
            }
        }
        let contents = try history.blobs(wanted.keys.sorted())
        var info: [String: BlobInfo] = [:]
        var pythonFiles: [(path: String, source: String)] = []
        var goFiles: [(path: String, source: String)] = []
        var configFiles: [(path: String, format: String, source: String)] = []
        for (blob, data) in contents {
            let text = String(decoding: data, as: UTF8.self)
            info[blob] = BlobInfo(lines: text.split(separator: "\n", omittingEmptySubsequences: false))
            switch wanted[blob]! {
            case .python: pythonFiles.append((blob, text))
            case .go: goFiles.append((blob, text))
            case .brace(let language): info[blob]?.spans = BraceScanner.functions(source: text, language: language)
            case .config(let format): configFiles.append((blob, format, text))
            case .other: break
            }
        }
        for chunk in stride(from: 0, to: pythonFiles.count, by: 1000) {
            let batch = Array(pythonFiles[chunk..<min(chunk + 1000, pythonFiles.count)])
            for (blob, spans) in try python.functions(files: batch).functions { info[blob]?.spans = spans }
        }
        // Go through go/parser (exact receivers and spans); a blob that does not parse keeps the brace scanner's.
        for chunk in stride(from: 0, to: goFiles.count, by: 1000) {
            let batch = Array(goFiles[chunk..<min(chunk + 1000, goFiles.count)])
            let (found, errors) = try GoAST().functions(files: batch)
            for (blob, spans) in found { info[blob]?.spans = spans }
            for (blob, _) in errors {
                let text = batch.first { $0.path == blob }?.source ?? ""
                info[blob]?.spans = BraceScanner.functions(source: text, language: .go)
            }
        }
        for chunk in stride(from: 0, to: configFiles.count, by: 1000) {
            let batch = Array(configFiles[chunk..<min(chunk + 1000, configFiles.count)])
            for (blob, keys) in try python.configKeys(files: batch).keys { info[blob]?.config = keys }
        }
        return info
    }

    func assemble(_ raw: RawCommit, kind: Commit.Kind, service: String?, sources: [String: BlobInfo]) -> Commit {
        var functions: [ChangedFunction] = []
        var hunks: [Hunk] = []
        var configKeys: [ConfigKeyChange] = []
        for file in raw.files {
            let old = file.oldBlob.flatMap { sources[$0] }
            let new = file.newBlob.flatMap { sources[$0] }
            let (changed, fileHunks) = changedFunctions(file, old: old, new: new)
            functions += changed
            hunks += fileHunks
            if case .config = Self.kind(of: file.path), old?.config != nil || new?.config != nil {
                configKeys += Self.keyChanges(file: file.path, old: old?.config ?? [:], new: new?.config ?? [:])
            }
        }
        let added = raw.files.reduce(0) { $0 + $1.addedLines.count }
        let removed = raw.files.reduce(0) { $0 + $1.removedLines.count }
        return Commit(
            sha: raw.sha, parents: raw.parents, kind: kind, service: service, author: raw.author, email: raw.email,
            time: raw.time, message: raw.message, files: raw.files.map(\.path), functions: functions, hunks: hunks,
            configKeys: configKeys, addedText: raw.files.flatMap(\.addedText).prefix(400).joined(separator: "\n"),
            linesAdded: added, linesRemoved: removed)
    }

    static func keyChanges(file: String, old: [String: String], new: [String: String]) -> [ConfigKeyChange] {
        Set(old.keys).union(new.keys).sorted().compactMap { key in
            old[key] == new[key] ? nil : ConfigKeyChange(file: file, key: key, oldValue: old[key], newValue: new[key])
        }
    }

    /// The functions one file's diff changed, and its hunks with the functions each touched.
    func changedFunctions(_ file: FileDiff, old: BlobInfo?, new: BlobInfo?) -> ([ChangedFunction], [Hunk]) {
        let newSpans = new?.spans
        let oldSpans = old?.spans
        let resolvesFunctions = newSpans != nil || oldSpans != nil
        var added: [String: [String]] = [:]
        var removed: [String: [String]] = [:]
        var hunks: [Hunk] = []
        for hunk in file.hunks {
            var names = Set<String>()
            if resolvesFunctions {
                for (line, text) in hunk.added {
                    let name = Self.innermost(newSpans ?? [], line)
                    if name == "<module>", text.allSatisfy(\.isWhitespace) { continue }
                    added[name, default: []].append(text)
                    names.insert(name)
                }
                for (line, text) in hunk.removed {
                    let name = Self.innermost(oldSpans ?? [], line)
                    if name == "<module>", text.allSatisfy(\.isWhitespace) { continue }
                    removed[name, default: []].append(text)
                    names.insert(name)
                }
            }
            hunks.append(
                Hunk(
                    file: file.path, oldStart: hunk.oldStart, oldCount: hunk.oldCount,
                    newStart: hunk.newStart, newCount: hunk.newCount, functions: names.sorted()))
        }
        guard resolvesFunctions else { return ([], hunks) }
        let newNames = Set((newSpans ?? []).map(\.name))
        let oldNames = Set((oldSpans ?? []).map(\.name))
        var result: [String: ChangedFunction] = [:]
        for name in Set(added.keys).union(removed.keys) {
            let change: ChangedFunction.Change =
                name == "<module>"
                ? .modified
                : !oldNames.contains(name) ? .added : !newNames.contains(name) ? .removed : .modified
            result[name] = ChangedFunction(
                file: file.path, name: name, change: change, linesAdded: added[name]?.count ?? 0,
                linesRemoved: removed[name]?.count ?? 0, addedText: Array((added[name] ?? []).prefix(30)),
                removedText: Array((removed[name] ?? []).prefix(30)))
        }
        // Renames: a removed and an added function with mostly the same body.
        let gone = result.values.filter { $0.change == .removed }.map(\.name).sorted()
        var taken = Set<String>()
        for name in result.values.filter({ $0.change == .added }).map(\.name).sorted() {
            guard let body = Self.body(of: name, spans: newSpans, lines: new?.lines) else { continue }
            let best = gone.filter { !taken.contains($0) }.compactMap { oldName -> (String, Double)? in
                guard let oldBody = Self.body(of: oldName, spans: oldSpans, lines: old?.lines) else { return nil }
                return (oldName, Self.similarity(body, oldBody))
            }.max { $0.1 < $1.1 }
            if let (oldName, similarity) = best, similarity >= 0.5 {
                taken.insert(oldName)
                let removedPart = result.removeValue(forKey: oldName)
                result[name]?.change = .renamed
                result[name]?.previousName = oldName
                result[name]?.linesRemoved += removedPart?.linesRemoved ?? 0
            }
        }
        return (result.values.sorted { $0.name < $1.name }, hunks)
    }

    static func innermost(_ spans: [FunctionSpan], _ line: Int) -> String {
        var best: FunctionSpan?
        for span in spans where span.start <= line && line <= span.end {
            if best == nil || span.end - span.start < best!.end - best!.start { best = span }
        }
        return best?.name ?? "<module>"
    }

    /// A function's body lines (after its first line), trimmed and non-empty.
    static func body(of name: String, spans: [FunctionSpan]?, lines: [Substring]?) -> Set<String>? {
        guard let span = spans?.first(where: { $0.name == name }), let lines, span.end <= lines.count,
            span.start < span.end
        else { return nil }
        return Set(lines[span.start..<span.end].map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    static func similarity(_ a: Set<String>, _ b: Set<String>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }
}
