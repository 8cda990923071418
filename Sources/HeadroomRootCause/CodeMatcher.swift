import HeadroomCore

/// Maps profile frames to the functions commits changed.
///
/// Frames come as py-spy `name (file.py:line)` (normalised to name + file), pprof function + filename, or perf
/// symbols (`ns::Type::method(int)`, `crate::module::f::h0123456789abcdef`, `Module.Type.method(_:)`). Names are
/// compared after dropping parameter lists and Rust hash suffixes and spelling `::` as `.`; they match exactly or on a
/// dotted suffix (`Cart.total` ↔ `total`). Paths match on a `/`-boundary suffix, so import roots and absolute
/// prefixes do not matter; a frame whose "file" is a binary (`[libfoo.so]`) is matched by name alone. Lines are never
/// compared: they move with every edit. A renamed function matches under its old name too.
public enum CodeMatcher {
    public static func matches(frame: FunctionRef, changed: ChangedFunction) -> Bool {
        guard changed.name != "<module>" else { return false }
        let frameName = normalize(frame.name)
        let names = [changed.name] + (changed.previousName.map { [$0] } ?? [])
        guard names.contains(where: { namesMatch(frameName, normalize($0)) }) else { return false }
        guard let file = frame.file, isSourcePath(file) else { return true }
        return FunctionRef.pathsMatch(file, changed.file)
    }

    /// Whether a frame lives in the file (by path suffix).
    public static func inFile(frame: FunctionRef, path: String) -> Bool {
        guard let file = frame.file, isSourcePath(file) else { return false }
        return FunctionRef.pathsMatch(file, path)
    }

    static func namesMatch(_ a: String, _ b: String) -> Bool { FunctionRef.namesMatch(a, b) }

    /// `ns::Type::method(int) const` → `ns.Type.method`; `a::b::h0123456789abcdef` → `a.b`;
    /// `example.com/shop/cart.(*Cart).Total` → `cart.Cart.Total`.
    public static func normalize(_ name: String) -> String {
        var text = Substring(FunctionRef.goPlain(name))
        if let paren = text.firstIndex(of: "("), paren != text.startIndex { text = text[..<paren] }
        var parts = text.replacingOccurrences(of: "::", with: ".").split(separator: ".").map(String.init)
        if let last = parts.last, last.count == 17, last.hasPrefix("h"), last.dropFirst().allSatisfy(\.isHexDigit) {
            parts.removeLast()
        }
        return parts.joined(separator: ".").replacingOccurrences(of: ".<locals>.", with: ".")
    }

    static func isSourcePath(_ path: String) -> Bool {
        let sourceExtensions: Set<String> = [
            "py", "pyi", "swift", "go", "rs", "js", "ts", "jsx", "tsx", "java", "kt", "c", "cc", "cpp", "cxx", "h",
            "hpp", "m", "mm", "cs", "rb", "php", "scala",
        ]
        guard let dot = path.lastIndex(of: ".") else { return false }
        return sourceExtensions.contains(path[path.index(after: dot)...].lowercased())
    }
}
