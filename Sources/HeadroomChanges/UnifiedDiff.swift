/// The parts of a `git show -U0` diff that commit import needs.
public struct FileDiff: Sendable, Equatable {
    public var oldPath: String?
    public var newPath: String?
    /// Line numbers (1-based) added in the new file.
    public var addedLines: [Int] = []
    /// Line numbers (1-based) removed from the old file.
    public var removedLines: [Int] = []
    public var addedText: [String] = []
    public var isBinary = false
    /// The path the change is known by: the new one, or the old one for a deletion.
    public var path: String { newPath ?? oldPath ?? "" }
}

/// Parses unified diffs with zero context (`git show -U0 --format=`).
public enum UnifiedDiff {
    public static func parse(_ text: String) -> [FileDiff] {
        var files: [FileDiff] = []
        var current: FileDiff?
        var oldLine = 0
        var newLine = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("diff --git ") {
                if let current { files.append(current) }
                current = FileDiff()
                let parts = line.dropFirst("diff --git ".count).split(separator: " ", maxSplits: 1)
                if parts.count == 2 {
                    current?.oldPath = String(parts[0].dropFirst(2))
                    current?.newPath = String(parts[1].dropFirst(2))
                }
                continue
            }
            guard current != nil else { continue }
            if line.hasPrefix("--- ") {
                current?.oldPath = line == "--- /dev/null" ? nil : stripPrefix(String(line.dropFirst(4)))
            } else if line.hasPrefix("+++ ") {
                current?.newPath = line == "+++ /dev/null" ? nil : stripPrefix(String(line.dropFirst(4)))
            } else if line.hasPrefix("Binary files ") {
                current?.isBinary = true
            } else if line.hasPrefix("@@ ") {
                let (o, n) = hunkStarts(line)
                oldLine = o
                newLine = n
            } else if line.hasPrefix("+") {
                current?.addedLines.append(newLine)
                current?.addedText.append(String(line.dropFirst()))
                newLine += 1
            } else if line.hasPrefix("-") {
                current?.removedLines.append(oldLine)
                oldLine += 1
            }
        }
        if let current { files.append(current) }
        return files
    }

    private static func stripPrefix(_ path: String) -> String {
        path.hasPrefix("a/") || path.hasPrefix("b/") ? String(path.dropFirst(2)) : path
    }

    /// Start lines of `@@ -a,b +c,d @@`; a zero-length side starts after its line, so it is advanced by one.
    private static func hunkStarts(_ header: String) -> (Int, Int) {
        let fields = header.split(separator: " ")
        func start(_ field: Substring) -> Int {
            let body = field.dropFirst().split(separator: ",")
            let first = Int(body.first ?? "0") ?? 0
            let count = body.count > 1 ? Int(body[1]) ?? 1 : 1
            return count == 0 ? first + 1 : first
        }
        guard fields.count >= 3 else { return (0, 0) }
        return (start(fields[1]), start(fields[2]))
    }
}
