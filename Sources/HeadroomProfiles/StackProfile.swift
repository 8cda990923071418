import HeadroomCore

/// A parsed profile: unique (stack, label set) pairs with their summed values.
///
/// Stacks are root first, as indices into `frames`. Memory grows with the number of unique stacks and label sets,
/// never with the number of samples.
public struct StackProfile: Sendable {
    /// Frames interned once; stacks refer to them by index.
    public private(set) var frames: [FunctionRef] = []
    /// Label sets interned once; index 0 is the empty set.
    public private(set) var labelSets: [LabelSet] = [LabelSet()]
    /// Summed values per unique stack and label set.
    public private(set) var stacks: [StackKey: Int64] = [:]
    public private(set) var totalSamples: Int64 = 0
    /// What the values count, as `type/unit` (folded, perf and py-spy: `samples/count`).
    public var sampleType: String = "samples/count"
    /// When the profile was taken, if the file says (pprof `time_nanos`), in Unix seconds.
    public var time: Int64?
    /// The CPU time the samples stand for, in seconds, when the profile says (pprof: a CPU sample type in a time
    /// unit, or sample counts with a CPU `period`; a push's `sampleRate`; `ingest --sample-rate`); nil otherwise.
    public var cpuSeconds: Double?
    /// The wall time the profile covers, in seconds, when it says (pprof `duration_nanos`, a push's `from`/`until`,
    /// `ingest --duration`). CPU seconds over wall seconds are cores.
    public var wallSeconds: Double?
    /// Values of other event types in the file that were left out (`perf script` mixing `cycles:` and
    /// `instructions:` samples), by event; one event type is read per profile.
    public var skippedSampleTypes: [String: Int64] = [:]
    /// Samples per (frame, source line) where the profiler names lines (py-spy `func (file.py:42)`): what a fix to
    /// one statement can remove. Empty when the profile has no lines.
    public var lineCosts: [LineCost] = []
    private var frameIndex: [FunctionRef: Int] = [:]
    private var labelIndex: [LabelSet: Int] = [LabelSet(): 0]

    public init() {}

    /// The id of a frame, adding it when new.
    public mutating func frameID(_ frame: FunctionRef) -> Int {
        if let id = frameIndex[frame] { return id }
        frames.append(frame)
        frameIndex[frame] = frames.count - 1
        return frames.count - 1
    }

    /// Makes room for `count` distinct frames, so a reader that knows how many it will add grows the table once.
    public mutating func reserveFrames(_ count: Int) {
        frames.reserveCapacity(count)
        frameIndex.reserveCapacity(count)
    }

    /// The id of a label set, adding it when new.
    public mutating func labelSetID(_ labels: LabelSet) -> Int {
        if let id = labelIndex[labels] { return id }
        labelSets.append(labels)
        labelIndex[labels] = labelSets.count - 1
        return labelSets.count - 1
    }

    /// Makes room for `count` distinct stacks, so a reader that knows how many it will add grows the table once.
    public mutating func reserveStacks(_ count: Int) { stacks.reserveCapacity(count) }

    /// Adds `count` samples of a root-first stack. Throws when the running total would overflow.
    public mutating func add(stack: [FunctionRef], count: Int64, labels: LabelSet = LabelSet()) throws {
        try add(frameIDs: stack.map { frameID($0) }, count: count, labelSet: labelSetID(labels))
    }

    /// Adds `count` samples of a root-first stack of frame ids.
    public mutating func add(frameIDs: [Int], count: Int64, labelSet: Int = 0) throws {
        try add(frames: frameIDs.map { Int32(truncatingIfNeeded: $0) }, count: count, labelSet: labelSet)
    }

    /// Adds `count` samples of a root-first stack of frame ids.
    public mutating func add(frames: [Int32], count: Int64, labelSet: Int = 0) throws {
        let (sum, overflow) = totalSamples.addingReportingOverflow(count)
        guard !overflow, count >= 0 else { throw ProfileDataError.valueOverflow }
        totalSamples = sum
        stacks[StackKey(frames: frames, labelSet: Int32(labelSet)), default: 0] += count
    }

    /// Per-function self and total values; total counts a function once per sample even under recursion.
    /// With `label`, only samples carrying that `key=value` count.
    public func functionCosts(label: Label? = nil) -> [FunctionRef: FunctionCost] {
        functionCosts(grouped(label: label))
    }

    /// Samples carrying `label` (all samples without one).
    public func samples(label: Label?) -> Int64 {
        guard let label else { return totalSamples }
        return stacks.reduce(0) { $0 + (labelSets[Int($1.key.labelSet)].contains(label) ? $1.value : 0) }
    }

    /// The profile's samples per distinct stack (label sets merged), and per (stack, label set) row.
    public struct Grouped: Sendable {
        public var stacks: [[Int32]]
        public var totals: [Int64]
        public var rows: [(stack: Int, labelSet: Int, samples: Int64)]
    }

