import HeadroomCore
import HeadroomSource

/// The `memoize` skill's recipe: cache a pure function's results with a bounded `functools.lru_cache`.
///
/// It refuses when the cache would change behaviour: the function is impure (I/O, clock, randomness, logging,
/// module state that changes, mutating its arguments), a method (mutable `self` state, or instances kept alive),
/// has a mutable default argument, takes or is called with unhashable arguments, returns a fresh mutable object, or
/// is a generator or coroutine.
public struct MemoizeRecipe: Recipe {
    public static let name = "memoize"
    public var name: String { Self.name }
    public var python: PythonAST
    /// Entries kept; bounded so a cache can never grow without limit.
    public var maxSize: Int

    public init(python: PythonAST = PythonAST(), maxSize: Int = 4096) {
        self.python = python
        self.maxSize = maxSize
    }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        let analysis = try python.memo(
            source: input.source, path: input.path, function: input.function,
            callers: input.otherSources)
        guard analysis.found, let start = analysis.start, let end = analysis.end,
            let decoratorLine = analysis.decoratorLine, let importLine = analysis.importLine
        else { throw Refusal("\(input.path) has no function `\(input.function)`") }
        if let refusal = analysis.refusal {
            throw Refusal("memoizing `\(input.function)` would change behaviour: \(refusal)")
        }
        if analysis.alreadyCached == true { throw Refusal("`\(input.function)` is already cached") }
        var text = TextLines(input.source)
        let module = analysis.functoolsAlias ?? "functools"
        let indent = String(repeating: " ", count: analysis.col ?? 0)
        text.insert(["\(indent)@\(module).lru_cache(maxsize=\(maxSize))"], before: decoratorLine)
        var summary = [
            "cache `\(analysis.qualname ?? input.function)` with `@\(module).lru_cache(maxsize=\(maxSize))` "
                + "(pure, hashable arguments: \((analysis.params ?? []).joined(separator: ", ")))"
        ]
        var insertions: [Int] = []
        if analysis.functoolsAlias == nil {
            text.insert(["import functools"], before: importLine)
            insertions.append(importLine)
            summary.append("import functools")
        }
        return SourceEdit(
            path: input.path, original: input.source, patched: text.text, function: input.function,
            span: start...end, insertionPoints: insertions, summary: summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let after = try python.memo(source: edit.patched, path: edit.path, function: edit.function, callers: [])
        guard after.alreadyCached == true else {
            throw Refusal("guardrail right-issue: `\(edit.function)` is not decorated with a cache after the patch")
        }
    }
}
