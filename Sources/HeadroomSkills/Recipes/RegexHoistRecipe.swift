import HeadroomCore
import HeadroomSource

/// The `regex-hoist` skill's recipe: compile constant regular expressions once at module level.
///
/// `re.match(r"…", s)` looks the pattern up in `re`'s cache (and recompiles it once the cache overflows) on every
/// call. The recipe adds `_NAME_RE = re.compile(r"…", flags)` after the imports and calls the compiled pattern's
/// method with the same remaining arguments. Patterns built at run time are refused.
public struct RegexHoistRecipe: Recipe {
    public static let name = "regex-hoist"
    public var name: String { Self.name }
    public var python: PythonAST

    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        let analysis = try python.regex(source: input.source, function: input.function)
        guard analysis.found, let start = analysis.start, let end = analysis.end, let insertLine = analysis.insertLine
        else { throw Refusal("\(input.path) has no function `\(input.function)`") }
        let sites = analysis.sites ?? []
        guard !sites.isEmpty else {
            if let dynamic = analysis.dynamic?.first {
                throw Refusal(
                    "the pattern at \(input.path):\(dynamic.line) is built at run time (`\(dynamic.pattern)`); "
                        + "hoisting needs a constant pattern (cache compiled patterns per key instead)")
            }
            throw Refusal("`\(input.function)` has no `re` call with a constant pattern")
        }
        var taken = Set(analysis.names ?? [])
        let stem = "_" + (input.function.split(separator: ".").last.map(String.init) ?? input.function).uppercased()
        var constants: [String: String] = [:]  // "pattern|flags" → name
        var definitions: [String] = []
        for site in sites.sorted(by: { ($0.line, $0.col) < ($1.line, $1.col) }) {
            let key = site.pattern + "|" + (site.flags ?? "")
            if constants[key] != nil { continue }
            var name = stem + "_RE"
            var n = 2
            while taken.contains(name) {
                name = "\(stem)_RE_\(n)"
                n += 1
            }
            taken.insert(name)
            constants[key] = name
            definitions.append("\(name) = \(site.alias).compile(\(site.pattern)\(site.flags.map { ", \($0)" } ?? ""))")
        }
        var text = TextLines(input.source)
        var summary: [String] = []
        for site in sites.sorted(by: { ($0.line, $0.col) > ($1.line, $1.col) }) {
            let name = constants[site.pattern + "|" + (site.flags ?? "")]!
            let call = site.method == "compile" ? name : "\(name).\(site.method)(\(site.rest.joined(separator: ", ")))"
            try text.replace(site.position, with: call)
            summary.insert(
                "\(input.path):\(site.line): `\(site.alias).\(site.method)(…)` → `\(call.count > 60 ? name + "." + site.method + "(…)" : call)`",
                at: 0)
        }
        let blankAfter =
            insertLine <= text.lines.count && !text.lines[insertLine - 1].trimmingCharacters(in: .whitespaces).isEmpty
        text.insert([""] + definitions + (blankAfter ? [""] : []), before: insertLine)
        summary.insert(
            "precompile \(definitions.count) pattern(s) at module level: "
                + definitions.map { "`\($0.split(separator: " ").first!)`" }.joined(separator: ", "), at: 0)
        return SourceEdit(
            path: input.path, original: input.source, patched: text.text, function: input.function,
            span: start...end, insertionPoints: [insertLine], summary: summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let after = try python.regex(source: edit.patched, function: edit.function)
        if let left = after.sites?.first {
            throw Refusal(
                "guardrail right-issue: `\(left.alias).\(left.method)` with a constant pattern is still at line \(left.line)"
            )
        }
    }
}
