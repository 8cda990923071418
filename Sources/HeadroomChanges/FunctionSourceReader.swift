import Foundation
import HeadroomCore
import HeadroomSource

/// The source text of functions (as profiles name them) at one revision of a repository.
public struct FunctionSourceReader: Sendable {
    public let git: Git
    public var python: PythonAST

    public init(git: Git, python: PythonAST = PythonAST()) {
        self.git = git
        self.python = python
    }

    /// Each function's text at `revision`; functions without a file, or not found, are left out. Paths match on a
    /// `/`-boundary suffix (profiles print paths relative to an import root); names exactly or on a dotted suffix.
    public func sources(of functions: [FunctionRef], at revision: String) throws -> [FunctionRef: String] {
        let tracked = try git.run(["ls-tree", "-r", "--name-only", "-z", revision]).split(separator: "\0").map(
            String.init)
        var byPath: [String: [FunctionRef]] = [:]
        for function in functions {
            guard let file = function.file, let path = tracked.first(where: { FunctionRef.pathsMatch($0, file) }) else {
                continue
            }
            byPath[path, default: []].append(function)
        }
        var texts: [String: String] = [:]
        var spans: [String: [FunctionSpan]] = [:]
        var pythonFiles: [(path: String, source: String)] = []
        for path in byPath.keys {
            guard let text = git.show(revision, path: path) else { continue }
            texts[path] = text
            if case .python = CommitImporter.kind(of: path) {
                pythonFiles.append((path, text))
            } else if let language = BraceScanner.Language(path: path) {
                spans[path] = BraceScanner.functions(source: text, language: language)
            }
        }
        if !pythonFiles.isEmpty {
            for (path, found) in try python.functions(files: pythonFiles).functions { spans[path] = found }
        }
        var result: [FunctionRef: String] = [:]
        for (path, wanted) in byPath {
            guard let text = texts[path], let fileSpans = spans[path] else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for function in wanted {
                let name = function.name
                guard
                    let span = fileSpans.first(where: { $0.name == name })
                        ?? fileSpans.first(where: { $0.name.hasSuffix("." + name) || name.hasSuffix("." + $0.name) }),
                    span.start >= 1, span.end <= lines.count
                else { continue }
                result[function] = lines[(span.start - 1)..<span.end].joined(separator: "\n")
            }
        }
        return result
    }
}
