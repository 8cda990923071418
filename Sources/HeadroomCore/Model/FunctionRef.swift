/// A function's identity in profiles and code: its qualified name and, where known, its source file.
public struct FunctionRef: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The qualified name as the profiler reports it (Python: `Class.method`).
    public var name: String
    /// The file path as the profiler reports it (often relative to an import root), or nil.
    public var file: String?

    /// A function by name and, when known, file.
    public init(name: String, file: String?) {
        self.name = name
        self.file = file
    }

    /// `name (file)`, or the name alone.
    public var description: String { file.map { "\(name) (\($0))" } ?? name }

    /// Whether this frame names the same code as a function found in a repository at `path`.
    ///
    /// Profilers print paths relative to some import root or as absolute paths, so two paths match when one is a
    /// suffix of the other on a `/` boundary; names match exactly or on the last component of a dotted name.
    public func matches(name other: String, path: String) -> Bool {
        guard Self.namesMatch(name, other) else { return false }
        guard let file else { return true }
        return Self.pathsMatch(file, path)
    }

    /// Whether two function names are the same, or one ends in the other at a dot (`pkg.mod.f` and `f`).
    public static func namesMatch(_ a: String, _ b: String) -> Bool {
        a == b || a.hasSuffix("." + b) || b.hasSuffix("." + a)
    }

    /// Go's spellings of a function in dotted form: pprof's `example.com/shop/cart.(*Cart).Total.func1` →
    /// `cart.Cart.Total`, go/ast's `(*Cart).Total` → `Cart.Total`. Names that are not Go's come back unchanged.
    public static func goPlain(_ name: String) -> String {
        var text = name
        var isGo = false
        // Pointer receivers: `(*T).M` → `T.M`.
        while let open = text.range(of: "(*"), let close = text[open.upperBound...].firstIndex(of: ")"),
            text[close...].hasPrefix(")."),
            !text[open.upperBound..<close].isEmpty,
            text[open.upperBound..<close].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        {
            text.replaceSubrange(open.lowerBound...close, with: text[open.upperBound..<close])
            isGo = true
        }
        // The import path before the package name.
        let head = text.firstIndex(of: "(") ?? text.endIndex
        if let slash = text[..<head].lastIndex(of: "/"), text[slash...].contains(".") {
            text = String(text[text.index(after: slash)...])
            isGo = true
        }
        guard isGo else { return name }
        // Closures and wrappers belong to the function that declares them.
        var parts = text.split(separator: ".").map(String.init)
        while parts.count > 1, let last = parts.last, isGoGenerated(last) { parts.removeLast() }
        return parts.joined(separator: ".")
    }

    /// Whether one dotted part of a Go name is the compiler's, not the author's: a closure (`func1`, and `2` for a
    /// closure inside it) or a go/defer wrapper (`gowrap1`, `deferwrap1`).
    public static func isGoGenerated(_ part: String) -> Bool {
        part.allSatisfy(\.isNumber)
            || ["func", "gowrap", "deferwrap"].contains(where: { prefix in
                part.hasPrefix(prefix) && part.count > prefix.count
                    && part.dropFirst(prefix.count).allSatisfy(\.isNumber)
            })
    }

    /// Suffix match of two paths on a `/` boundary.
    public static func pathsMatch(_ a: String, _ b: String) -> Bool {
        let x = a.hasPrefix("./") ? String(a.dropFirst(2)) : a
        let y = b.hasPrefix("./") ? String(b.dropFirst(2)) : b
        if x == y { return true }
        let (long, short) = x.count >= y.count ? (x, y) : (y, x)
        return long.hasSuffix("/" + short)
    }
}
