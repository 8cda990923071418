import Foundation
import HeadroomCore
import HeadroomSource

/// A Go skill's recipe: the edit comes from the Go helper (go/ast and go/types, `GoAST.fix`), which either makes it
/// or says why it must not be made; the right-issue check scans the patched file again.
///
/// | skill | what it changes |
/// |---|---|
/// | go-regex-hoist | `regexp.MustCompile`/`Compile`/`MatchString` of a constant pattern → a package-level var |
/// | go-log-guard | a debug log call that formats or computes its arguments → inside `if log.Enabled(…)` |
/// | go-string-builder | `s += …` in a loop → one `strings.Builder`, read once after the loop |
/// | go-preallocate | `append` in a range loop of known length → capacity `len(x)` allocated once |
/// | go-loop-invariant | pure calls and map reads with the same inputs on every iteration → computed once before it |
/// | go-defer-loop | `defer` directly in a loop body → the call at the end of the iteration |
public struct GoRecipe: Recipe {
    /// The skills that have a Go recipe.
    public static let names = [
        "go-regex-hoist", "go-log-guard", "go-string-builder", "go-preallocate", "go-loop-invariant", "go-defer-loop",
    ]

    public let name: String
    /// The Go helper.
    public var go: GoAST

    /// The recipe registered as skill `name`.
    public init(name: String, go: GoAST = GoAST()) {
        self.name = name
        self.go = go
    }

    public func apply(_ input: RecipeInput) throws -> SourceEdit {
        guard input.path.hasSuffix(".go") else { throw Refusal("\(name) changes Go files; \(input.path) is not one") }
        let package = try Self.packageFiles(
            repository: input.repository, revision: input.baseCommit, path: input.path)
        let (fix, refusal) = try go.fix(
            recipe: name, path: input.path, source: input.source, function: input.function, package: package)
        guard let fix else { throw Refusal(refusal ?? "the Go helper made no edit") }
        guard fix.start >= 1, fix.start <= fix.end else { throw Refusal("internal: bad span for \(input.function)") }
        return SourceEdit(
            path: input.path, original: input.source, patched: fix.patched, function: input.function,
            span: fix.start...fix.end, insertionPoints: fix.insertLines, summary: fix.summary)
    }

    public func verify(_ edit: SourceEdit) throws {
        let findings = try go.scan(
            files: [(edit.path, edit.patched, [edit.function, GoNames.short(edit.function)])], package: [])
        let left = (findings[edit.path] ?? [:]).values.flatMap { $0 }.filter {
            $0.blocked == nil && Self.recipe(of: $0.pattern) == name
        }
        if let first = left.first {
            throw Refusal("guardrail right-issue: \(first.detail) (still at line \(first.line))")
        }
    }

    /// The Go recipe that fixes a scanner pattern.
    public static func recipe(of pattern: String) -> String? {
        [
            "regex-compile": "go-regex-hoist", "logging": "go-log-guard", "string-concat": "go-string-builder",
            "preallocate": "go-preallocate", "loop-invariant": "go-loop-invariant", "defer-in-loop": "go-defer-loop",
        ][pattern]
    }

    /// The other non-test Go files of `path`'s package (its folder) at `revision`, for types.
    static func packageFiles(repository: String, revision: String, path: String) throws -> [(
        path: String, source: String
    )] {
        let git = try Git(path: repository)
        let folder = (path as NSString).deletingLastPathComponent
        let listed = (try? git.run(["ls-tree", "--name-only", revision, folder.isEmpty ? "." : folder + "/"])) ?? ""
        return listed.split(separator: "\n").map(String.init)
            .filter { $0.hasSuffix(".go") && !$0.hasSuffix("_test.go") && $0 != path }
            .prefix(200)
            .compactMap { file in git.show(revision, path: file).map { (file, $0) } }
    }
}
