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
        let text = trimmed(frame)
        if text.hasSuffix(")"), let open = lastRange(of: 0x28, in: text) {
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
        if text.hasSuffix("]"), !text.hasSuffix("_[k]"), let open = lastRange(of: 0x5b, in: text) {
            return FunctionRef(
                name: stripOffset(String(text[..<open.lowerBound])),
                file: String(text[open.upperBound..<text.index(before: text.endIndex)]))
        }
        return FunctionRef(name: stripOffset(text), file: nil)
    }

    /// The line of a py-spy frame `name (path/file.py:42)`, else 0 (no line known).
    public static func line<S: StringProtocol>(_ frame: S) -> Int32 {
        let text = trimmed(frame)
        guard text.hasSuffix(")"), let open = lastRange(of: 0x28, in: text) else { return 0 }
        let location = text[open.upperBound..<text.index(before: text.endIndex)]
        guard let colon = location.lastIndex(of: ":") else { return 0 }
        let digits = location[location.index(after: colon)...]
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            return 0
        }
        return Int32(digits) ?? 0
    }

    /// The text without leading and trailing spaces and tabs; frames rarely have any, so the common case copies
    /// once and calls no Foundation (this runs for every distinct frame of every profile).
    static func trimmed<S: StringProtocol>(_ frame: S) -> String {
        let text = String(frame)
        guard let first = text.utf8.first, let last = text.utf8.last else { return "" }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The last ` (` or ` [` (a space, then `bracket`) in `text`, as a range like `range(of:options:.backwards)`.
    static func lastRange(of bracket: UInt8, in text: String) -> Range<String.Index>? {
        let utf8 = text.utf8
        var index = utf8.endIndex
        var after: UInt8 = 0
        while index > utf8.startIndex {
            index = utf8.index(before: index)
            let byte = utf8[index]
            if byte == 0x20 && after == bracket { return index..<utf8.index(index, offsetBy: 2) }
            after = byte
        }
        return nil
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
