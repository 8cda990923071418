import HeadroomCore

/// Stacks merged into a tree by common prefix: each node's samples include its children's.
public struct FlameTree: Sendable {
    public final class Node: @unchecked Sendable {
        public let frame: FunctionRef?
        public var samples: Int64 = 0
        /// The same path's samples in the baseline (differential graphs only).
        public var baselineSamples: Int64 = 0
        public private(set) var children: [FunctionRef: Node] = [:]

        init(frame: FunctionRef?) { self.frame = frame }

        func child(_ frame: FunctionRef) -> Node {
            if let node = children[frame] { return node }
            let node = Node(frame: frame)
            children[frame] = node
            return node
        }

        /// Children in a stable order (by name, then file), as flame graphs draw them.
        public var sortedChildren: [Node] {
            children.values.sorted {
                ($0.frame?.name ?? "", $0.frame?.file ?? "") < ($1.frame?.name ?? "", $1.frame?.file ?? "")
            }
        }
    }

    public let root = Node(frame: nil)
    public private(set) var baselineTotal: Int64 = 0
    public private(set) var hasBaseline = false

    public init() {}

    /// Adds samples of a root-first stack.
    public mutating func add(_ frames: [FunctionRef], samples: Int64) {
        var node = root
        node.samples += samples
        for frame in frames {
            node = node.child(frame)
            node.samples += samples
        }
    }

    /// Adds baseline samples of a root-first stack; paths only in the baseline are not drawn (their width in the
    /// current profile is zero), but their samples still count in the baseline total.
    public mutating func addBaseline(_ frames: [FunctionRef], samples: Int64) {
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
}
