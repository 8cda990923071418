/// One hunk of a zero-context diff: where it sits in the old and new file.
public struct DiffHunk: Sendable, Equatable {
    public var oldStart: Int
    public var oldCount: Int
    public var newStart: Int
    public var newCount: Int
    /// Line numbers (1-based) added in the new file and removed from the old one, with their text.
    public var added: [(line: Int, text: String)] = []
    public var removed: [(line: Int, text: String)] = []

    public static func == (a: DiffHunk, b: DiffHunk) -> Bool {
        a.oldStart == b.oldStart && a.oldCount == b.oldCount && a.newStart == b.newStart && a.newCount == b.newCount
            && a.added.map(\.line) == b.added.map(\.line) && a.removed.map(\.line) == b.removed.map(\.line)
    }
}

/// The parts of one file's `git diff -U0 --full-index` that commit import needs.
public struct FileDiff: Sendable, Equatable {
    public var oldPath: String?
    public var newPath: String?
    /// Blob ids from the `index` line; nil for the missing side (a new or deleted file) or a pure rename.
    public var oldBlob: String?
    public var newBlob: String?
    public var hunks: [DiffHunk] = []
    public var isBinary = false
    /// The path the change is known by: the new one, or the old one for a deletion.
    public var path: String { newPath ?? oldPath ?? "" }
    public var addedLines: [Int] { hunks.flatMap { $0.added.map(\.line) } }
    public var removedLines: [Int] { hunks.flatMap { $0.removed.map(\.line) } }
    public var addedText: [String] { hunks.flatMap { $0.added.map(\.text) } }
}

/// Parses git's unified diffs with zero context (`git log -p -U0 --full-index -M`), one or many files.
///
/// Paths that git quotes (`"caf\303\251.py"`, for bytes outside printable ASCII) are unquoted; bytes that are not
/// UTF-8 become U+FFFD, so such a file is still listed (under a slightly different name) and never dropped.
public enum UnifiedDiff {
    public static func parse(_ text: String) -> [FileDiff] {
        parse(lines: text.split(separator: "\n", omittingEmptySubsequences: false))
    }

    static func parse<S: Sequence>(lines: S) -> [FileDiff] where S.Element == Substring {
        var files: [FileDiff] = []
        var current: FileDiff?
        var hunk: DiffHunk?
        var oldLine = 0
        var newLine = 0
        func closeHunk() {
            if let h = hunk { current?.hunks.append(h) }
            hunk = nil
        }
        func closeFile() {
            closeHunk()
            if let file = current { files.append(file) }
            current = nil
        }
        for line in lines {
            if hunk != nil {
                if line.hasPrefix("+"), hunk!.added.count < hunk!.newCount {
                    hunk!.added.append((newLine, String(line.dropFirst())))
                    newLine += 1
                    continue
                } else if line.hasPrefix("-"), hunk!.removed.count < hunk!.oldCount {
                    hunk!.removed.append((oldLine, String(line.dropFirst())))
                    oldLine += 1
                    continue
                } else if line.hasPrefix("\\") {
                    continue  // "\ No newline at end of file"
                }
                closeHunk()
            }
            if line.hasPrefix("diff --git ") {
                closeFile()
                var file = FileDiff()
                let (a, b) = headerPaths(line.dropFirst("diff --git ".count))
                file.oldPath = a
                file.newPath = b
                current = file
            } else if current == nil {
                continue
            } else if line.hasPrefix("@@ ") {
                let h = hunkHeader(line)
                hunk = h
                oldLine = h.oldStart
                newLine = h.newStart
            } else if line.hasPrefix("index ") {
                let ids =
                    line.dropFirst("index ".count).split(separator: " ").first?.split(separator: ".")
                    .filter { !$0.isEmpty } ?? []
                if ids.count == 2 {
                    current?.oldBlob = isZero(ids[0]) ? nil : String(ids[0])
                    current?.newBlob = isZero(ids[1]) ? nil : String(ids[1])
                }
            } else if line.hasPrefix("--- ") {
                current?.oldPath = line == "--- /dev/null" ? nil : stripPrefix(unquote(line.dropFirst(4)))
            } else if line.hasPrefix("+++ ") {
                current?.newPath = line == "+++ /dev/null" ? nil : stripPrefix(unquote(line.dropFirst(4)))
            } else if line.hasPrefix("rename from ") {
                current?.oldPath = unquote(line.dropFirst("rename from ".count))
            } else if line.hasPrefix("rename to ") {
                current?.newPath = unquote(line.dropFirst("rename to ".count))
            } else if line.hasPrefix("new file mode") {
                current?.oldPath = nil
            } else if line.hasPrefix("deleted file mode") {
                current?.newPath = nil
            } else if line.hasPrefix("Binary files ") || line.hasPrefix("GIT binary patch") {
                current?.isBinary = true
            }
        }
        closeFile()
        return files
    }

