import HeadroomCore
import HeadroomSource

/// The `set-membership` skill's recipe: membership tests in a loop look values up in a frozenset instead of scanning
/// a list or tuple.
///
/// `x in ["a", "b", …]` and `x in NAMES` (a module-level list or tuple of constants) compare `x` with each item in
/// turn on every iteration. A literal sequence becomes a set display (`x in {"a", "b", …}`, which CPython folds into
/// one frozenset constant); a module-level one gets `_NAMES_SET = frozenset(NAMES)` right after its definition, and
/// the function's tests use it. Refused when the sequence can change (a mutating method, an item assignment, a
/// rebinding, being passed to a call), when its items are not constants, and when the value tested is a list, dict
/// or set display (a set cannot hold those).
public struct SetMembershipRecipe: Recipe {
    public static let name = "set-membership"
    public var name: String { Self.name }
    /// The helper that finds the tests and proves the sequences constant.
    public var python: PythonAST

    /// The recipe, parsing with `python`.
    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        let analysis = try python.membership(source: input.source, function: input.function)
        guard analysis.found, let start = analysis.start, let end = analysis.end else {
            throw Refusal("\(input.path) has no function `\(input.function)`")
        }
        let sites = analysis.sites ?? []
        guard !sites.isEmpty else {
            if let refused = analysis.refused?.first {
                throw Refusal("`\(refused.test)` at \(input.path):\(refused.line): \(refused.reason)")
            }
            throw Refusal("`\(input.function)` has no membership test against a list or tuple of constants in a loop")
        }
        var taken = Set(analysis.names ?? [])
        var sets: [String: (name: String, after: Int)] = [:]  // sequence name → its frozenset's name and line
        for site in sites where site.kind == "constant" {
            guard let sequence = site.name, sets[sequence] == nil, let after = site.definitionEnd else { continue }
            var name = "_\(sequence.uppercased())_SET"
            var n = 2
            while taken.contains(name) {
                name = "_\(sequence.uppercased())_SET_\(n)"
                n += 1
            }
            taken.insert(name)
            sets[sequence] = (name, after)
        }
        var text = TextLines(input.source)
        var summary: [String] = []
        for site in sites.sorted(by: { ($0.line, $0.col) > ($1.line, $1.col) }) {
            let replacement = site.kind == "constant" ? site.name.flatMap { sets[$0]?.name } : site.replacement
            guard let replacement else { continue }
            try text.replace(site.position, with: replacement)
            summary.insert(
                "\(input.path):\(site.line): `\(site.test.count > 60 ? String(site.test.prefix(57)) + "…" : site.test)` "
                    + "looks the value up in \(site.kind == "constant" ? "`\(replacement)`" : "a set") "
                    + "(\(site.elements) items)", at: 0)
        }
        // Each frozenset goes right after its sequence's definition, last first so earlier lines keep their numbers.
        var insertionPoints: [Int] = []
        for (sequence, set) in sets.sorted(by: { $0.value.after > $1.value.after }) {
            text.insert(["\(set.name) = frozenset(\(sequence))"], before: set.after + 1)
            insertionPoints.append(set.after + 1)
        }
        if !sets.isEmpty {
            summary.insert(
                "module-level frozensets for the tests: "
                    + sets.sorted { $0.key < $1.key }.map { "`\($0.value.name) = frozenset(\($0.key))`" }
                    .joined(separator: ", "), at: 0)
        }
        return SourceEdit(
            path: input.path, original: input.source, patched: text.text, function: input.function,
            span: start...end, insertionPoints: insertionPoints.sorted(), summary: summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let after = try python.membership(source: edit.patched, function: edit.function)
        if let left = after.sites?.first {
            throw Refusal("guardrail right-issue: `\(left.test)` still scans a sequence at line \(left.line)")
        }
    }
}
