import HeadroomCore
import HeadroomSource

/// The `str-join` skill's recipe: a string built piece by piece with `+=` in a loop collects its pieces in a list and
/// joins them once after the loop.
///
/// ```python
/// out = ""
/// for row in rows:
///     out += row["sku"]
///     out += ","
/// ```
/// copies the growing string whenever CPython cannot resize it in place (and pays a resize check on every piece when
/// it can); `out_parts.append(...)` and one `"".join(out_parts)` after the loop copy each byte once. It is the same
/// string only when `out` is a local str at the loop and nothing during the loop reads the partial string: parameters,
/// values of unknown type, reads inside the loop, closures, handlers and `global` are refused with the reason.
public struct StrJoinRecipe: Recipe {
    public static let name = "str-join"
    public var name: String { Self.name }
    /// The helper that finds the loops and proves the string local and unread.
    public var python: PythonAST

    /// The recipe, parsing with `python`.
    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        let analysis = try python.strJoin(source: input.source, function: input.function)
        guard analysis.found, let start = analysis.start, let end = analysis.end else {
            throw Refusal("\(input.path) has no function `\(input.function)`")
        }
        let loops = analysis.loops ?? []
        guard !loops.isEmpty else {
            if let refused = analysis.refused?.first {
                throw Refusal("`\(refused.name) +=` at \(input.path):\(refused.line): \(refused.reason)")
            }
            throw Refusal("`\(input.function)` builds no string with += in a loop")
        }
        var text = TextLines(input.source)
        var summary: [String] = []
        // Bottom up, so that every position still names the original text when it is used.
        for loop in loops.sorted(by: { $0.line > $1.line }) {
            let indent = text.indentation(of: loop.line)
            text.insert(["\(indent)\(loop.name) = \"\".join(\(loop.parts))"], before: loop.endLine + 1)
            for site in loop.sites.sorted(by: { ($0.line, $0.col) > ($1.line, $1.col) }) {
                try text.replace(site.position, with: site.replacement)
            }
            if let start = loop.`init` {
                try text.replace(start.position, with: start.replacement)
            } else {
                text.insert(["\(indent)\(loop.parts) = [\(loop.name)]"], before: loop.line)
            }
            summary.insert(
                "\(input.path):\(loop.line): `\(loop.name)` built by \(loop.sites.count) concatenation(s) per "
                    + "iteration → `\(loop.parts).append(…)` and one `\"\".join(\(loop.parts))` after the loop", at: 0)
        }
        return SourceEdit(
            path: input.path, original: input.source, patched: text.text, function: input.function,
            span: start...end, summary: summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let before = try python.strJoin(source: edit.original, function: edit.function)
        let after = try python.strJoin(source: edit.patched, function: edit.function)
        let built = Set((before.loops ?? []).map(\.name))
        if let left = (after.loops ?? []).first(where: { built.contains($0.name) }) {
            throw Refusal(
                "guardrail right-issue: `\(left.name)` is still built with += in the loop at line \(left.line)")
        }
    }
}
