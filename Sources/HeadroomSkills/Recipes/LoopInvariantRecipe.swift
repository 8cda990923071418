import HeadroomCore
import HeadroomSource

/// The `loop-invariant` skill's recipe: compute loop-invariant serialization, configuration lookups, attribute
/// chains and whole-collection builtins (`sorted(x)`, `sum(x)`, `max(x)`, …) once, before the loop.
///
/// An expression qualifies when it runs on every iteration, reads no name the loop assigns, and nothing in the loop
/// can mutate what it reads (no stores through it, no mutating or unknown method calls on it, not passed to a call).
public struct LoopInvariantRecipe: Recipe {
    public static let name = "loop-invariant"
    public var name: String { Self.name }
    public var python: PythonAST

    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        let analysis = try python.invariants(source: input.source, function: input.function)
        guard analysis.found, let start = analysis.start, let end = analysis.end else {
            throw Refusal("\(input.path) has no function `\(input.function)`")
        }
        let loops = analysis.loops ?? []
        guard !loops.isEmpty else {
            if let refused = analysis.refused?.first {
                throw Refusal("`\(refused.expression)` at \(input.path):\(refused.line): \(refused.reason)")
            }
            throw Refusal(
                "`\(input.function)` has no loop-invariant serialization, configuration lookup, attribute chain or "
                    + "whole-collection builtin that is safe to hoist (each one reads something the loop changes, or is "
                    + "conditional)")
        }
        var text = TextLines(input.source)
        var summary: [String] = []
        for loop in loops.sorted(by: { $0.line > $1.line }) {
            let occurrences = loop.hoists.flatMap { hoist in hoist.occurrences.map { (hoist.name, $0) } }
            for (name, position) in occurrences.sorted(by: { ($0.1.line, $0.1.col) > ($1.1.line, $1.1.col) }) {
                try text.replace(position, with: name)
            }
            let indent = text.indentation(of: loop.line)
            text.insert(loop.hoists.map { "\(indent)\($0.name) = \($0.expression)" }, before: loop.line)
            for hoist in loop.hoists.reversed() {
                summary.insert(
                    "compute `\(hoist.expression)` once before the loop at \(input.path):\(loop.line) "
                        + "(`\(hoist.name)`, \(hoist.kind), used \(hoist.occurrences.count)× per iteration)", at: 0)
            }
        }
        return SourceEdit(
            path: input.path, original: input.source, patched: text.text, function: input.function,
            span: start...end, summary: summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let before = try python.invariants(source: edit.original, function: edit.function)
        let after = try python.invariants(source: edit.patched, function: edit.function)
        let hoisted = Set((before.loops ?? []).flatMap { $0.hoists.map(\.expression) })
        if let left = (after.loops ?? []).flatMap(\.hoists).first(where: { hoisted.contains($0.expression) }) {
            throw Refusal("guardrail right-issue: `\(left.expression)` is still computed inside the loop")
        }
    }
}
