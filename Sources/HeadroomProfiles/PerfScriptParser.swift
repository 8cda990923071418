import HeadroomCore

/// `perf script` text: one block per sample, separated by blank lines. The block's first line is the header
/// (`comm pid/tid [cpu] time: period event:`), then one line per frame, leaf first:
/// `\t ffffffff8100 symbol+0x12 (/path/to/dso)`.
///
/// The reference semantics are FlameGraph's `stackcollapse-perf.pl --all` (checked against its outputs on real
/// captures by `Benchmarks/conformance/run.py`):
/// - headers and frames are told apart by shape, not indent (`PerfScriptLine`);
/// - one event type per profile: the requested one, else the first seen; samples of other events are counted in
///   `StackProfile.skippedSampleTypes`, not added;
/// - each sample weighs its period when the header carries one (as `perf report` weighs it), else 1;
/// - frames become `(symbol without offset, dso)`; an unknown symbol in a known module is named `[module]`;
///   kernel-space frames (a `[...]` module other than `[unknown]`, `vmlinux`, `[vdso]`) get the `_[k]` suffix and
///   JIT frames (`/tmp/perf-PID.map`) `_[j]`.
/// The command name is kept as the label `comm`.
struct PerfScriptParser: LineParser {
    var lines = LineSplitter()
    /// The event to keep (`cycles`, `instructions:u`); nil keeps the first one seen.
    private var wantedEvent: String?
    private var profile = StackProfile()
    private var frameTexts = ByteInterner()
    /// Per interned frame text: its frame id (two texts can name one function).
    private var frameOfText: [Int] = []
    private var current: [Int] = []
    private var currentLabels = 0
    private var currentPeriod: Int64 = 1
    private var keeping = false
    private var inBlock = false
    private var blockLine = 0
    private var stacks: [StackKey: Int64] = [:]
    private var skipped: [String: Int64] = [:]
    private var samples = 0
    /// What the kept samples measure: CPU nanoseconds of non-idle samples (their periods, for a clock event), the
    /// span of their times, and whether every one wrote its period and time (else nothing is measured).
    private var busyNanoseconds: Double = 0
    private var periodNanoseconds: Double = 0
    private var kept = 0
    private var firstTime = Double.infinity
    private var lastTime = -Double.infinity
    private var measurable = true

    init(event: String? = nil) { wantedEvent = event }

    mutating func profileAfterLastLine() throws -> StackProfile {
        endBlock()
        for (key, count) in stacks {
            try profile.add(frameIDs: key.frames.map(Int.init), count: count, labelSet: Int(key.labelSet))
        }
        profile.skippedSampleTypes = skipped
        if let wantedEvent { profile.sampleType = Self.sampleType(of: wantedEvent) }
        // A clock event's periods are CPU nanoseconds: summed over the busy (not idle) samples, over the time the
        // samples span (plus one period), they measure cores.
        if let wantedEvent, Self.sampleType(of: wantedEvent).hasSuffix("/nanoseconds"), measurable, kept > 1,
            lastTime > firstTime
        {
            profile.cpuSeconds = busyNanoseconds / 1e9
            profile.wallSeconds = lastTime - firstTime + periodNanoseconds / Double(kept) / 1e9
        }
        guard profile.totalSamples > 0 else {
            if let wantedEvent, samples > 0 {
                let seen = skipped.keys.sorted().joined(separator: ", ")
                throw ParseFailure("no '\(wantedEvent)' samples (the file has \(seen))")
            }
            throw ParseFailure("empty profile (no samples)")
        }
        return profile
    }

    mutating func line(_ line: UnsafeRawBufferPointer, _ number: Int) throws {
        if line.first == 0x23 && !inBlock { return }  // `# ` comments from `perf script --header`
        switch PerfScriptLine.classify(line) {
        case .header(let header):
            // A header starts a new sample, even when the blank line before it is missing.
            endBlock()
            try begin(header, line: number)
        case .frame(let range):
            guard inBlock else { throw ParseFailure("line \(number): a stack frame before any sample header") }
            guard keeping else { return }
            guard current.count < FoldedParser.maximumDepth else {
                throw ParseFailure("line \(blockLine): stack deeper than \(FoldedParser.maximumDepth) frames")
            }
            let text = UnsafeRawBufferPointer(rebasing: line[range])
            let (textID, isNew) = frameTexts.intern(text)
            if isNew {
                frameOfText.append(profile.frameID(Self.frame(try strictUTF8(text, what: "line \(number)"))))
            }
            current.append(frameOfText[textID])
        case .other:
            if !line.contains(where: { !PerfScriptLine.isSpace($0) && $0 != 0x0d }) {
                endBlock()
            } else if !PerfScriptLine.isSpace(line[0]) {
                let shown = String(decoding: line.prefix(60), as: UTF8.self)
                throw ParseFailure("line \(number): neither a perf sample header nor a stack frame: '\(shown)'")
            }
        // Other indented lines inside a block (srcline, brstack, symoff details) carry no frame.
        }
    }

