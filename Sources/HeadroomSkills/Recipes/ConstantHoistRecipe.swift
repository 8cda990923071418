import HeadroomCore
import HeadroomSource

/// The `constant-hoist` skill's recipe: parse a constant once, at module level, instead of on every call.
///
/// `datetime.strptime("2024-03-01", "%Y-%m-%d")` inside a function called per record parses the same text every
/// time (strptime alone costs microseconds). The recipe adds `_CUTOFF = datetime.strptime(...)` after the imports and
/// the function uses `_CUTOFF`. Parsers of immutable values qualify (`datetime`/`date`/`time` parsing, `time.strptime`,
/// `Decimal`, `Fraction`, `ipaddress`, `uuid.UUID`, `struct.Struct`); `json.loads` only where the function reads the
/// value and never changes or hands it out. Run-time arguments and locale-dependent formats are refused.
public struct ConstantHoistRecipe: Recipe {
    public static let name = "constant-hoist"
    public var name: String { Self.name }
    /// The helper that finds the calls and proves their arguments constant.
    public var python: PythonAST

    /// The recipe, parsing with `python`.
    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        let analysis = try python.constantParse(source: input.source, function: input.function)
        guard analysis.found, let start = analysis.start, let end = analysis.end, let insertLine = analysis.insertLine
        else { throw Refusal("\(input.path) has no function `\(input.function)`") }
        let sites = analysis.sites ?? []
        guard !sites.isEmpty else {
            if let refused = (analysis.refused ?? []).first ?? (analysis.dynamic ?? []).first {
                throw Refusal("`\(refused.call)` at \(input.path):\(refused.line): \(refused.reason)")
            }
            throw Refusal("`\(input.function)` parses no constant with a known parser")
        }
        var taken = Set(analysis.names ?? [])
        let stem = "_" + (input.function.split(separator: ".").last.map(String.init) ?? input.function).uppercased()
        var constants: [String: String] = [:]  // call text → name
        var definitions: [String] = []
        for site in sites where constants[site.call] == nil {
            let method = site.parser.split(separator: ".").last.map { String($0).uppercased() } ?? "VALUE"
            let base = site.target.map { "_" + $0.uppercased() } ?? "\(stem)_\(method)"
            var name = base
            var n = 2
            while taken.contains(name) {
                name = "\(base)_\(n)"
                n += 1
            }
            taken.insert(name)
            constants[site.call] = name
            definitions.append("\(name) = \(site.call)")
        }
        var text = TextLines(input.source)
        var summary: [String] = []
        for site in sites.sorted(by: { ($0.line, $0.col) > ($1.line, $1.col) }) {
            let name = constants[site.call]!
            try text.replace(site.position, with: name)
            summary.insert("\(input.path):\(site.line): `\(site.call.prefix(60))` → `\(name)`", at: 0)
        }
        let blankAfter =
            insertLine <= text.lines.count && !text.lines[insertLine - 1].trimmingCharacters(in: .whitespaces).isEmpty
        text.insert([""] + definitions + (blankAfter ? [""] : []), before: insertLine)
        summary.insert(
            "parse \(definitions.count) constant(s) once at module level: "
                + definitions.map { "`\($0.split(separator: " ").first!)`" }.joined(separator: ", "), at: 0)
        return SourceEdit(
            path: input.path, original: input.source, patched: text.text, function: input.function,
            span: start...end, insertionPoints: [insertLine], summary: summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let after = try python.constantParse(source: edit.patched, function: edit.function)
        if let left = after.sites?.first {
            throw Refusal("guardrail right-issue: `\(left.call.prefix(60))` is still parsed at line \(left.line)")
        }
    }
}
