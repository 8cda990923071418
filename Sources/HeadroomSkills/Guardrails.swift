import Foundation
import HeadroomCore
import HeadroomSource

/// Checks every candidate patch must pass before it is tested or shown to anyone.
public struct Guardrails: Sendable {
    public var python: PythonAST

    public init(python: PythonAST = PythonAST()) { self.python = python }

    /// The names of the checks, in the order they run.
    public static let checks = ["safety", "syntax", "minimal-diff", "right-function", "right-issue"]

    /// Throws a `Refusal` naming the first failed check. `recipe` supplies the right-issue check.
    public func check(_ edit: SourceEdit, recipe: (any Recipe)? = nil) throws {
        try safety(edit)
        try syntax(edit)
        let (replaced, inserted) = Self.changes(edit.original, edit.patched)
        guard !replaced.isEmpty || !inserted.isEmpty else {
            throw Refusal("guardrail minimal-diff: the patch changes nothing")
        }
        if let outside = replaced.first(where: { !edit.span.contains($0) }) {
            throw Refusal(
                "guardrail right-function: the patch changes line \(outside), outside `\(edit.function)` "
                    + "(lines \(edit.span.lowerBound)-\(edit.span.upperBound))")
        }
        // A diff may place an insertion on either side of the blank lines around the declared point.
        let lines = edit.original.split(separator: "\n", omittingEmptySubsequences: false)
        var allowed = Set<Int>()
        for point in edit.insertionPoints {
            allowed.insert(point)
            var up = point
            while up > 1, lines[up - 2].trimmingCharacters(in: .whitespaces).isEmpty { up -= 1; allowed.insert(up) }
            var down = point
            while down <= lines.count, lines[down - 1].trimmingCharacters(in: .whitespaces).isEmpty {
                down += 1; allowed.insert(down)
            }
        }
        if let stray = inserted.first(where: {
            !(edit.span.lowerBound...(edit.span.upperBound + 1)).contains($0) && !allowed.contains($0)
        }) {
            throw Refusal(
                "guardrail right-function: the patch inserts lines before line \(stray), outside `\(edit.function)` "
                    + "and not at a place the recipe declared (an import or module constant)")
        }
        try recipe?.verify(edit)
    }

    /// The path stays inside the repository, and no test is deleted or edited.
    public func safety(_ edit: SourceEdit) throws {
        let parts = edit.path.split(separator: "/")
        if edit.path.hasPrefix("/") || parts.contains("..") || parts.contains(".git") || edit.path.isEmpty {
            throw Refusal("guardrail safety: \(edit.path) is not a path inside the repository")
        }
        let name = parts.last.map(String.init) ?? ""
        if parts.contains("tests") || parts.contains("test") || name.hasPrefix("test_") || name.hasSuffix("_test.py")
            || name.hasSuffix("_test.go")
        {
            throw Refusal("guardrail safety: \(edit.path) is a test file; Headroom never edits or deletes tests")
        }
    }

    /// Python through `ast.parse`, Go through go/parser (and gofmt: a Go file that was gofmt-clean must stay so),
    /// Swift through `swiftc -parse`; other languages are not checked here.
    public func syntax(_ edit: SourceEdit) throws {
        if edit.path.hasSuffix(".go"), GoAST().isAvailable {
            if let error = try GoAST().syntaxError(source: edit.patched, path: edit.path) {
                throw Refusal("guardrail syntax: the patched \(edit.path) does not parse (\(error))")
            }
            if Shell.which("gofmt") != nil, try Self.gofmtClean(edit.original), try !Self.gofmtClean(edit.patched) {
                throw Refusal("guardrail style: the patched \(edit.path) is not gofmt-formatted (the original was)")
            }
        }
        if edit.path.hasSuffix(".py"), let error = try python.syntaxError(source: edit.patched, path: edit.path) {
            throw Refusal("guardrail syntax: the patched \(edit.path) does not parse (\(error))")
        }
        if edit.path.hasSuffix(".swift"), Shell.which("swiftc") != nil {
            let folder = try PrivateTemporary.directory(prefix: "headroom-parse")
            defer { PrivateTemporary.remove(folder) }
            let file = folder.appendingPathComponent("patched.swift")
            try PrivateTemporary.write(edit.patched, to: file.path)
            let result = try Shell.run(["swiftc", "-parse", file.path], timeout: 120)
            if !result.succeeded {
                let first = result.stderr.split(separator: "\n").first.map(String.init) ?? "exit \(result.status)"
                throw Refusal("guardrail syntax: the patched \(edit.path) does not parse (\(first))")
            }
        }
    }

    /// Whether `gofmt -l` has nothing to say about the source.
    static func gofmtClean(_ source: String) throws -> Bool {
        let result = try Shell.run(["gofmt", "-l"], input: Data(source.utf8), timeout: 60)
        return result.succeeded && result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// Lines of the original that the patch replaced or deleted (1-based), and the original lines before which it
    /// inserted new ones, by a longest-common-subsequence diff (Hunt & McIlroy 1976); files here are small enough for
    /// the O(n·m) table.
    public static func changes(_ original: String, _ patched: String) -> (replaced: [Int], inserted: [Int]) {
        let a = original.split(separator: "\n", omittingEmptySubsequences: false)
        let b = patched.split(separator: "\n", omittingEmptySubsequences: false)
        var table = [[Int32]](repeating: [Int32](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var replaced = Set<Int>()
        var inserted = Set<Int>()
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                i += 1
                j += 1
            } else if j < b.count, i == a.count || table[i][j + 1] >= table[i + 1][j] {
                inserted.insert(i + 1)  // before original line i+1
                j += 1
            } else {
                replaced.insert(i + 1)
                i += 1
            }
        }
        return (replaced.sorted(), inserted.sorted())
    }

    /// Every original line the patch touched, insertions blamed on the next line.
    public static func changedOriginalLines(_ original: String, _ patched: String) -> [Int] {
        let (replaced, inserted) = changes(original, patched)
        let count = original.split(separator: "\n", omittingEmptySubsequences: false).count
        return Array(Set(replaced + inserted.map { min($0, max(count, 1)) })).sorted()
    }
}