    /// Groups the (stack, label set) keys by stack, so that per-function walks visit each stack once; with
    /// `label`, only the keys carrying it.
    public func grouped(label: Label? = nil) -> Grouped {
        var index: [[Int32]: Int] = [:]
        var grouped = Grouped(stacks: [], totals: [], rows: [])
        grouped.rows.reserveCapacity(stacks.count)
        if labelSets.count == 1 {
            // One label set: every key is a distinct stack already, so no stack needs hashing again.
            grouped.stacks.reserveCapacity(stacks.count)
            grouped.totals.reserveCapacity(stacks.count)
            for (key, count) in stacks where label == nil {
                grouped.rows.append((grouped.stacks.count, 0, count))
                grouped.stacks.append(key.frames)
                grouped.totals.append(count)
            }
            return grouped
        }
        for (key, count) in stacks where label.map({ labelSets[Int(key.labelSet)].contains($0) }) ?? true {
            let id: Int
            if let known = index[key.frames] {
                id = known
            } else {
                id = grouped.stacks.count
                index[key.frames] = id
                grouped.stacks.append(key.frames)
                grouped.totals.append(0)
            }
            grouped.totals[id] += count
            grouped.rows.append((id, Int(key.labelSet), count))
        }
        return grouped
    }

    /// Self and total per function over grouped stacks.
    public func functionCosts(_ grouped: Grouped) -> [FunctionRef: FunctionCost] {
        var result: [FunctionRef: FunctionCost] = [:]
        for (frame, cost) in frameCosts(grouped).enumerated() where cost.totalSamples > 0 || cost.selfSamples > 0 {
            result[frames[frame]] = cost
        }
        return result
    }

    /// Self and total per frame index (`frames[i]`) over grouped stacks: the same walk as `functionCosts`, without
    /// hashing a single name.
    public func frameCosts(_ grouped: Grouped) -> [FunctionCost] {
        var costs = [FunctionCost](repeating: FunctionCost(), count: frames.count)
        var seen = [Int](repeating: -1, count: frames.count)
        for (id, stack) in grouped.stacks.enumerated() {
            let count = grouped.totals[id]
            if let leaf = stack.last { costs[Int(leaf)].selfSamples += count }
            for frame in stack where seen[Int(frame)] != id {
                seen[Int(frame)] = id
                costs[Int(frame)].totalSamples += count
            }
        }
        return costs
    }

    /// Caller → callee sample counts over grouped stacks; an edge counts once per sample.
    public func callEdges(_ grouped: Grouped) -> [CallEdge: Int64] {
        var result: [CallEdge: Int64] = [:]
        for edge in frameEdges(grouped) {
            result[CallEdge(caller: frames[Int(edge.caller)], callee: frames[Int(edge.callee)])] = edge.samples
        }
        return result
    }

    /// Caller → callee sample counts by frame index, in (caller, callee) order; an edge counts once per sample.
    public func frameEdges(_ grouped: Grouped) -> [(caller: Int32, callee: Int32, samples: Int64)] {
        // At most one edge per frame after the first of each stack: sized for that when it is small (a push of a
        // few hundred stacks then never grows the table), else for four per frame.
        let instances = grouped.stacks.reduce(0) { $0 + max(0, $1.count - 1) }
        var edges = CountTable(capacity: min(instances, max(frames.count * 4, 1 << 16)))
        // An edge can only repeat within a stack when a frame does (recursion): only those stacks pay for the set.
        var stamp = [Int32](repeating: -1, count: frames.count)
        var seen = Set<UInt64>()
        for (id, stack) in grouped.stacks.enumerated() where stack.count > 1 {
            let count = grouped.totals[id]
            var repeats = false
            for frame in stack {
                if stamp[Int(frame)] == Int32(id) { repeats = true }
                stamp[Int(frame)] = Int32(id)
            }
            if repeats { seen.removeAll(keepingCapacity: true) }
            var caller = UInt64(UInt32(bitPattern: stack[0]))
            for i in 1..<stack.count {
                let callee = UInt64(UInt32(bitPattern: stack[i]))
                let edge = caller << 32 | callee
                if !repeats || seen.insert(edge).inserted { edges.add(edge, count) }
                caller = callee
            }
        }
        return edges.sorted().map {
            (Int32(bitPattern: UInt32($0.key >> 32)), Int32(bitPattern: UInt32($0.key & 0xffff_ffff)), $0.sum)
        }
    }

    /// Caller → callee sample counts, for walking the regressed stacks; an edge counts once per sample.
    public func callEdges() -> [CallEdge: Int64] { callEdges(grouped()) }

    /// Adds `labels` to every stack's label set (a label the stack already has under the same key keeps the
    /// stack's value): the labels a push names for a whole profile (`app.cpu{env=prod}`).
    public mutating func addLabels(_ labels: [Label]) {
        guard !labels.isEmpty else { return }
        let old = self
        labelSets = [LabelSet()]
        labelIndex = [LabelSet(): 0]
        stacks = [:]
        for (key, count) in old.stacks {
            let own = old.labelSets[Int(key.labelSet)].labels
            let keys = Set(own.map(\.key))
            let merged = LabelSet(own + labels.filter { !keys.contains($0.key) })
            stacks[StackKey(frames: key.frames, labelSet: Int32(labelSetID(merged))), default: 0] += count
        }
    }

