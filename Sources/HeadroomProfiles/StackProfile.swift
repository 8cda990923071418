import HeadroomCore

/// A parsed profile: unique stacks (root first) with their sample counts.
public struct StackProfile: Sendable {
    /// Frames interned once; stacks refer to them by index.
    public private(set) var frames: [FunctionRef] = []
    /// Unique stacks, root first, as indices into `frames`, with summed counts.
    public private(set) var stacks: [[Int]: Int64] = [:]
    public private(set) var totalSamples: Int64 = 0
    private var frameIndex: [FunctionRef: Int] = [:]

    public init() {}

    /// Adds `count` samples of a root-first stack.
    public mutating func add(stack: [FunctionRef], count: Int64) {
        let ids = stack.map { frame -> Int in
            if let id = frameIndex[frame] { return id }
            frames.append(frame)
            frameIndex[frame] = frames.count - 1
            return frames.count - 1
        }
        stacks[ids, default: 0] += count
        totalSamples += count
    }

    /// Per-function self and total samples; total counts a function once per sample even under recursion.
    public func functionCosts() -> [FunctionRef: FunctionCost] {
        var costs: [Int: FunctionCost] = [:]
        for (stack, count) in stacks {
            if let leaf = stack.last { costs[leaf, default: FunctionCost()].selfSamples += count }
            for id in Set(stack) { costs[id, default: FunctionCost()].totalSamples += count }
        }
        return Dictionary(uniqueKeysWithValues: costs.map { (frames[$0.key], $0.value) })
    }

    /// Caller → callee sample counts, for walking the regressed stacks.
    public func callEdges() -> [CallEdge: Int64] {
        var edges: [CallEdge: Int64] = [:]
        for (stack, count) in stacks where stack.count > 1 {
            var seen = Set<CallEdge>()
            for i in 1..<stack.count {
                let edge = CallEdge(caller: frames[stack[i - 1]], callee: frames[stack[i]])
                if seen.insert(edge).inserted { edges[edge, default: 0] += count }
            }
        }
        return edges
    }
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
