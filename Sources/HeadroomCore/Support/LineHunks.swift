/// The line-level differences between two texts, as replacements an editor or a SARIF fix can apply to the
/// original: applying every hunk (from the last to the first, or all at once against the original's positions)
/// yields exactly the patched text.
public struct LineHunk: Sendable, Equatable {
    /// First replaced line of the original (0-based) and how many lines are replaced (0: a pure insertion).
    public var start: Int
    public var count: Int
    /// The replacement, lines with their terminators.
    public var text: String

    public init(start: Int, count: Int, text: String) {
        self.start = start
        self.count = count
        self.text = text
    }
}

public enum LineHunks {
    /// Lines with their terminators (`\n`); the last one has none when the text does not end with a newline.
    public static func lines(_ text: String) -> [Substring] {
        var out: [Substring] = []
        var start = text.startIndex
        var index = text.utf8.startIndex
        // By bytes, so a CRLF pair (one Character) still ends its line at the LF.
        while index < text.utf8.endIndex {
            let next = text.utf8.index(after: index)
            if text.utf8[index] == 0x0A {
                out.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { out.append(text[start...]) }
        return out
    }

    /// The hunks turning `original` into `patched`: common lines at both ends are kept, the middle is aligned by a
    /// longest common subsequence (a single hunk when the middle is too large to align cheaply).
    public static func diff(_ original: String, _ patched: String, maxCells: Int = 4_000_000) -> [LineHunk] {
        let a = lines(original)
        let b = lines(patched)
        // Lines compared by their bytes (String equality is canonical equivalence, which is not exact enough).
        var ids: [[UInt8]: Int] = [:]
        func id(_ line: Substring) -> Int {
            let key = Array(line.utf8)
            if let known = ids[key] { return known }
            ids[key] = ids.count
            return ids.count - 1
        }
        let idA = a.map(id)
        let idB = b.map(id)
        var prefix = 0
        while prefix < a.count, prefix < b.count, idA[prefix] == idB[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix,
            idA[a.count - 1 - suffix] == idB[b.count - 1 - suffix]
        {
            suffix += 1
        }
        let midA = Array(idA[prefix..<(a.count - suffix)])
        let midB = Array(idB[prefix..<(b.count - suffix)])
        let textB = Array(b[prefix..<(b.count - suffix)])
        if midA.isEmpty && midB.isEmpty { return [] }
        if midA.isEmpty || midB.isEmpty || midA.count * midB.count > maxCells {
            return [LineHunk(start: prefix, count: midA.count, text: textB.joined())]
        }
        // lcs[i][j]: length of the LCS of midA[i...] and midB[j...].
        let n = midA.count
        let m = midB.count
        var lcs = [Int](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i * (m + 1) + j] =
                    midA[i] == midB[j]
                    ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1])
            }
        }
        var hunks: [LineHunk] = []
        var open: (start: Int, count: Int, text: String)?
        func close() {
            if let hunk = open {
                hunks.append(LineHunk(start: prefix + hunk.start, count: hunk.count, text: hunk.text))
            }
            open = nil
        }
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, midA[i] == midB[j] {
                close()
                i += 1
                j += 1
            } else if j < m, i == n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j] {
                if open == nil { open = (i, 0, "") }
                open?.text += textB[j]
                j += 1
            } else {
                if open == nil { open = (i, 0, "") }
                open?.count += 1
                i += 1
            }
        }
        close()
        return hunks
    }

    /// Applies hunks made by `diff` to `original`.
    public static func apply(_ hunks: [LineHunk], to original: String) -> String {
        var a = lines(original).map(String.init)
        for hunk in hunks.sorted(by: { $0.start > $1.start }) {
            a.replaceSubrange(hunk.start..<(hunk.start + hunk.count), with: [hunk.text])
        }
        return a.joined()
    }

    /// The (line, column) a line boundary of `text` is at, 0-based, with the column in UTF-16 code units: the start
    /// of `line`, or the very end of the text when `line` is past its last line break.
    public static func position(ofLine line: Int, in text: String) -> (line: Int, utf16Column: Int) {
        let all = lines(text)
        guard line >= all.count, let last = all.last, last.utf8.last != 0x0A else { return (line, 0) }
        return (all.count - 1, last.utf16.count)
    }
}