    /// Drops label keys with more than `limit` distinct values (thread ids, span ids): kept, they would multiply
    /// the stored rows without helping anyone filter. Returns the dropped keys.
    @discardableResult
    public mutating func dropHighCardinalityLabels(limit: Int) -> [String] {
        var values: [String: Set<String>] = [:]
        for set in labelSets { for label in set.labels { values[label.key, default: []].insert(label.value) } }
        let dropped = values.filter { $0.value.count > limit }.map(\.key).sorted()
        guard !dropped.isEmpty else { return [] }
        let old = self
        labelSets = [LabelSet()]
        labelIndex = [LabelSet(): 0]
        stacks = [:]
        for (key, count) in old.stacks {
            let kept = LabelSet(old.labelSets[Int(key.labelSet)].labels.filter { !dropped.contains($0.key) })
            stacks[StackKey(frames: key.frames, labelSet: Int32(labelSetID(kept))), default: 0] += count
        }
        return dropped
    }
}

/// Samples at one source line of one frame: `selfSamples` with that line on top of the stack, `totalSamples` with
/// the frame at that line anywhere in the stack (its callees included; once per sample under recursion).
public struct LineCost: Sendable, Equatable {
    public var frame: Int32
    public var line: Int32
    public var selfSamples: Int64
    public var totalSamples: Int64

    public init(frame: Int32, line: Int32, selfSamples: Int64, totalSamples: Int64) {
        self.frame = frame
        self.line = line
        self.selfSamples = selfSamples
        self.totalSamples = totalSamples
    }
}

/// Sums stacks of (frame, line) sites into `LineCost`s.
public struct LineCostAccumulator {
    /// Per site (frame << 32 | line): sums, and the last stack that counted it (a stack through one site twice,
    /// under recursion, counts once in its total).
    private var costs: [UInt64: (selfSamples: Int64, totalSamples: Int64, stack: Int)] = [:]
    private var stack = 0

    public init() {}

    /// A stack's sites, root first, parallel to its frames; line 0 means unknown and is skipped.
    public mutating func add(frames: [Int], lines: [Int32], count: Int64) {
        guard count > 0, !lines.isEmpty else { return }
        stack += 1
        for (index, line) in lines.enumerated() where line > 0 && index < frames.count {
            let site = UInt64(UInt32(truncatingIfNeeded: frames[index])) << 32 | UInt64(UInt32(bitPattern: line))
            let leaf = index == lines.count - 1
            if let known = costs[site] {
                let counted = known.stack == stack
                costs[site] = (
                    known.selfSamples &+ (leaf ? count : 0), known.totalSamples &+ (counted ? 0 : count), stack
                )
            } else {
                costs[site] = (leaf ? count : 0, count, stack)
            }
        }
    }

    public var lineCosts: [LineCost] {
        costs.map { site, cost in
            LineCost(
                frame: Int32(truncatingIfNeeded: site >> 32), line: Int32(truncatingIfNeeded: site & 0xffff_ffff),
                selfSamples: cost.selfSamples, totalSamples: cost.totalSamples)
        }.sorted { ($0.frame, $0.line) < ($1.frame, $1.line) }
    }
}

/// One unique stack (root first, frame ids) under one label set.
public struct StackKey: Hashable, Sendable {
    public var frames: [Int32]
    public var labelSet: Int32
    public init(frames: [Int32], labelSet: Int32) {
        self.frames = frames
        self.labelSet = labelSet
    }
}

/// One `key=value` label (pprof sample labels, perf's command name).
public struct Label: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key=value`.
    public init?(parsing text: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        self.init(key: String(text[..<equals]), value: String(text[text.index(after: equals)...]))
    }

    public var description: String { "\(key)=\(value)" }
    public static func < (a: Label, b: Label) -> Bool { (a.key, a.value) < (b.key, b.value) }
}

/// A sample's labels, sorted so that equal sets compare equal.
public struct LabelSet: Hashable, Sendable {
    public private(set) var labels: [Label]
    public init(_ labels: [Label] = []) { self.labels = labels.sorted() }
    public func contains(_ label: Label) -> Bool { labels.contains(label) }
    /// `k=v` lines, the stored form.
    public var text: String { labels.map(\.description).joined(separator: "\n") }
}

/// Samples attributed to one function.
public struct FunctionCost: Sendable, Equatable {
    public var selfSamples: Int64 = 0
    public var totalSamples: Int64 = 0
    public init(selfSamples: Int64 = 0, totalSamples: Int64 = 0) {
        self.selfSamples = selfSamples
        self.totalSamples = totalSamples
    }
}

/// One caller → callee pair seen on a stack.
public struct CallEdge: Hashable, Sendable {
    public var caller: FunctionRef
    public var callee: FunctionRef
    public init(caller: FunctionRef, callee: FunctionRef) {
        self.caller = caller
        self.callee = callee
    }
}

/// Data problems found while aggregating, turned into a message naming the file by the reader.
enum ProfileDataError: Error {
    case valueOverflow
}
