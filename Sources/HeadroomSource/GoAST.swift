import Foundation
import HeadroomCore

/// One Go recipe's edit, as the Go helper made it.
public struct GoFix: Sendable, Decodable, Equatable {
    /// The whole patched file (gofmt'ed when the original was).
    public var patched: String
    /// The function's first and last line in the original.
    public var start: Int
    public var end: Int
    /// Original lines before which lines were inserted outside the function (an import, a package-level var).
    public var insertLines: [Int]
    /// One line per change.
    public var summary: [String]
}

/// One call of a Go function, as the Go helper resolved it.
public struct GoCallSite: Sendable, Decodable, Equatable {
    public var path: String
    public var line: Int
    public var column: Int
    /// The calling function, named as pprof names it (`(*Server).Handle`).
    public var caller: String
    /// The argument expressions as written.
    public var arguments: [String]
    /// Whether the call sits inside a loop of the caller.
    public var inLoop: Bool

    enum CodingKeys: String, CodingKey {
        case path, line, column, caller, arguments
        case inLoop = "in_loop"
    }
}

/// Go's own go/parser and go/types, through a small helper program (Go/headroom_go.go) built once with the local Go
/// toolchain into a cache folder keyed by the helper's source and the toolchain's version.
public struct GoAST: Sendable {
    /// The `go` command.
    public var go: String
    /// Seconds a helper call (or the one-time build) may take.
    public var timeout: Double

    /// A helper run with `go` from PATH.
    public init(go: String = "go", timeout: Double = 120) {
        self.go = go
        self.timeout = timeout
    }

    /// Whether a Go toolchain is installed.
    public var isAvailable: Bool { Shell.which(go) != nil }

    /// Function spans of several files (`F`, `T.M`, `(*T).M`, as pprof names them after the package path); files
    /// that do not parse are listed in `errors`.
    public func functions(files: [(path: String, source: String)]) throws
        -> (functions: [String: [FunctionSpan]], errors: [String: String])
    {
        struct Answer: Decodable {
            var functions: [String: [FunctionSpan]]
            var errors: [String: String]
        }
        let answer: Answer = try call("functions", ["files": files.map { ["path": $0.path, "source": $0.source] }])
        return (answer.functions, answer.errors)
    }

    /// Where `function` (`F`, `T.M`, `(*T).M`) is called within its package: `files` are the package's files, type-
    /// checked together, so method calls through values, pointers and embedded fields resolve to the right method.
    public func callSites(of function: String, files: [(path: String, source: String)]) throws -> [GoCallSite] {
        struct Request: Encodable {
            var function: String
            var files: [[String: String]]
        }
        struct Answer: Decodable { var sites: [GoCallSite] }
        let answer: Answer = try call(
            "callsites", Request(function: function, files: files.map { ["path": $0.path, "source": $0.source] }))
        return answer.sites
    }

    /// nil when the source parses, else the syntax error.
    public func syntaxError(source: String, path: String) throws -> String? {
        struct Answer: Decodable {
            var ok: Bool
            var error: String?
        }
        let answer: Answer = try call("check", ["source": source, "path": path])
        return answer.ok ? nil : (answer.error ?? "syntax error")
    }

    /// The skills' patterns in the named functions of each file (every function with `everyFunction`), with
    /// `package` the other files of the files' packages (for types). Path → function → findings.
    public func scan(
        files: [(path: String, source: String, functions: [String])], package: [(path: String, source: String)],
        everyFunction: Bool = false
    ) throws -> [String: [String: [ScanFinding]]] {
        struct File: Encodable {
            var path, source: String
            var functions: [String]
        }
        struct Request: Encodable {
            var files: [File]
            var package: [[String: String]]
            var every_function: Bool
        }
        struct Answer: Decodable { var files: [String: [String: [ScanFinding]]] }
        let answer: Answer = try call(
            "scan",
            Request(
                files: files.map { File(path: $0.path, source: $0.source, functions: $0.functions) },
                package: package.map { ["path": $0.path, "source": $0.source] }, every_function: everyFunction))
        return answer.files
    }

    /// Recipe `recipe`'s edit of `function`, or nil and the reason it must not be made.
    public func fix(
        recipe: String, path: String, source: String, function: String, package: [(path: String, source: String)]
    ) throws -> (fix: GoFix?, refusal: String?) {
        struct Request: Encodable {
            var recipe, path, source, function: String
            var package: [[String: String]]
        }
        struct Answer: Decodable {
            var refused: String?
            var patched: String?
            var start: Int?
            var end: Int?
            var insert_lines: [Int]?
            var summary: [String]?
        }
        let answer: Answer = try call(
            "fix",
            Request(
                recipe: recipe, path: path, source: source, function: function,
                package: package.map { ["path": $0.path, "source": $0.source] }))
        if let refused = answer.refused { return (nil, refused) }
        guard let patched = answer.patched, let start = answer.start, let end = answer.end else {
            throw HeadroomError(.process, "go helper (fix) gave an incomplete answer")
        }
        return (
            GoFix(
                patched: patched, start: start, end: end, insertLines: answer.insert_lines ?? [],
                summary: answer.summary ?? []), nil
        )
    }

