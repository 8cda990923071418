import Foundation

/// Function spans of brace languages (Swift first; Go, Rust, Kotlin, JavaScript/TypeScript, Java, C#, C and C++
/// through the same scanner), without a compiler.
///
/// The scanner walks the text once, skipping comments (nested block comments in Swift and Rust), string literals
/// (escapes, Swift multi-line and raw strings) and character literals, and tracks `{` `}` depth. The text since the
/// last `;`, `{` or `}` at the same depth is the *header* of each `{`: a header that declares a type (`class`,
/// `struct`, `enum`, `extension`, `actor`, `protocol`, `impl`, `trait`, `interface`, `object`) names a scope; one
/// that declares a function (`func`, `fn`, `fun`, `function`, `init`, `deinit`, `subscript`, computed accessors, or
/// a C-family `name(...) {`) is a span `Type.name` from its header's first line to the closing brace.
public enum BraceScanner {
    public enum Language: Sendable {
        case swift, go, rust, kotlin, javascript, cFamily
        /// The scanner's language for a path, or nil when it is not a brace language.
        public init?(path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "swift": self = .swift
            case "go": self = .go
            case "rs": self = .rust
            case "kt", "kts", "scala": self = .kotlin
            case "js", "jsx", "ts", "tsx", "mjs", "cjs": self = .javascript
            case "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "m", "mm", "java", "cs": self = .cFamily
            default: return nil
            }
        }
    }

    public static func functions(source: String, language: Language) -> [FunctionSpan] {
        let chars = Array(source.utf8)
        var spans: [FunctionSpan] = []
        struct Scope { var name: String?; var isFunction: Bool; var startLine: Int }
        var stack: [Scope] = []
        var header: [UInt8] = []
        var headerLine = 1
        var line = 1
        var i = 0
        let n = chars.count
        func peek(_ k: Int) -> UInt8 { i + k < n ? chars[i + k] : 0 }
        func resetHeader() {
            header.removeAll(keepingCapacity: true)
            headerLine = line
        }
        while i < n {
            let c = chars[i]
            // Comments.
            if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while i < n, chars[i] != 10 { i += 1 }
                continue
            }
            if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                var depth = 1
                i += 2
                let nests = language == .swift || language == .rust
                while i < n, depth > 0 {
                    if chars[i] == 10 { line += 1 }
                    if nests, chars[i] == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                        depth += 1; i += 2; continue
                    }
                    if chars[i] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") { depth -= 1; i += 2; continue }
                    i += 1
                }
                continue
            }
            // Strings.
            if c == UInt8(ascii: "\"")
                || (c == UInt8(ascii: "#") && language == .swift && peek(1) == UInt8(ascii: "\""))
                || (c == UInt8(ascii: "`") && language == .javascript)
            {
                var hashes = 0
                while i < n, chars[i] == UInt8(ascii: "#") { hashes += 1; i += 1 }
                let quote = chars[i]
                let triple = quote == UInt8(ascii: "\"") && peek(1) == quote && peek(2) == quote
                i += triple ? 3 : 1
                while i < n {
                    let d = chars[i]
                    if d == 10 {
                        line += 1
                        if !triple && quote != UInt8(ascii: "`") && hashes == 0 { i += 1; break }
                    }
                    if d == UInt8(ascii: "\\"), hashes == 0 { i += 2; continue }
                    if d == quote, !triple || (peek(1) == quote && peek(2) == quote) {
                        i += triple ? 3 : 1
                        var closing = 0
                        while closing < hashes, i < n, chars[i] == UInt8(ascii: "#") { closing += 1; i += 1 }
                        if closing == hashes { break }
                        continue
                    }
                    i += 1
                }
                header.append(UInt8(ascii: "\""))
                header.append(UInt8(ascii: "\""))
                continue
            }
            // Character literals (not Rust lifetimes or Swift, which has none).
            if c == UInt8(ascii: "'"), language != .swift {
                var j = i + 1
                if j < n, chars[j] == UInt8(ascii: "\\") { j += 2 } else { j += 1 }
                if j < n, chars[j] == UInt8(ascii: "'") { i = j + 1; continue }
                if language == .javascript {  // a JS single-quoted string
                    j = i + 1
                    while j < n, chars[j] != UInt8(ascii: "'"), chars[j] != 10 {
                        j += chars[j] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    i = min(j + 1, n)
                    continue
                }
            }
            switch c {
            case 10:
                line += 1
                if header.isEmpty {
                    headerLine = line
                } else if endsStatement(header, language: language) {
                    resetHeader()
                } else {
                    header.append(32)
                }
            case UInt8(ascii: "{"):
                let text = String(decoding: header, as: UTF8.self)
                let startLine = headerLine
                let (kind, name) = classify(text, language: language, inFunction: stack.last?.isFunction ?? false)
                stack.append(Scope(name: name, isFunction: kind == .function, startLine: startLine))
                if kind == .other { stack[stack.count - 1].name = nil }
                resetHeader()
            case UInt8(ascii: "}"):
                if let scope = stack.popLast(), scope.isFunction, let name = scope.name {
                    let owners = stack.compactMap { $0.isFunction ? nil : $0.name }
                    let outerFunctions = stack.filter(\.isFunction).compactMap(\.name)
                    var qualified = (owners + [name]).joined(separator: ".")
                    if let outer = outerFunctions.last { qualified = outer + ".<locals>." + name }
                    spans.append(FunctionSpan(name: qualified, start: scope.startLine, end: line))
                }
                resetHeader()
            case UInt8(ascii: ";"):
                resetHeader()
            default:
                if header.isEmpty, c == 32 || c == 9 || c == 13 { headerLine = line } else { header.append(c) }
            }
            i += 1
        }
        return spans.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    }

    enum ScopeKind { case type, function, other }

    /// In languages where a line break ends a statement (Swift, Go, Kotlin, JavaScript), a header line with
    /// balanced brackets that does not end in an operator or an attribute is a finished statement, not the start of a
    /// declaration.
    static func endsStatement(_ header: [UInt8], language: Language) -> Bool {
        guard language == .swift || language == .go || language == .kotlin || language == .javascript else {
            return false
        }
        var depth = 0
        for c in header {
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { depth -= 1 }
        }
        guard depth <= 0, let last = header.last(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { return false }
        if header.first == UInt8(ascii: "@") && !header.contains(32) { return false }  // `@inlinable` on its own line
        return !",([=+-*/&|.:<>?!".utf8.contains(last)
    }

    static let typeKeywords: Set<String> = [
        "class", "struct", "enum", "extension", "actor", "protocol", "impl", "trait", "interface", "object",
        "namespace",
    ]
    static let controlWords: Set<String> = [
        "if", "for", "while", "switch", "catch", "return", "sizeof", "do", "else", "guard", "defer", "repeat", "match",
        "loop", "try", "synchronized", "using", "lock", "foreach", "unsafe", "async", "await", "new", "throw", "case",
    ]

    static func classify(_ header: String, language: Language, inFunction: Bool) -> (ScopeKind, String?) {
        let words = tokens(header)
        guard !words.isEmpty else { return (.other, nil) }
        // Type declarations.
        if let k = words.firstIndex(where: { typeKeywords.contains($0) }), !words[..<k].contains("func"),
            !words[..<k].contains("fn"), !words[..<k].contains("="), !words[..<k].contains("(")
        {
            if words[k] == "impl" {
                // impl<T> Trait for Type / impl Type
                let rest = Array(words[(k + 1)...]).filter { $0 != "<" && $0 != ">" }
                if let f = rest.firstIndex(of: "for"), f + 1 < rest.count { return (.type, rest[f + 1]) }
                return (.type, rest.first { isIdentifier($0) })
            }
            if let name = words[(k + 1)...].first(where: isIdentifier) { return (.type, name) }
        }
        // Keyword-declared functions.
        for keyword in ["func", "fn", "fun", "function", "def"] {
            if let k = words.firstIndex(of: keyword) {
                var rest = words[(k + 1)...]
                if language == .go, rest.first == "(" {  // receiver: func (s *Server) Handle(...)
                    var depth = 0
                    var receiver: String?
                    while let w = rest.first {
                        rest = rest.dropFirst()
                        if w == "(" {
                            depth += 1
                        } else if w == ")" {
                            depth -= 1; if depth == 0 { break }
                        } else if isIdentifier(w) {
                            receiver = w
                        }
                    }
                    if let name = rest.first(where: isIdentifier) {
                        return (.function, receiver.map { "\($0).\(name)" } ?? name)
                    }
                }
                if rest.first == "*" { rest = rest.dropFirst() }
                if let name = rest.first,
                    isIdentifier(name) || name.unicodeScalars.allSatisfy({ !CharacterSet.alphanumerics.contains($0) })
                {
                    return (.function, name == "(" ? "<anonymous>" : name)
                }
                return (.function, "<anonymous>")
            }
        }
        if language == .swift {
            for keyword in ["init", "deinit", "subscript"] where words.contains(keyword) && !words.contains("=") {
                return (.function, keyword)
            }
            // Computed property: `var name: T {` (not `= ... {`, a closure).
            if let k = words.firstIndex(where: { $0 == "var" }), k + 1 < words.count, !words.contains("="),
                isIdentifier(words[k + 1])
            {
                return (.function, words[k + 1])
            }
            if ["get", "set", "willSet", "didSet", "_modify", "_read"].contains(words[0]) { return (.other, nil) }
        }
        if language == .javascript, let arrow = words.firstIndex(of: "=>"), arrow > 0 {
            if let eq = words.firstIndex(of: "="), eq > 0, isIdentifier(words[eq - 1]) {
                return (.function, words[eq - 1])
            }
            if let colon = words.firstIndex(of: ":"), colon > 0, isIdentifier(words[colon - 1]) {
                return (.function, words[colon - 1])
            }
        }
        // C family and JS/Kotlin methods: `name(...) [const|throws ...] {`.
        if !inFunction || language == .cFamily || language == .javascript,
            let open = words.firstIndex(of: "("), open > 0
        {
            var name = words[open - 1]
            if name == ">" || name == "]" { return (.other, nil) }
            if controlWords.contains(name) || controlWords.contains(words[0]) || words.contains("=") {
                return (.other, nil)
            }
            if !isIdentifier(name) { return (.other, nil) }
            // Qualified C++ definitions: Type::name.
            if open >= 3, words[open - 2] == "::", isIdentifier(words[open - 3]) { name = words[open - 3] + "." + name }
            return (.function, name)
        }
        return (.other, nil)
    }

    static func isIdentifier(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first else { return false }
        return (CharacterSet.letters.contains(first) || first == "_" || first == "$" || first == "~")
            && word.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "$" || $0 == "~"
            }
    }

    /// Identifiers and single punctuation marks (`::` and `=>` kept whole).
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var word = ""
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func flush() { if !word.isEmpty { out.append(word); word = "" } }
        while i < scalars.count {
            let s = scalars[i]
            if CharacterSet.alphanumerics.contains(s) || s == "_" || s == "$" || (s == "~" && word.isEmpty) {
                word.unicodeScalars.append(s)
            } else {
                flush()
                if s == ":", i + 1 < scalars.count, scalars[i + 1] == ":" { out.append("::"); i += 2; continue }
                if s == "=", i + 1 < scalars.count, scalars[i + 1] == ">" { out.append("=>"); i += 2; continue }
                if s == "=", i + 1 < scalars.count, scalars[i + 1] == "=" { i += 2; continue }
                if !CharacterSet.whitespacesAndNewlines.contains(s) { out.append(String(s)) }
            }
            i += 1
        }
        flush()
        return out
    }
}
