import Foundation
import HeadroomCore

/// A source range from Python's `ast`: lines 1-based, columns 0-based UTF-8 byte offsets.
public struct SourcePosition: Sendable, Codable, Equatable {
    public var line: Int
    public var col: Int
    public var endLine: Int
    public var endCol: Int
    public init(line: Int, col: Int, endLine: Int, endCol: Int) {
        self.line = line
        self.col = col
        self.endLine = endLine
        self.endCol = endCol
    }
}

/// Whether a function may be memoized, and where the decorator and import would go.
public struct MemoAnalysis: Sendable, Decodable {
    public var found: Bool
    public var qualname: String?
    public var start: Int?
    public var end: Int?
    public var defLine: Int?
    public var decoratorLine: Int?
    public var col: Int?
    public var alreadyCached: Bool?
    /// Why memoizing would change behaviour (impure, mutable self state, mutable default, unhashable arguments).
    public var refusal: String?
    public var functoolsAlias: String?
    public var importLine: Int?
    public var params: [String]?
}

/// A `re.<function>(constant pattern, …)` call that can use a precompiled pattern.
public struct RegexSite: Sendable, Decodable {
    public var line: Int
    public var col: Int
    public var endLine: Int
    public var endCol: Int
    public var method: String
    public var alias: String
    public var pattern: String
    public var flags: String?
    /// The call's other arguments' source text (flags removed), in order.
    public var rest: [String]
    public var position: SourcePosition { SourcePosition(line: line, col: col, endLine: endLine, endCol: endCol) }
}

public struct RegexAnalysis: Sendable, Decodable {
    public struct Dynamic: Sendable, Decodable {
        public var line: Int
        public var pattern: String
    }
    public var found: Bool
    public var qualname: String?
    public var start: Int?
    public var end: Int?
    public var sites: [RegexSite]?
    /// Calls whose pattern is built at run time, which hoisting cannot fix.
    public var dynamic: [Dynamic]?
    public var alias: String?
    public var insertLine: Int?
    /// Every name the module uses, to keep new names unique.
    public var names: [String]?
}

/// Loop-invariant expressions that can be computed once before their loop.
public struct InvariantAnalysis: Sendable, Decodable {
    public struct Hoist: Sendable, Decodable {
        public var expression: String
        /// `serialization`, `lookup`, or `collection` (a whole-collection builtin: `sorted`, `sum`, `max`, …).
        public var kind: String
        public var occurrences: [SourcePosition]
        public var root: String?
        public var name: String
    }
    public struct Loop: Sendable, Decodable {
        public var line: Int
        public var col: Int
        public var hoists: [Hoist]
    }
    /// Whole-collection work in a loop that cannot be hoisted, and why (the collection changes in the loop).
    public struct Refused: Sendable, Decodable {
        public var line: Int
        public var expression: String
        public var reason: String
    }
    public var found: Bool
    public var qualname: String?
    public var start: Int?
    public var end: Int?
    public var loops: [Loop]?
    public var refused: [Refused]?
}

/// A pattern the opportunity scanner found in a function's code.
public struct ScanFinding: Sendable, Decodable, Equatable {
    public var pattern: String
    public var line: Int
    /// The source spans (first and last line) whose samples a fix removes; empty when the whole function's cost is
    /// the measure (memoize).
    public var lines: [[Int]]?
    public var detail: String
    /// Why the matching recipe would refuse, when the scanner already knows.
    public var blocked: String?
    /// What kind of code it is within its pattern (`collection:sorted`, `parse:decimal.Decimal`, `string-concat`),
    /// for finding look-alikes of an accepted fix.
    public var shapes: [String]?
}

extension PythonAST {
    public func memo(source: String, path: String, function: String, callers: [(path: String, source: String)])
        throws -> MemoAnalysis
    {
        struct Request: Encodable {
            var source, path, function: String
            var callers: [[String: String]]
        }
        return try call(
            "memo",
            Request(
                source: source, path: path, function: function,
                callers: callers.map { ["path": $0.path, "source": $0.source] }),
            snakeCase: true)
    }