    func call<Request: Encodable, Answer: Decodable>(_ mode: String, _ request: Request) throws -> Answer {
        let binary = try helper()
        let result = try Shell.run([binary, mode], input: try JSONEncoder().encode(request), timeout: timeout)
        guard result.succeeded else {
            let why = result.timedOut ? "timed out" : result.stderr.split(separator: "\n").last.map(String.init) ?? ""
            throw HeadroomError(.process, "go helper (\(mode)) failed: \(why)")
        }
        if let failure = try? JSONDecoder().decode(GoHelperFailure.self, from: result.stdoutData) {
            throw HeadroomError(.badInput, "the Go source does not parse (\(failure.helper_error))")
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: result.stdoutData)
        } catch {
            throw HeadroomError(.process, "go helper (\(mode)) gave unreadable output")
        }
    }

    /// The helper's binary, built on first use: `$HEADROOM_CACHE` (else `$XDG_CACHE_HOME/headroom`, else
    /// `~/.cache/headroom`) `/go-helper-<hash>/headroom-go`. Built in a private folder and renamed into place, so
    /// processes building at once never see half a binary.
    func helper() throws -> String {
        guard let goPath = Shell.which(go) else {
            throw HeadroomError(.missingTool, "the Go toolchain is not installed (apt-get install golang-go)")
        }
        let version = try Shell.run([goPath, "env", "GOVERSION"], timeout: 60).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let key = String(SHA256.hex(Array((GoHelperSource.source + "\n" + version).utf8)).prefix(16))
        let folder = (Self.cacheRoot() as NSString).appendingPathComponent("go-helper-\(key)")
        let binary = (folder as NSString).appendingPathComponent("headroom-go")
        if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let scratch = try PrivateTemporary.directory(prefix: "headroom-go-build")
        defer { PrivateTemporary.remove(scratch) }
        try PrivateTemporary.write(GoHelperSource.source, to: scratch.appendingPathComponent("main.go").path)
        try PrivateTemporary.write("module headroomgo\n\ngo 1.19\n", to: scratch.appendingPathComponent("go.mod").path)
        let built = scratch.appendingPathComponent("headroom-go").path
        let result = try Shell.run(
            [goPath, "build", "-o", built, "."], in: scratch.path,
            environment: ["CGO_ENABLED": "0", "GOFLAGS": "-mod=mod", "GO111MODULE": "on"], timeout: max(timeout, 300))
        guard result.succeeded else {
            let why = result.stderr.split(separator: "\n").prefix(3).joined(separator: " | ")
            throw HeadroomError(.process, "building the Go helper failed: \(why)")
        }
        let staged = binary + ".\(getpid())"
        try? FileManager.default.removeItem(atPath: staged)
        try FileManager.default.moveItem(atPath: built, toPath: staged)
        if rename(staged, binary) != 0 {
            try? FileManager.default.removeItem(atPath: staged)
            if !FileManager.default.isExecutableFile(atPath: binary) {
                throw HeadroomError(.process, "could not install the Go helper at \(binary)")
            }
        }
        // Builds of other helper versions (an older Headroom, another toolchain) are not needed any more.
        let root = Self.cacheRoot()
        for old in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        where old.hasPrefix("go-helper-") && old != "go-helper-\(key)" {
            try? FileManager.default.removeItem(atPath: (root as NSString).appendingPathComponent(old))
        }
        return binary
    }

    static func cacheRoot(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let root = environment["HEADROOM_CACHE"], !root.isEmpty { return root }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return (xdg as NSString).appendingPathComponent("headroom")
        }
        let home = environment["HOME"] ?? NSTemporaryDirectory()
        return ((home as NSString).appendingPathComponent(".cache") as NSString).appendingPathComponent("headroom")
    }
}

/// The helper's answer when the source it was given does not parse.
private struct GoHelperFailure: Decodable { var helper_error: String }

/// Go function names as pprof prints them: `example.com/shop/cart.(*Cart).Total.func1`.
public enum GoNames {
    /// The name after the package path and package name: `(*Cart).Total.func1`.
    public static func local(_ name: String) -> String {
        let afterPath = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = afterPath.firstIndex(of: ".") else { return afterPath }
        return String(afterPath[afterPath.index(after: dot)...])
    }

    /// The declared function a frame belongs to: closures (`F.func1`, `F.func1.2`) and wrappers
    /// (`F.gowrap1`, `F.deferwrap1`) are their enclosing function's: `(*Cart).Total`.
    public static func enclosing(_ name: String) -> String {
        var parts = local(name).split(separator: ".").map(String.init)
        while parts.count > 1, let last = parts.last, FunctionRef.isGoGenerated(last) { parts.removeLast() }
        return parts.joined(separator: ".")
    }

    /// The method or function name alone: `Total`.
    public static func short(_ name: String) -> String {
        enclosing(name).split(separator: ".").last.map(String.init) ?? name
    }
}
