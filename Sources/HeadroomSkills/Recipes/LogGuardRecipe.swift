import HeadroomCore
import HeadroomSource

/// The `log-guard` skill's deterministic recipe: wrap eager logging calls in a level check.
///
/// A call such as `logger.debug(f"... {big}")` builds its message even when DEBUG is off. Guarding it with
/// `if logger.isEnabledFor(logging.DEBUG):` skips that work and keeps the output identical whenever the level is
/// on. The recipe refuses when skipping the arguments could change behaviour (they call something that may have side
/// effects, or assign), when the module does not import `logging`, or when there is nothing eager to guard.
public struct LogGuardRecipe: Recipe {
    public static let name = "log-guard"
    public var name: String { Self.name }
    public var python: PythonAST

    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        try apply(source: input.source, path: input.path, function: input.function)
    }

    /// No eager, unguarded logging call is left in the function.
    public func verify(_ edit: SourceEdit) throws {
        if let report = try python.logCalls(source: edit.patched, function: edit.function),
            report.calls.contains(where: { $0.eager && !$0.guarded })
        {
            throw Refusal("guardrail right-issue: `\(edit.function)` still has an unguarded eager logging call")
        }
    }

    /// The guarded version of `function` in `source`.
    public func apply(source: String, path: String, function: String) throws -> SourceEdit {
        guard let report = try python.logCalls(source: source, function: function) else {
            throw Refusal("\(path) has no function `\(function)`")
        }
        let eager = report.calls.filter { $0.eager && !$0.guarded }
        guard !eager.isEmpty else {
            throw Refusal("`\(function)` has no unguarded logging call that formats eagerly")
        }
        if let impure = eager.first(where: { $0.impurity != nil }) {
            throw Refusal(
                "guarding the log call at \(path):\(impure.line) would skip side effects: \(impure.impurity!)")
        }
        guard let alias = report.loggingAlias else {
            throw Refusal("\(path) does not import logging at module level, so no level constant to test")
        }
        guard eager.allSatisfy({ $0.statementLine != nil }) else {
            throw Refusal("a logging call in `\(function)` is part of a larger expression; it cannot be wrapped alone")
        }
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var summary: [String] = []
        for call in eager.sorted(by: { $0.statementLine! > $1.statementLine! }) {
            let first = call.statementLine! - 1
            let last = call.statementEndLine! - 1
            let indent = String(lines[first].prefix { $0 == " " || $0 == "\t" })
            guard indent.count == call.statementColumn else {
                throw Refusal("the log statement at \(path):\(call.line) shares its line with other code")
            }
            let logger = call.logger == alias ? "\(alias).getLogger()" : call.logger
            let level = call.method == "log" ? (call.level ?? "\(alias).DEBUG") : "\(alias).\(call.level ?? "DEBUG")"
            for i in first...last where !lines[i].isEmpty { lines[i] = "    " + lines[i] }
            lines.insert("\(indent)if \(logger).isEnabledFor(\(level)):", at: first)
            summary.append(
                "guard `\(call.logger).\(call.method)(…)` at \(path):\(call.line) with `isEnabledFor(\(level))`")
        }
        return SourceEdit(
            path: path, original: source, patched: lines.joined(separator: "\n"), function: function,
            span: report.start...report.end, summary: summary.reversed())
    }
}
