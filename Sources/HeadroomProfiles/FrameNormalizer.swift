import HeadroomCore

/// Turns a profiler's frame text into a function identity.
///
/// Rules, in order:
/// - py-spy `name (path/file.py:42)`: the name, and the path without the line (the line is where the sample was,
///   not which function it was, so keeping it would split one function into many).
/// - `name [module]` or `name+0x1f` (perf, stackcollapse): the name without the offset; the module as the file.
/// - anything else: the text as the name, with no file.
public enum FrameNormalizer {
    public static func normalize<S: StringProtocol>(_ frame: S) -> FunctionRef {
        let text = frame.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix(")"), let open = text.range(of: " (", options: .backwards) {
            let name = String(text[..<open.lowerBound])
            var location = String(text[open.upperBound..<text.index(before: text.endIndex)])
            if let colon = location.lastIndex(of: ":"), location[location.index(after: colon)...].allSatisfy(\.isNumber) {
                location = String(location[..<colon])
            }
            return FunctionRef(name: name, file: location.isEmpty ? nil : location)
        }
        if text.hasSuffix("]"), let open = text.range(of: " [", options: .backwards) {
            return FunctionRef(name: stripOffset(String(text[..<open.lowerBound])),
                               file: String(text[open.upperBound..<text.index(before: text.endIndex)]))
        }
        return FunctionRef(name: stripOffset(text), file: nil)
    }

    private static func stripOffset(_ name: String) -> String {
        if let plus = name.range(of: "+0x", options: .backwards) { return String(name[..<plus.lowerBound]) }
        return name
    }
}
