import HeadroomCore
import HeadroomSource

/// Checks every candidate patch must pass before it is tested or shown to anyone.
public struct Guardrails: Sendable {
    public var python: PythonAST

    public init(python: PythonAST = PythonAST()) { self.python = python }

    /// The names of the checks, in the order they run.
    public static let checks = ["syntax", "minimal-diff", "right-function", "precondition"]

    /// Throws a `Refusal` naming the first failed check.
    public func check(_ edit: SourceEdit) throws {
        if edit.path.hasSuffix(".py"), let error = try python.syntaxError(source: edit.patched, path: edit.path) {
            throw Refusal("guardrail syntax: the patched \(edit.path) does not parse (\(error))")
        }
        let changed = Self.changedOriginalLines(edit.original, edit.patched)
        guard !changed.isEmpty else { throw Refusal("guardrail minimal-diff: the patch changes nothing") }
        if let outside = changed.first(where: { !edit.span.contains($0) }) {
            throw Refusal("guardrail right-function: the patch changes line \(outside), outside `\(edit.function)` "
                          + "(lines \(edit.span.lowerBound)-\(edit.span.upperBound))")
        }
        if edit.path.hasSuffix(".py"),
            let report = try python.logCalls(source: edit.patched, function: edit.function),
            report.calls.contains(where: { $0.eager && !$0.guarded })
        {
            throw Refusal("guardrail precondition: `\(edit.function)` still has an unguarded eager logging call")
        }
    }

    /// Lines of the original that the patch replaced, or next to which it inserted, by a longest-common-subsequence
    /// diff (Hunt & McIlroy 1976); files here are small enough for the O(n·m) table.
    public static func changedOriginalLines(_ original: String, _ patched: String) -> [Int] {
        let a = original.split(separator: "\n", omittingEmptySubsequences: false)
        let b = patched.split(separator: "\n", omittingEmptySubsequences: false)
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var changed: [Int] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                i += 1
                j += 1
            } else if j < b.count, i == a.count || table[i][j + 1] >= table[i + 1][j] {
                // An inserted line sits between original lines i and i+1 (1-based: i and i+1); blame the next one.
                changed.append(min(i + 1, max(a.count, 1)))
                j += 1
            } else {
                changed.append(i + 1)
                i += 1
            }
        }
        return Array(Set(changed)).sorted()
    }
}
