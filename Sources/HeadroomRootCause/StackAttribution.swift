import HeadroomCore

/// A service's stacks over a stretch of time: sample counts per root-first stack, and the stretch's total.
public struct StackWindow: Sendable {
    public var total: Int64
    public var stacks: [(frames: [FunctionRef], samples: Int64)]
    public init(total: Int64, stacks: [(frames: [FunctionRef], samples: Int64)]) {
        self.total = total
        self.stacks = stacks
    }
}

/// Where a regression's added samples sit, stack by stack, and how much of that a set of functions explains.
///
/// The rise is the sum of positive share changes over the *relevant* stacks: those whose leaf is the regressed
/// function (self metric) or that hold it anywhere (total metric). A change to function `t` explains the part of the
/// rise on stacks through `t` — but only if it rose on every path into `t` alike: a change inside `t` makes each
/// call of `t` costlier whoever the caller is, so when only one of `t`'s callers shows the rise, the cause is that
/// caller's change, not `t`'s. `uniformity` measures that (1 = every caller rose in proportion to its share before).
public struct StackAttribution: Sendable {
    struct Path {
        var frames: [FunctionRef]
        var before: Double
        var after: Double
        var delta: Double { after - before }
    }
    let paths: [Path]
    /// Sum of positive share changes over the relevant stacks.
    public let rise: Double

    public init(regression: Regression, before: StackWindow, after: StackWindow) {
        var merged: [[FunctionRef]: (Double, Double)] = [:]
        let lead = regression.function
        func relevant(_ frames: [FunctionRef]) -> Bool {
            regression.metric == .selfShare ? frames.last == lead : frames.contains(lead)
        }
        for (frames, samples) in before.stacks where relevant(frames) {
            merged[frames, default: (0, 0)].0 += Double(samples) / Double(max(before.total, 1))
        }
        for (frames, samples) in after.stacks where relevant(frames) {
            merged[frames, default: (0, 0)].1 += Double(samples) / Double(max(after.total, 1))
        }
        paths = merged.map { Path(frames: $0.key, before: $0.value.0, after: $0.value.1) }
        rise = paths.reduce(0) { $0 + max($1.delta, 0) }
        var rising: [FunctionRef: Double] = [:]
        for path in paths where path.delta > 0 {
            for frame in Set(path.frames) { rising[frame, default: 0] += path.delta }
        }
        framesOnRisingStacks = rising
    }

    public var isEmpty: Bool { paths.isEmpty || rise <= 0 }

    /// Functions on the relevant stacks (callers and callees of the regressed function), with the rise through each.
    public let framesOnRisingStacks: [FunctionRef: Double]

    /// Fraction of the rise on stacks through a frame `matching` selects.
    public func share(where matching: (FunctionRef) -> Bool) -> Double {
        guard rise > 0 else { return 0 }
        let through = paths.filter { $0.delta > 0 && $0.frames.contains(where: matching) }.reduce(0) { $0 + $1.delta }
        return through / rise
    }

    /// How evenly the change is spread over the callers of the frames `matching` selects, in [0, 1]; nil when the
    /// frames have a single caller (nothing to compare).
    public func uniformity(where matching: (FunctionRef) -> Bool) -> Double? {
        var groups: [String: (before: Double, after: Double)] = [:]
        for path in paths {
            guard let at = path.frames.lastIndex(where: matching) else { continue }
            let caller = at > 0 ? path.frames[at - 1].description : "<root>"
            groups[caller, default: (0, 0)].before += path.before
            groups[caller, default: (0, 0)].after += path.after
        }
        guard groups.count > 1 else { return nil }
        let before = groups.values.reduce(0) { $0 + $1.before }
        let change = groups.values.reduce(0) { $0 + ($1.after - $1.before) }
        guard before > 0 else { return 1 }
        let ratio = change / before
        var misfit = 0.0
        var moved = 0.0
        for group in groups.values {
            let delta = group.after - group.before
            misfit += abs(delta - group.before * ratio)
            moved += abs(delta)
        }
        guard moved > 0 else { return 1 }
        return max(0, min(1, 1 - misfit / (2 * moved)))
    }
}
