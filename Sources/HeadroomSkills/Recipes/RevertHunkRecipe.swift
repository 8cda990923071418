import Foundation
import HeadroomCore
import HeadroomSource

/// The `revert-hunk` skill's recipe (defense only, the fallback): undo the culprit commit's hunks inside the
/// regressed function, on top of the current code.
///
/// Only the hunks that overlap the function (in the culprit's version) are reverted, with `git apply -R` and its
/// context check, so later edits to the same lines make it refuse rather than guess.
public struct RevertHunkRecipe: Recipe {
    public static let name = "revert-hunk"
    public var name: String { Self.name }
    public var python: PythonAST

    public init(python: PythonAST = PythonAST()) { self.python = python }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        guard let culprit = input.culprit else {
            throw Refusal("revert-hunk needs a culprit commit; it only applies to regressions")
        }
        let git = try Git(path: input.repository)
        guard let after = git.show(culprit, path: input.path) else {
            throw Refusal("the culprit \(culprit.prefix(12)) has no \(input.path)")
        }
        guard let culpritSpan = try span(of: input.function, in: after, path: input.path) else {
            throw Refusal("`\(input.function)` does not exist in \(input.path) at the culprit \(culprit.prefix(12))")
        }
        guard let baseSpan = try span(of: input.function, in: input.source, path: input.path) else {
            throw Refusal("`\(input.function)` no longer exists in \(input.path) at \(input.baseCommit.prefix(12))")
        }
        let diff = try git.run(["show", "--format=", "--no-color", "-U3", "--no-ext-diff", culprit, "--", input.path])
        let (header, hunks) = Self.split(diff)
        let chosen = hunks.filter { $0.newRange.overlaps(culpritSpan) }
        guard !chosen.isEmpty else {
            throw Refusal("the culprit \(culprit.prefix(12)) did not change `\(input.function)` in \(input.path)")
        }
        let scratch = try PrivateTemporary.directory(prefix: "headroom-revert")
        defer { PrivateTemporary.remove(scratch) }
        let file = scratch.appendingPathComponent(input.path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PrivateTemporary.write(input.source, to: file.path)
        let patchFile = scratch.appendingPathComponent(".headroom-revert.patch")
        try PrivateTemporary.write(header + chosen.map(\.text).joined(), to: patchFile.path)
        let applied = try Shell.run(["git", "apply", "-R", "--recount", patchFile.path], in: scratch.path, timeout: 60)
        guard applied.succeeded else {
            throw Refusal(
                "the culprit's hunk in `\(input.function)` no longer applies in reverse at "
                    + "\(input.baseCommit.prefix(12)) (later changes touched the same lines)")
        }
        let patched = try String(contentsOf: file, encoding: .utf8)
        let lines = chosen.map { "\($0.newRange.lowerBound)-\($0.newRange.upperBound)" }.joined(separator: ", ")
        return SourceEdit(
            path: input.path, original: input.source, patched: patched, function: input.function, span: baseSpan,
            summary: [
                "revert \(chosen.count) hunk(s) of \(culprit.prefix(12)) in `\(input.function)` "
                    + "(\(input.path), lines \(lines) of the culprit's version)"
            ])
    }

    public func verify(_ edit: SourceEdit) throws {
        guard edit.patched != edit.original else { throw Refusal("guardrail right-issue: the revert changed nothing") }
    }

    struct Hunk {
        var text: String
        var newRange: ClosedRange<Int>
    }

    /// The file header and the hunks of a one-file unified diff.
    static func split(_ diff: String) -> (header: String, hunks: [Hunk]) {
        var header = ""
        var hunks: [Hunk] = []
        for line in diff.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("@@") {
                let fields = line.split(separator: " ")
                let new = fields.count > 2 ? fields[2].dropFirst().split(separator: ",") : []
                let start = Int(new.first ?? "0") ?? 0
                let count = new.count > 1 ? Int(new[1]) ?? 1 : 1
                hunks.append(Hunk(text: line + "\n", newRange: start...max(start, start + count - 1)))
            } else if !hunks.isEmpty {
                hunks[hunks.count - 1].text += line + "\n"
            } else if !line.isEmpty {
                header += line + "\n"
            }
        }
        // The last split element after the final newline is an empty line, not diff content.
        if var last = hunks.popLast() {
            if last.text.hasSuffix("\n\n") { last.text.removeLast() }
            hunks.append(last)
        }
        return (header, hunks)
    }

    private func span(of function: String, in source: String, path: String) throws -> ClosedRange<Int>? {
        let spans: [FunctionSpan]
        if path.hasSuffix(".py") {
            spans = try python.functions(files: [(path, source)]).functions[path] ?? []
        } else if let language = BraceScanner.Language(path: path) {
            spans = BraceScanner.functions(source: source, language: language)
        } else {
            return nil
        }
        let match = spans.first { $0.name == function } ?? spans.first { $0.name.hasSuffix("." + function) }
        return match.map { $0.start...$0.end }
    }
}
