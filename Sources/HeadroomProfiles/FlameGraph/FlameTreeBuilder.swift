import HeadroomCore

/// Builds a `FlameTree` from stacks of function ids in path order, keeping only the frames wide enough to draw.
///
/// A large store's stacks share few prefixes (10M samples: 400k stacks, millions of distinct paths), so merging
/// them all into one tree would hold every path at once. Given the stacks sorted so that all stacks through one path
/// are adjacent (the store sorts them by their frame text), each path is opened once and closed once; a closed path
/// narrower than `minimumSamples` is dropped then: its samples stay counted in its parents, and its parent keeps
/// its width by frame, so that its drawn siblings keep their places. Only the drawn tree, the widths beside it and
/// the current path are ever held; the graph is the same as from the whole tree. Out-of-order input stays correct for the frames kept, as a path met again is
/// reopened; only its pruned part loses samples.
public struct FlameTreeBuilder {
    final class Node {
        let frame: Int64
        var samples: Int64 = 0
        var baselineSamples: Int64 = 0
        var children: [Int64: Node] = [:]
        /// Samples of children dropped as too narrow, by frame: they still take their place among their siblings.
        var hidden: [Int64: Int64] = [:]
        init(frame: Int64) { self.frame = frame }
    }

    private let minimumSamples: Double
    private let root = Node(frame: -1)
    /// The open path below the root, root first.
    private var path: [Node] = []
    private var hasBaseline = false
    private var baselineTotal: Int64 = 0

    /// `minimumSamples`: paths with fewer samples are not kept (0 keeps every path).
    public init(minimumSamples: Double) {
        self.minimumSamples = minimumSamples
    }

    /// Adds a root-first stack of function ids.
    public mutating func add(_ frames: [Int64], samples: Int64) {
        var depth = 0
        while depth < path.count, depth < frames.count, path[depth].frame == frames[depth] { depth += 1 }
        close(downTo: depth)
        var parent = path.last ?? root
        for frame in frames[depth...] {
            // Linked to its parent when it closes, if kept (a path met again out of order is found there).
            let node = parent.children[frame] ?? Node(frame: frame)
            path.append(node)
            parent = node
        }
        root.samples += samples
        for node in path { node.samples += samples }
    }

    /// Adds baseline samples of a root-first stack (any order, after every current stack): only to the paths kept.
    public mutating func addBaseline(_ frames: [Int64], samples: Int64) {
        close(downTo: 0)
        hasBaseline = true
        baselineTotal += samples
        var node = root
        node.baselineSamples += samples
        for frame in frames {
            guard let next = node.children[frame] else { return }
            node = next
            node.baselineSamples += samples
        }
    }

    /// Sets the baseline's total when it includes samples without stacks.
    public mutating func setBaselineTotal(_ total: Int64) {
        hasBaseline = true
        baselineTotal = total
    }

    /// The tree, its frames named by `names` (given every id kept, once).
    public mutating func finish(names: ([Int64]) throws -> [Int64: FunctionRef]) rethrows -> FlameTree {
        close(downTo: 0)
        var ids: Set<Int64> = []
        var pending = [root]
        while let node = pending.popLast() {
            ids.formUnion(node.hidden.keys)
            for child in node.children.values {
                ids.insert(child.frame)
                pending.append(child)
            }
        }
        let named = try names(Array(ids))
        var tree = FlameTree()
        var copying = [(from: root, into: tree.root)]
        while let (from, into) = copying.popLast() {
            // Added, not set: a path met again out of order has both a hidden part and a kept one.
            into.samples += from.samples
            into.baselineSamples += from.baselineSamples
            for (frame, samples) in from.hidden {
                guard let frame = named[frame] else { continue }
                into.child(frame).samples += samples
            }
            for child in from.children.values {
                guard let frame = named[child.frame] else { continue }
                copying.append((child, into.child(frame)))
            }
        }
        if hasBaseline { tree.setBaselineTotal(baselineTotal) }
        return tree
    }

    /// Closes the open path below `depth`, dropping closed paths too narrow to draw.
    private mutating func close(downTo depth: Int) {
        while path.count > depth {
            let node = path.removeLast()
            let parent = path.last ?? root
            if Double(node.samples) < minimumSamples {
                parent.hidden[node.frame, default: 0] += node.samples
            } else {
                parent.children[node.frame] = node
            }
        }
    }
}
