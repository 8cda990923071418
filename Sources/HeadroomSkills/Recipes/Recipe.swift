import Foundation
import HeadroomCore
import HeadroomSource

/// What a recipe works on: one function in one file of a repository at a base revision.
public struct RecipeInput: Sendable {
    /// The repository (its object database is read; its work tree is never written).
    public var repository: String
    public var baseCommit: String
    /// Repository-relative path of the file.
    public var path: String
    /// The file's text at `baseCommit`.
    public var source: String
    public var function: String
    /// The culprit commit, for regressions.
    public var culprit: String?
    /// Other Python files of the repository at `baseCommit` (call sites), repository-relative.
    public var otherSources: [(path: String, source: String)]

    public init(
        repository: String, baseCommit: String, path: String, source: String, function: String,
        culprit: String? = nil, otherSources: [(path: String, source: String)] = []
    ) {
        self.repository = repository
        self.baseCommit = baseCommit
        self.path = path
        self.source = source
        self.function = function
        self.culprit = culprit
        self.otherSources = otherSources
    }
}

/// A skill's deterministic recipe: a checked transformation that either returns an edit or refuses with a reason.
public protocol Recipe: Sendable {
    /// The skill name it is registered under (the `Skills/<name>` folder).
    var name: String { get }
    /// The edit, or a `Refusal` saying why this code must not be changed this way.
    func apply(_ input: RecipeInput) throws -> SourceEdit
    /// The right-issue check on the result: the problem the recipe fixes is gone from the patched function.
    func verify(_ edit: SourceEdit) throws
}

/// The recipes Headroom ships, by skill name.
public enum Recipes {
    public static func all(python: PythonAST = PythonAST()) -> [String: any Recipe] {
        let list: [any Recipe] =
            [
                LogGuardRecipe(python: python), MemoizeRecipe(python: python), RegexHoistRecipe(python: python),
                LoopInvariantRecipe(python: python), RevertHunkRecipe(python: python),
                SetMembershipRecipe(python: python), DictGetRecipe(python: python), StrJoinRecipe(python: python),
                ConstantHoistRecipe(python: python),
            ] + GoRecipe.names.map { GoRecipe(name: $0) }
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }
}

/// Line-and-byte-column editing of source text, matching Python's `ast` positions (UTF-8 byte columns).
struct TextLines {
    var lines: [String]

    init(_ text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    var text: String { lines.joined(separator: "\n") }

    /// Replaces the text from (line, col) to (endLine, endCol) — 1-based lines, byte columns — with `replacement`.
    mutating func replace(_ position: SourcePosition, with replacement: String) throws {
        guard position.line >= 1, position.endLine <= lines.count, position.line <= position.endLine else {
            throw Refusal("internal: position \(position.line):\(position.col) is outside the file")
        }
        let first = Array(lines[position.line - 1].utf8)
        let last = Array(lines[position.endLine - 1].utf8)
        guard position.col <= first.count, position.endCol <= last.count else {
            throw Refusal("internal: column out of range at line \(position.line)")
        }
        let head = String(decoding: first[..<position.col], as: UTF8.self)
        let tail = String(decoding: last[position.endCol...], as: UTF8.self)
        lines.replaceSubrange((position.line - 1)...(position.endLine - 1), with: [head + replacement + tail])
    }

    /// Inserts lines before 1-based line `line`.
    mutating func insert(_ new: [String], before line: Int) {
        lines.insert(contentsOf: new, at: max(0, min(line - 1, lines.count)))
    }

    func indentation(of line: Int) -> String {
        String(lines[line - 1].prefix { $0 == " " || $0 == "\t" })
    }
}
