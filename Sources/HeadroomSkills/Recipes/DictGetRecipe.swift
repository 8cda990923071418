import HeadroomCore
import HeadroomSource

/// The `dict-get` skill's recipe: an exception-driven lookup in a loop becomes one `dict.get`.
///
/// ```python
/// try:
///     price = PRICES[sku]
/// except KeyError:
///     price = 0
/// ```
/// raises, catches and discards a `KeyError` on every miss; `price = PRICES.get(sku, 0)` looks up once whether the
/// key is there or not. It is the same program only when the container is certainly a plain dict (a defaultdict or a
/// mapping with `__missing__` answers `[]` and `get` differently) and the default may be evaluated on every lookup, so
/// parameters, containers of unknown type and defaults that call code are refused.
public struct DictGetRecipe: Recipe {
    public static let name = "dict-get"
    public var name: String { Self.name }
    /// The helper that finds the lookups and proves the containers plain dicts.
    public var python: PythonAST

    /// The recipe, parsing with `python`.
    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        let analysis = try python.dictGet(source: input.source, function: input.function)
        guard analysis.found, let start = analysis.start, let end = analysis.end else {
            throw Refusal("\(input.path) has no function `\(input.function)`")
        }
        let sites = analysis.sites ?? []
        guard !sites.isEmpty else {
            if let refused = analysis.refused?.first {
                throw Refusal("the try at \(input.path):\(refused.line): \(refused.reason)")
            }
            throw Refusal("`\(input.function)` has no `try`/`except KeyError` lookup in a loop")
        }
        var text = TextLines(input.source)
        var summary: [String] = []
        for site in sites.sorted(by: { $0.line > $1.line }) {
            try text.replace(site.position, with: site.replacement)
            summary.insert(
                "\(input.path):\(site.line): try/except KeyError → `\(site.replacement)` (`\(site.container)` is a "
                    + (site.provenance == "local" ? "dict built in the function)" : "module-level dict)"), at: 0)
        }
        return SourceEdit(
            path: input.path, original: input.source, patched: text.text, function: input.function,
            span: start...end, summary: summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let after = try python.dictGet(source: edit.patched, function: edit.function)
        if let left = after.sites?.first {
            throw Refusal("guardrail right-issue: the try/except KeyError lookup at line \(left.line) is still there")
        }
    }
}
