import Foundation
import HeadroomCore
import HeadroomSource

/// An edit someone else wrote (an LLM, an MCP client): new text for exactly one function, plus optional
/// module-level lines (imports, constants) placed after the module's imports. Built into a `SourceEdit` whose only
/// declared insertion point is that import point, so the guardrails hold it to the same minimal-diff and
/// right-function rules as a recipe's edit.
public enum ProposedEdit {
    /// - Parameters:
    ///   - span: the function's span in `source` (decorators included), 1-based inclusive.
    ///   - replacement: the complete new function, decorators and `def` line included. Re-indented to the original's
    ///     indentation when it arrives dedented.
    ///   - python: for `.py` files, checks that the replacement is exactly one function with the target's name and
    ///     nothing else (no extra definitions next to it, which the line-based guardrails would read as growth of
    ///     the function).
    public static func build(
        path: String, source: String, function: String, span: ClosedRange<Int>, replacement: String,
        moduleLines: [String], summary: [String], python: PythonAST? = PythonAST()
    ) throws -> SourceEdit {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard span.lowerBound >= 1, span.upperBound <= lines.count else {
            throw Refusal("internal: span \(span) is outside \(path)")
        }
        var new = replacement.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = new.last, last.trimmingCharacters(in: .whitespaces).isEmpty { new.removeLast() }
        while let first = new.first, first.trimmingCharacters(in: .whitespaces).isEmpty { new.removeFirst() }
        guard let firstNew = new.first else { throw Refusal("the proposed function text is empty") }
        let indent = { (line: String) in String(line.prefix { $0 == " " || $0 == "\t" }) }
        let want = indent(lines[span.lowerBound - 1])
        let have = indent(firstNew)
        if want != have {
            guard have.isEmpty else {
                throw Refusal("the proposed function is indented `\(have)` but `\(function)` is indented `\(want)`")
            }
            new = new.map { $0.isEmpty ? $0 : want + $0 }
        }
        if let python, path.hasSuffix(".py") {
            try checkSingleFunction(new.map { String($0.dropFirst(want.count)) }, named: function, python: python)
        }
        let importPoint = importInsertionLine(lines)
        let extra = moduleLines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        if extra.contains(where: { $0.hasPrefix(" ") || $0.hasPrefix("\t") }) {
            throw Refusal("module lines must be top-level statements (imports, constants), not indented code")
        }
        guard extra.isEmpty || importPoint <= span.lowerBound else {
            throw Refusal("`\(function)` comes before the module's imports; module lines cannot be placed")
        }
        lines.replaceSubrange((span.lowerBound - 1)...(span.upperBound - 1), with: new)
        if !extra.isEmpty { lines.insert(contentsOf: extra, at: importPoint - 1) }
        return SourceEdit(
            path: path, original: source, patched: lines.joined(separator: "\n"), function: function, span: span,
            insertionPoints: extra.isEmpty ? [] : [importPoint], summary: summary)
    }

    static func checkSingleFunction(_ lines: [String], named function: String, python: PythonAST) throws {
        let text = lines.joined(separator: "\n") + "\n"
        let found = try python.functions(files: [("replacement.py", text)])
        if let error = found.errors["replacement.py"] {
            throw Refusal("guardrail syntax: the proposed function does not parse (\(error))")
        }
        let short = function.split(separator: ".").last.map(String.init) ?? function
        let top = (found.functions["replacement.py"] ?? []).filter { !$0.name.contains(".") }
        let last = lines.lastIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0 + 1 } ?? 0
        guard top.count == 1, top[0].name == short, top[0].start == 1, top[0].end == last else {
            throw Refusal(
                "guardrail right-function: the proposed text must be exactly one function `\(short)` and nothing else "
                    + "(found: \(top.map(\.name).joined(separator: ", ")))")
        }
    }

    /// 1-based line after the module docstring and the top-level imports (or 1).
    static func importInsertionLine(_ lines: [String]) -> Int {
        var i = 0
        var point = 1
        let quotes = ["\"\"\"", "'''"]
        if let first = lines.first?.trimmingCharacters(in: .whitespaces),
            let quote = quotes.first(where: { first.hasPrefix($0) })
        {
            var end = 0
            if !(first.count >= 6 && first.dropFirst(3).contains(quote)) {
                end = 1
                while end < lines.count, !lines[end].contains(quote) { end += 1 }
            }
            i = end + 1
            point = i + 1
        }
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("import ") || line.hasPrefix("from ") {
                if line.contains("("), !line.contains(")") {
                    while i + 1 < lines.count, !lines[i].contains(")") { i += 1 }
                }
                point = i + 2
            } else if !(line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#")) {
                break
            }
            i += 1
        }
        return min(point, lines.count + 1)
    }
}
