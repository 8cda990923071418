import Foundation
import HeadroomCore

/// A function's span in a source file.
public struct FunctionSpan: Sendable, Codable, Equatable {
    /// Qualified name: Python's `__qualname__` form (`Class.method`, `outer.<locals>.inner`); `Type.method` for
    /// brace languages.
    public var name: String
    /// First line, decorators and attributes included (1-based).
    public var start: Int
    public var end: Int
    enum CodingKeys: String, CodingKey { case name, start, end }
    public init(name: String, start: Int, end: Int) {
        self.name = name
        self.start = start
        self.end = end
    }
}

/// One logging call inside a function, as Python's `ast` sees it.
public struct PythonLogCall: Sendable, Codable, Equatable {
    public var line: Int
    public var endLine: Int
    /// The enclosing expression statement, when the call stands alone as one.
    public var statementLine: Int?
    public var statementEndLine: Int?
    public var statementColumn: Int?
    /// Source text of the logger expression (`logger`, `self.log`).
    public var logger: String
    public var method: String
    /// `DEBUG`, `INFO`, … or, for `log(level, …)`, the level expression's text.
    public var level: String?
    /// Whether the arguments format or compute eagerly (f-strings, `%`, calls).
    public var eager: Bool
    /// Why skipping the arguments could change behaviour, or nil when they are side-effect free.
    public var impurity: String?
    /// Whether an `isEnabledFor` test already guards the call.
    public var guarded: Bool

    enum CodingKeys: String, CodingKey {
        case line, logger, method, level, eager, impurity, guarded
        case endLine = "end_line"
        case statementLine = "statement_line"
        case statementEndLine = "statement_end_line"
        case statementColumn = "statement_col"
    }
}

/// The logging calls of one function.
public struct PythonLogReport: Sendable, Equatable {
    public var start: Int
    public var end: Int
    /// The name `logging` is imported under at module level, or nil.
    public var loggingAlias: String?
    public var calls: [PythonLogCall]
}

/// Python's own `ast`, run in a `python3` subprocess.
public struct PythonAST: Sendable {
    public var python: String
    public var timeout: Double

    public init(python: String = "python3", timeout: Double = 60) {
        self.python = python
        self.timeout = timeout
    }

    /// Function spans of several files in one subprocess; files that do not parse are listed in `errors`.
    public func functions(files: [(path: String, source: String)]) throws
        -> (functions: [String: [FunctionSpan]], errors: [String: String])
    {
        struct Answer: Decodable {
            var functions: [String: [FunctionSpan]]
            var errors: [String: String]
        }
        let request = ["files": files.map { ["path": $0.path, "source": $0.source] }]
        let answer: Answer = try call("functions", request)
        return (answer.functions, answer.errors)
    }

    /// Configuration files flattened to `dotted.key → JSON value text`, in one subprocess. `format` is `json`,
    /// `yaml`, `toml` or `ini`; files that do not parse are listed in `errors`.
    public func configKeys(files: [(path: String, format: String, source: String)]) throws
        -> (keys: [String: [String: String]], errors: [String: String])
    {
        struct Answer: Decodable {
            var keys: [String: [String: String]]
            var errors: [String: String]
        }
        let request = ["files": files.map { ["path": $0.path, "format": $0.format, "source": $0.source] }]
        let answer: Answer = try call("config", request)
        return (answer.keys, answer.errors)
    }

    /// The logging calls inside a function, or nil when the file has no such function.
    public func logCalls(source: String, function: String) throws -> PythonLogReport? {
        struct Answer: Decodable {
            var found: Bool
            var start: Int?
            var end: Int?
            var logging_alias: String?
            var calls: [PythonLogCall]?
        }
        let answer: Answer = try call("logcalls", ["source": source, "function": function])
        guard answer.found, let start = answer.start, let end = answer.end else { return nil }
        return PythonLogReport(start: start, end: end, loggingAlias: answer.logging_alias, calls: answer.calls ?? [])
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

    func call<Request: Encodable, Answer: Decodable>(
        _ mode: String, _ request: Request, snakeCase: Bool = false
    ) throws -> Answer {
        let input = try JSONEncoder().encode(request)
        let result = try Shell.run([python, "-c", PythonHelperScript.source, mode], input: input, timeout: timeout)
        guard result.succeeded else {
            let why = result.timedOut ? "timed out" : result.stderr.split(separator: "\n").last.map(String.init) ?? ""
            throw HeadroomError(.process, "python ast helper (\(mode)) failed: \(why)")
        }
        if let failure = try? JSONDecoder().decode(HelperFailure.self, from: result.stdoutData) {
            throw HeadroomError(.badInput, "the Python source does not parse (\(failure.helper_error))")
        }
        do {
            let decoder = JSONDecoder()
            if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
            return try decoder.decode(Answer.self, from: result.stdoutData)
        } catch {
            throw HeadroomError(.process, "python ast helper (\(mode)) gave unreadable output")
        }
    }
}

/// The helper's answer when the source it was given does not parse.
private struct HelperFailure: Decodable { var helper_error: String }