    public func regex(source: String, function: String) throws -> RegexAnalysis {
        try call("regex", ["source": source, "function": function], snakeCase: true)
    }

    /// Membership tests (`x in [...]`, `x in NAME`) in the function's loops that a frozenset can serve, and those it
    /// cannot, with why.
    public func membership(source: String, function: String) throws -> MembershipAnalysis {
        try call("membership", ["source": source, "function": function], snakeCase: true)
    }

    /// Exception-driven dictionary lookups (`try: X = D[K]` / `except KeyError: X = DEFAULT`) in the function's
    /// loops that `D.get(K, DEFAULT)` can replace, and those it cannot, with why.
    public func dictGet(source: String, function: String) throws -> DictGetAnalysis {
        try call("dictget", ["source": source, "function": function], snakeCase: true)
    }

    /// Strings built by `s += piece` in the function's loops that a list of pieces joined once after the loop can
    /// build, and those it cannot, with why.
    public func strJoin(source: String, function: String) throws -> StrJoinAnalysis {
        try call("strjoin", ["source": source, "function": function], snakeCase: true)
    }

    /// Calls of a parser or constructor on constant arguments (`datetime.strptime("…", "…")`, `Decimal("0.01")`,
    /// read-only `json.loads('…')`) that one module-level value can serve, and those it cannot, with why.
    public func constantParse(source: String, function: String) throws -> ConstantParseAnalysis {
        try call("constparse", ["source": source, "function": function], snakeCase: true)
    }

    public func invariants(source: String, function: String) throws -> InvariantAnalysis {
        try call("invariants", ["source": source, "function": function], snakeCase: true)
    }

    /// The scanner's static findings for the named functions of each file; `callers` are the files searched for
    /// repeated call sites. Files that do not parse are skipped.
    /// With `everyFunction`, every function of every file is scanned and `functions` is ignored.
    public func scan(
        files: [(path: String, source: String, functions: [String])], callers: [(path: String, source: String)],
        everyFunction: Bool = false
    )
        throws -> [String: [String: [ScanFinding]]]
    {
        struct File: Encodable {
            var path, source: String
            var functions: [String]
        }
        struct Request: Encodable {
            var files: [File]
            var callers: [[String: String]]
            var everyFunction: Bool
            enum CodingKeys: String, CodingKey {
                case files, callers
                case everyFunction = "every_function"
            }
        }
        struct Answer: Decodable { var files: [String: [String: [ScanFinding]]] }
        let request = Request(
            files: files.map { File(path: $0.path, source: $0.source, functions: $0.functions) },
            callers: callers.map { ["path": $0.path, "source": $0.source] }, everyFunction: everyFunction)
        let answer: Answer = try call("scan", request, snakeCase: true)
        return answer.files
    }
}

/// The membership tests of one function's loops (`python.membership`).
public struct MembershipAnalysis: Sendable, Decodable {
    /// One `in` / `not in` test whose sequence a frozenset can replace.
    public struct Site: Sendable, Decodable {
        /// The sequence's place in the source (the list display or the name).
        public var line: Int
        public var col: Int
        public var endLine: Int
        public var endCol: Int
        /// `literal` (a list or tuple display of constants) or `constant` (a module-level one, by name).
        public var kind: String
        /// The module-level sequence's name, for `constant`.
        public var name: String?
        /// How many items the sequence has.
        public var elements: Int
        /// The set display that replaces a literal sequence.
        public var replacement: String?
        /// The whole test, as written.
        public var test: String
        /// The last line of the module-level sequence's assignment, for `constant`.
        public var definitionEnd: Int?
        /// Where the sequence is.
        public var position: SourcePosition { SourcePosition(line: line, col: col, endLine: endLine, endCol: endCol) }
    }

    /// A test a set cannot serve, and why.
    public struct Refused: Sendable, Decodable {
        public var line: Int
        public var test: String
        public var reason: String
    }

    public var found: Bool
    public var qualname: String?
    public var start: Int?
    public var end: Int?
    public var sites: [Site]?
    public var refused: [Refused]?
    /// Every name the module uses, so a new constant's name is fresh.
    public var names: [String]?
}

