import Foundation
import HeadroomCore
import HeadroomSource

/// The source text of functions (as profiles name them) at one revision of a repository.
public struct FunctionSourceReader: Sendable {
    public let git: Git
    public var python: PythonAST
    /// Go files' spans (go/parser), when a Go toolchain is installed.
    public var go = GoAST()

    public init(git: Git, python: PythonAST = PythonAST()) {
        self.git = git
        self.python = python
    }

    /// Where a function is: its repository-relative path and its span (1-based, inclusive) at one revision.
    public struct Location: Sendable, Equatable {
        public var path: String
        public var start: Int
        public var end: Int

        public init(path: String, start: Int, end: Int) {
            self.path = path
            self.start = start
            self.end = end
        }
    }

    /// Each function's text at `revision`; functions without a file, or not found, are left out. Paths match on a
    /// `/`-boundary suffix (profiles print paths relative to an import root); names exactly or on a dotted suffix.
    public func sources(of functions: [FunctionRef], at revision: String) throws -> [FunctionRef: String] {
        var result: [FunctionRef: String] = [:]
        let (found, texts) = try locateWithText(functions, at: revision)
        for (function, location) in found {
            guard let text = texts[location.path] else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            result[function] = lines[(location.start - 1)..<location.end].joined(separator: "\n")
        }
        return result
    }

    /// Each function's file and line span at `revision` (same matching as `sources`).
    public func locations(of functions: [FunctionRef], at revision: String) throws -> [FunctionRef: Location] {
        try locateWithText(functions, at: revision).found
    }

    private func locateWithText(_ functions: [FunctionRef], at revision: String) throws -> (
        found: [FunctionRef: Location], texts: [String: String]
    ) {
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
        var goFiles: [(path: String, source: String)] = []
        for path in byPath.keys {
            guard let text = git.show(revision, path: path) else { continue }
            texts[path] = text
            if case .python = CommitImporter.kind(of: path) {
                pythonFiles.append((path, text))
            } else if path.hasSuffix(".go"), CommitImporter.goAvailable {
                goFiles.append((path, text))
            } else if let language = BraceScanner.Language(path: path) {
                spans[path] = BraceScanner.functions(source: text, language: language)
            }
        }
        if !pythonFiles.isEmpty {
            for (path, found) in try python.functions(files: pythonFiles).functions { spans[path] = found }
        }
        if !goFiles.isEmpty {
            for (path, found) in try go.functions(files: goFiles).functions { spans[path] = found }
        }
        var result: [FunctionRef: Location] = [:]
        for (path, wanted) in byPath {
            guard let text = texts[path], let fileSpans = spans[path] else { continue }
            let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
            for function in wanted {
                guard let span = Self.span(named: function.name, in: fileSpans), span.start >= 1, span.end <= lineCount
                else { continue }
                result[function] = Location(path: path, start: span.start, end: span.end)
            }
        }
        return (result, texts)
    }

    /// The span a profile's function name refers to: the exact qualified name, else a dotted-suffix match. Go's
    /// pointer receivers (`pkg.(*Server).Handle`) are matched as the scanner names them (`Server.Handle`).
    public static func span(named name: String, in spans: [FunctionSpan]) -> FunctionSpan? {
        let plain = FunctionRef.goPlain(name)
        return spans.first(where: { $0.name == name })
            ?? spans.first(where: {
                let candidate = FunctionRef.goPlain($0.name)
                return plain == candidate || plain.hasSuffix("." + candidate) || $0.name.hasSuffix("." + name)
                    || name.hasSuffix("." + $0.name)
            })
    }
}