    private static func isZero(_ id: Substring) -> Bool { id.allSatisfy { $0 == "0" } }

    private static func stripPrefix(_ path: String) -> String {
        path.hasPrefix("a/") || path.hasPrefix("b/") ? String(path.dropFirst(2)) : path
    }

    /// `a/x b/x`, or quoted forms. When unquoted and ambiguous (spaces), the two halves of equal paths are taken.
    static func headerPaths(_ rest: Substring) -> (String?, String?) {
        if rest.hasPrefix("\"") || rest.contains(" \"") {
            var parts: [String] = []
            var remainder = rest[...]
            while !remainder.isEmpty {
                remainder = remainder.drop { $0 == " " }
                if remainder.hasPrefix("\"") {
                    var end = remainder.index(after: remainder.startIndex)
                    while end < remainder.endIndex, remainder[end] != "\"" {
                        if remainder[end] == "\\" { end = remainder.index(after: end) }
                        if end < remainder.endIndex { end = remainder.index(after: end) }
                    }
                    let upper = end < remainder.endIndex ? remainder.index(after: end) : end
                    parts.append(unquote(remainder[remainder.startIndex..<upper]))
                    remainder = remainder[upper...]
                } else {
                    let token = remainder.prefix { $0 != " " }
                    parts.append(String(token))
                    remainder = remainder.dropFirst(token.count)
                }
            }
            guard parts.count == 2 else { return (nil, nil) }
            return (stripPrefix(parts[0]), stripPrefix(parts[1]))
        }
        // Unquoted: "a/P b/P"; with spaces in P, split where both halves name the same path.
        let text = String(rest)
        let middle = text.count / 2
        let chars = Array(text)
        if chars.count % 2 == 1, chars[middle] == " " {
            let a = String(chars[..<middle]), b = String(chars[(middle + 1)...])
            if a.dropFirst(2) == b.dropFirst(2) { return (stripPrefix(a), stripPrefix(b)) }
        }
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return (nil, nil) }
        return (stripPrefix(String(parts[0])), stripPrefix(String(parts[1])))
    }

    /// Git's C-style quoting (`"a\tb\303\251"`) undone; a trailing TAB (added after names with spaces) dropped.
    static func unquote(_ raw: Substring) -> String {
        var text = raw
        if text.hasSuffix("\t") { text = text.dropLast() }
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return String(text) }
        var bytes: [UInt8] = []
        var chars = Array(text.dropFirst().dropLast().utf8)[...]
        while let c = chars.popFirst() {
            guard c == UInt8(ascii: "\\"), let next = chars.popFirst() else {
                bytes.append(c)
                continue
            }
            switch next {
            case UInt8(ascii: "n"): bytes.append(10)
            case UInt8(ascii: "t"): bytes.append(9)
            case UInt8(ascii: "r"): bytes.append(13)
            case UInt8(ascii: "a"): bytes.append(7)
            case UInt8(ascii: "b"): bytes.append(8)
            case UInt8(ascii: "f"): bytes.append(12)
            case UInt8(ascii: "v"): bytes.append(11)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(next - UInt8(ascii: "0"))
                for _ in 0..<2 {
                    guard let d = chars.first, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") else { break }
                    value = value * 8 + Int(d - UInt8(ascii: "0"))
                    chars.removeFirst()
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
            default: bytes.append(next)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `@@ -a,b +c,d @@`; a zero-length side starts after its line, so it is advanced by one.
    static func hunkHeader(_ header: Substring) -> DiffHunk {
        let fields = header.split(separator: " ")
        func range(_ field: Substring) -> (Int, Int) {
            let body = field.dropFirst().split(separator: ",")
            let first = Int(body.first ?? "0") ?? 0
            let count = body.count > 1 ? Int(body[1]) ?? 1 : 1
            return (count == 0 ? first + 1 : first, count)
        }
        guard fields.count >= 3 else { return DiffHunk(oldStart: 0, oldCount: 0, newStart: 0, newCount: 0) }
        let (o, oc) = range(fields[1])
        let (n, nc) = range(fields[2])
        return DiffHunk(oldStart: o, oldCount: oc, newStart: n, newCount: nc)
    }
}
