import HeadroomCore

/// Folded stacks: one `root;caller;leaf COUNT` per line, as written by py-spy (`-f raw`), Brendan Gregg's
/// `stackcollapse-*` scripts, async-profiler's collapsed output and Pyroscope.
///
/// The hot path allocates nothing for a stack it has seen before: the stack's bytes are looked up in an interner
/// and its count added to a flat array. Only a new stack is split into frames and normalised.
struct FoldedParser: LineParser {
    static let maximumDepth = 10_000
    var lines = LineSplitter()
    private var stackTexts = ByteInterner()
    private var frameTexts = ByteInterner()
    /// Per interned frame text: its id in the profile (two texts can normalise to one function).
    private var frameOfText: [Int] = []
    /// Per interned frame text: its source line (py-spy), 0 when it names none.
    private var lineOfText: [Int32] = []
    private var sawLines = false
    /// Per interned stack text: its frame ids (root first) and summed count.
    private var stackFrames: [[Int]] = []
    /// Per interned stack text: its frames' lines, when any frame names one; else empty.
    private var stackLines: [[Int32]] = []
    private var counts: [Int64] = []
    private var profile = StackProfile()
    private var sawLine = false
    /// Frame texts read by earlier profiles of this process, when it keeps them.
    private let cache: FrameCache?

    init(cache: FrameCache? = nil) { self.cache = cache }

    mutating func profileAfterLastLine() throws -> StackProfile {
        var lines = LineCostAccumulator()
        for (index, frames) in stackFrames.enumerated() {
            try profile.add(frameIDs: frames, count: counts[index])
            if sawLines { lines.add(frames: frames, lines: stackLines[index], count: counts[index]) }
        }
        if sawLines { profile.lineCosts = lines.lineCosts }
        guard profile.totalSamples > 0 else {
            throw ParseFailure(sawLine ? "empty profile (all sample counts are zero)" : "empty profile (no samples)")
        }
        return profile
    }

    mutating func line(_ line: UnsafeRawBufferPointer, _ number: Int) throws {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        guard let space = line.lastIndex(of: 0x20) else {
            throw ParseFailure("line \(number): expected 'frame;frame COUNT'")
        }
        let count = try Self.count(UnsafeRawBufferPointer(rebasing: line[(space + 1)...]), line: number)
        sawLine = true
        var end = space
        while end > 0 && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        let stack = UnsafeRawBufferPointer(rebasing: line[..<end])
        let (id, isNew) = stackTexts.intern(stack)
        if isNew {
            let (frames, lines) = try frames(of: stack, line: number)
            stackFrames.append(frames)
            stackLines.append(lines)
            counts.append(0)
        }
        let (sum, overflow) = counts[id].addingReportingOverflow(count)
        guard !overflow else { throw ParseFailure("line \(number): sample counts overflow a 64-bit integer") }
        counts[id] = sum
    }

    private mutating func frames(of stack: UnsafeRawBufferPointer, line: Int) throws -> ([Int], [Int32]) {
        // py-spy writes samples with no Python frame (native code before the interpreter starts) as an empty
        // stack; they count toward the total but belong to no function.
        guard !stack.isEmpty else { return ([], []) }
        var ids: [Int] = []
        var lines: [Int32] = []
        ids.reserveCapacity(16)
        lines.reserveCapacity(16)
        var anyLine = false
        var start = 0
        for index in 0...stack.count where index == stack.count || stack[index] == 0x3b {
            guard ids.count < Self.maximumDepth else {
                throw ParseFailure("line \(line): stack deeper than \(Self.maximumDepth) frames")
            }
            let text = UnsafeRawBufferPointer(rebasing: stack[start..<index])
            let (textID, isNew) = frameTexts.intern(text)
            if isNew {
                let hash = cache == nil ? 0 : ByteInterner.hash(text)
                if let cache, let known = cache.lookup(text, hash: hash) {
                    frameOfText.append(profile.frameID(known.function))
                    lineOfText.append(known.line)
                } else {
                    let frame = try strictUTF8(text, what: "line \(line)")
                    let function = FrameNormalizer.normalize(frame)
                    let number = FrameNormalizer.line(frame)
                    cache?.store(text, hash: hash, function: function, line: number)
                    frameOfText.append(profile.frameID(function))
                    lineOfText.append(number)
                }
            }
            ids.append(frameOfText[textID])
            lines.append(lineOfText[textID])
            anyLine = anyLine || lineOfText[textID] > 0
            start = index + 1
        }
        sawLines = sawLines || anyLine
        return (ids, anyLine ? lines : [])
    }

    private static func count(_ text: UnsafeRawBufferPointer, line: Int) throws -> Int64 {
        guard !text.isEmpty else { throw badCount(text, line) }
        var value: Int64 = 0
        for byte in text {
            guard byte >= 0x30 && byte <= 0x39 else { throw badCount(text, line) }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(byte - 0x30))
            guard !o1, !o2 else { throw badCount(text, line) }
            value = sum
        }
        return value
    }

    private static func badCount(_ text: UnsafeRawBufferPointer, _ line: Int) -> ParseFailure {
        let shown = String(decoding: text.prefix(40), as: UTF8.self)
        if text.first == 0x2d { return ParseFailure("line \(line): negative sample count '\(shown)'") }
        if text.count >= 19 && text.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return ParseFailure("line \(line): sample count '\(shown)' overflows a 64-bit integer")
        }
        return ParseFailure("line \(line): bad sample count '\(shown)'")
    }
}
