import HeadroomCore

/// `perf script` text: one block per sample, separated by blank lines. The block's first line is the header
/// (`comm pid/tid [cpu] time: period event:`), then one line per frame, leaf first:
/// `\t ffffffff8100 symbol+0x12 (/path/to/dso)`.
///
/// Frames become `(symbol without offset, dso)`. Kernel frames (dso `[kernel.kallsyms]` or another `[...]` kernel
/// module) get the `_[k]` suffix, as in Brendan Gregg's flame graphs, so they read apart from user code. The
/// command name is kept as the label `comm`. Every block is one sample.
struct PerfScriptParser: LineParser {
    var lines = LineSplitter()
    private var profile = StackProfile()
    private var frameTexts = ByteInterner()
    private var frameOfText: [Int] = []
    private var current: [Int] = []
    private var currentLabels = 0
    private var inBlock = false
    private var blockLine = 0
    private var stacks: [StackKey: Int64] = [:]

    mutating func profileAfterLastLine() throws -> StackProfile {
        endBlock()
        for (key, count) in stacks {
            try profile.add(frameIDs: key.frames.map(Int.init), count: count, labelSet: Int(key.labelSet))
        }
        guard profile.totalSamples > 0 else { throw ParseFailure("empty profile (no samples)") }
        return profile
    }

    mutating func line(_ line: UnsafeRawBufferPointer, _ number: Int) throws {
        guard let first = line.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else {
            endBlock()
            return
        }
        if line[0] == 0x23 && !inBlock { return }  // `# ` comments from `perf script --header`
        if first == 0 {
            // A header starts a new sample, even when the blank line before it is missing.
            endBlock()
            inBlock = true
            blockLine = number
            let header = try strictUTF8(line, what: "line \(number)")
            currentLabels = profile.labelSetID(LabelSet([Label(key: "comm", value: Self.command(header))]))
            return
        }
        guard inBlock else { throw ParseFailure("line \(number): a frame line before any sample header") }
        guard current.count < FoldedParser.maximumDepth else {
            throw ParseFailure("line \(blockLine): stack deeper than \(FoldedParser.maximumDepth) frames")
        }
        let body = UnsafeRawBufferPointer(rebasing: line[first...])
        // Frame lines start with a hex address; anything else inside a block (srcline, brstack) is skipped.
        guard let addressEnd = body.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }), addressEnd > 0,
            body[..<addressEnd].allSatisfy(Self.isHex)
        else { return }
        let (textID, isNew) = frameTexts.intern(UnsafeRawBufferPointer(rebasing: body[addressEnd...]))
        if isNew {
            let text = try strictUTF8(UnsafeRawBufferPointer(rebasing: body[addressEnd...]), what: "line \(number)")
            frameOfText.append(profile.frameID(Self.frame(text)))
        }
        current.append(frameOfText[textID])
    }

    private mutating func endBlock() {
        guard inBlock else { return }
        let key = StackKey(frames: current.reversed().map { Int32($0) }, labelSet: Int32(currentLabels))
        stacks[key, default: 0] += 1
        current.removeAll(keepingCapacity: true)
        inBlock = false
    }

    /// `symbol+0x12 (/usr/lib/libc.so.6)` → the function.
    static func frame(_ text: String) -> FunctionRef {
        var symbol = text.trimmingCharacters(in: .whitespaces)
        var dso: String?
        if symbol.hasSuffix(")"), let open = symbol.range(of: " (", options: .backwards) {
            dso = String(symbol[open.upperBound..<symbol.index(before: symbol.endIndex)])
            symbol = String(symbol[..<open.lowerBound]).trimmingCharacters(in: .whitespaces)
        } else if symbol.hasPrefix("("), symbol.hasSuffix(")") {
            dso = String(symbol.dropFirst().dropLast())
            symbol = "[unknown]"
        }
        symbol = FrameNormalizer.stripOffset(symbol)
        if symbol.isEmpty { symbol = "[unknown]" }
        if let module = dso, module.hasPrefix("["), module != "[unknown]", module != "[vdso]" {
            return FunctionRef(name: symbol + "_[k]", file: module)
        }
        return FunctionRef(name: symbol, file: dso == "[unknown]" ? nil : dso)
    }

    /// The command name: the header's text before the pid (command names may contain spaces).
    static func command(_ header: String) -> String {
        let words = header.split(separator: " ", omittingEmptySubsequences: true)
        if let pid = words.firstIndex(where: { word in
            word.allSatisfy { $0.isNumber || $0 == "/" } && word.first?.isNumber == true
        }), pid > 0 {
            return words[..<pid].joined(separator: " ")
        }
        return words.first.map(String.init) ?? ""
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }
}
