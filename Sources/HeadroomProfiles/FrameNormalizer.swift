import HeadroomCore

/// Turns a profiler's frame text into a function identity `(name, file)`.
///
/// Rules, in order:
/// - py-spy `name (path/file.py:42)`: the name, and the path without the line. The line is where the sample was,
///   not which function it was, so keeping it would split one function into many.
/// - perf/stackcollapse `name [module]` and `name+0x1f`: the name without the address offset; the module as the
///   file. Bare addresses (`0x7f12ab`, `[unknown]`) stay as they are: they are all we know.
/// - Kernel frames keep the `_[k]` suffix that stackcollapse-perf and Headroom's perf reader give them.
/// - anything else: the text as the name, with no file. C++ and Swift demangled names (`ns::f(int, char)`,
///   `Module.Type.method(_:)`) are kept whole; their parentheses and spaces are not mistaken for a location.
public enum FrameNormalizer {
    public static func normalize<S: StringProtocol>(_ frame: S) -> FunctionRef {
        let text = frame.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix(")"), let open = text.range(of: " (", options: .backwards) {
            var location = String(text[open.upperBound..<text.index(before: text.endIndex)])
            if let colon = location.lastIndex(of: ":"), location.index(after: colon) < location.endIndex,
                location[location.index(after: colon)...].allSatisfy(\.isNumber)
            {
                location = String(location[..<colon])
                return FunctionRef(name: String(text[..<open.lowerBound]), file: location.isEmpty ? nil : location)
            }
            if looksLikePath(location) {
                return FunctionRef(name: String(text[..<open.lowerBound]), file: location)
            }
        }
        if text.hasSuffix("]"), !text.hasSuffix("_[k]"), let open = text.range(of: " [", options: .backwards) {
            return FunctionRef(
                name: stripOffset(String(text[..<open.lowerBound])),
                file: String(text[open.upperBound..<text.index(before: text.endIndex)]))
        }
        return FunctionRef(name: stripOffset(text), file: nil)
    }

    /// The line of a py-spy frame `name (path/file.py:42)`, else 0 (no line known).
    public static func line<S: StringProtocol>(_ frame: S) -> Int32 {
        let text = frame.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix(")"), let open = text.range(of: " (", options: .backwards) else { return 0 }
        let location = text[open.upperBound..<text.index(before: text.endIndex)]
        guard let colon = location.lastIndex(of: ":") else { return 0 }
        let digits = location[location.index(after: colon)...]
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            return 0
        }
        return Int32(digits) ?? 0
    }

    /// `name+0x1f` → `name`; a bare address is kept.
    static func stripOffset(_ name: String) -> String {
        if let plus = name.range(of: "+0x", options: .backwards), plus.lowerBound != name.startIndex {
            return String(name[..<plus.lowerBound])
        }
        return name
    }

    /// A source or object path: no spaces, and a `/` or a dotted extension.
    private static func looksLikePath(_ text: String) -> Bool {
        !text.isEmpty && !text.contains(" ") && !text.contains(",")
            && (text.contains("/") || text.range(of: #"\.[A-Za-z0-9]+$"#, options: .regularExpression) != nil)
    }
}