/// The exception-driven lookups of one function's loops (`python.dictGet`).
public struct DictGetAnalysis: Sendable, Decodable {
    /// A `try`/`except KeyError` statement that one `get` call replaces.
    public struct Site: Sendable, Decodable {
        /// The whole `try` statement's place in the source.
        public var line: Int
        public var col: Int
        public var endLine: Int
        public var endCol: Int
        /// The dictionary looked up.
        public var container: String
        /// `local` (a dict display or `dict()` in the function) or `module` (a module-level one never rebound).
        public var provenance: String
        /// The statement that replaces it: `X = D.get(K, DEFAULT)`.
        public var replacement: String
        /// Where the `try` statement is.
        public var position: SourcePosition { SourcePosition(line: line, col: col, endLine: endLine, endCol: endCol) }
    }

    /// A `try` in a loop that no `get` can replace, and why.
    public struct Refused: Sendable, Decodable {
        public var line: Int
        public var reason: String
    }

    public var found: Bool
    public var qualname: String?
    public var start: Int?
    public var end: Int?
    public var sites: [Site]?
    public var refused: [Refused]?
}

/// The strings one function's loops build by concatenation (`python.strJoin`).
public struct StrJoinAnalysis: Sendable, Decodable {
    /// A statement replaced in place: `s += piece` → `s_parts.append(piece)`, or the loop's start `s = ""` →
    /// `s_parts = []`.
    public struct Rewrite: Sendable, Decodable {
        public var line: Int
        public var col: Int
        public var endLine: Int
        public var endCol: Int
        public var replacement: String
        /// Where the statement is.
        public var position: SourcePosition { SourcePosition(line: line, col: col, endLine: endLine, endCol: endCol) }
    }

    /// One outermost loop that builds `name`.
    public struct Loop: Sendable, Decodable {
        /// The loop statement's first line, column and last line (its `else` included).
        public var line: Int
        public var col: Int
        public var endLine: Int
        /// The string built.
        public var name: String
        /// The new list's name (fresh in the module).
        public var parts: String
        /// The `name = "literal"` just before the loop that becomes the list's start; nil: the list starts as
        /// `[name]` inserted before the loop.
        public var `init`: Rewrite?
        /// The concatenations, each becoming an `append`.
        public var sites: [Rewrite]
    }

    /// A loop's concatenation that a list cannot replace, and why.
    public struct Refused: Sendable, Decodable {
        public var line: Int
        public var endLine: Int
        public var name: String
        public var reason: String
    }

    public var found: Bool
    public var qualname: String?
    public var start: Int?
    public var end: Int?
    public var loops: [Loop]?
    public var refused: [Refused]?
}

/// The constant parses of one function (`python.constantParse`).
public struct ConstantParseAnalysis: Sendable, Decodable {
    /// A call whose result one module-level value can be.
    public struct Site: Sendable, Decodable {
        public var line: Int
        public var col: Int
        public var endLine: Int
        public var endCol: Int
        /// The call's source text.
        public var call: String
        /// What it calls, fully qualified (`datetime.datetime.strptime`).
        public var parser: String
        /// The local the result is assigned to, when it is (`cutoff = …`), for the constant's name.
        public var target: String?
        /// Where the call is.
        public var position: SourcePosition { SourcePosition(line: line, col: col, endLine: endLine, endCol: endCol) }
    }

    /// A call that must stay per call, and why.
    public struct Refused: Sendable, Decodable {
        public var line: Int
        public var call: String
        public var reason: String
    }

    public var found: Bool
    public var qualname: String?
    public var start: Int?
    public var end: Int?
    public var sites: [Site]?
    /// Near misses worth listing (a locale-dependent format, a JSON value the function may change).
    public var refused: [Refused]?
    /// Calls with run-time arguments: not an opportunity, named in a refusal only.
    public var dynamic: [Refused]?
    /// The line module-level values are inserted before (after the imports).
    public var insertLine: Int?
    /// Every name the module uses, to keep new names unique.
    public var names: [String]?
}