    private mutating func begin(_ header: PerfSampleHeader, line number: Int) throws {
        inBlock = true
        blockLine = number
        samples += 1
        currentPeriod = header.period
        keeping = true
        if let event = header.event {
            if wantedEvent == nil { wantedEvent = event }
            if event != wantedEvent {
                keeping = false
                let (sum, overflow) = skipped[event, default: 0].addingReportingOverflow(header.period)
                guard !overflow else { throw ParseFailure("line \(number): sample periods overflow a 64-bit integer") }
                skipped[event] = sum
                return
            }
        }
        currentLabels = profile.labelSetID(LabelSet([Label(key: "comm", value: header.command)]))
        kept += 1
        if header.hasPeriod, let time = header.time {
            periodNanoseconds += Double(header.period)
            if header.pid != 0 { busyNanoseconds += Double(header.period) }
            firstTime = min(firstTime, time)
            lastTime = max(lastTime, time)
        } else {
            measurable = false
        }
    }

    private mutating func endBlock() {
        guard inBlock else { return }
        if keeping {
            let key = StackKey(frames: current.reversed().map { Int32($0) }, labelSet: Int32(currentLabels))
            stacks[key, default: 0] &+= currentPeriod
        }
        current.removeAll(keepingCapacity: true)
        inBlock = false
    }

    /// What the values count for an event: perf's software clocks count nanoseconds, other events occurrences.
    static func sampleType(of event: String) -> String {
        let base = event.split(separator: ":").first.map(String.init) ?? event
        return base == "cpu-clock" || base == "task-clock" ? "\(event)/nanoseconds" : "\(event)/count"
    }

    /// `symbol+0x12 (/usr/lib/libc.so.6)` → the function. A frame with no symbol (`7f12  (/lib/libc.so)`) is an
    /// unknown symbol in that module.
    static func frame(_ text: String) -> FunctionRef {
        var symbol = text.trimmingCharacters(in: .whitespaces)
        var dso: String?
        if symbol.hasSuffix(")"), let open = symbol.range(of: " (", options: .backwards) {
            dso = String(symbol[open.upperBound..<symbol.index(before: symbol.endIndex)])
            symbol = String(symbol[..<open.lowerBound]).trimmingCharacters(in: .whitespaces)
        } else if symbol.hasPrefix("("), symbol.hasSuffix(")") {
            dso = String(symbol.dropFirst().dropLast())
            symbol = ""
        }
        symbol = FrameNormalizer.stripOffset(symbol)
        if symbol.isEmpty { symbol = "[unknown]" }
        guard let module = dso, module != "[unknown]", !module.isEmpty else {
            return FunctionRef(name: symbol, file: nil)
        }
        if symbol == "[unknown]" {
            let base = module.split(separator: "/").last.map(String.init) ?? module
            symbol = base.hasPrefix("[") ? base : "[\(base)]"
        }
        if module.hasPrefix("[") || module.hasSuffix("vmlinux") {
            return FunctionRef(name: symbol + "_[k]", file: module)
        }
        if isJITMap(module) { return FunctionRef(name: symbol + "_[j]", file: module) }
        return FunctionRef(name: symbol, file: module)
    }

    /// `/tmp/perf-12345.map`: symbols a JIT wrote for perf.
    private static func isJITMap(_ module: String) -> Bool {
        guard let range = module.range(of: "/tmp/perf-"), module.hasSuffix(".map") else { return false }
        let digits = module[range.upperBound..<module.index(module.endIndex, offsetBy: -4)]
        return !digits.isEmpty && digits.allSatisfy(\.isNumber)
    }
}
