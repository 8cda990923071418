import HeadroomCore

/// A service's function-level count series over a common sequence of buckets, with its call graph.
public struct ServiceSeries: Sendable {
    public var service: String
    /// Bucket start times, ascending.
    public var times: [Int64]
    /// All samples per bucket.
    public var totals: [Int64]
    /// Self and total samples per function, aligned with `times` (zero where absent).
    public var functions: [FunctionRef: (selfCounts: [Int64], totalCounts: [Int64])]
    /// Caller → callees seen on any stack.
    public var callees: [FunctionRef: Set<FunctionRef>]
    /// Samples of each caller → callee edge per bucket, aligned with `times`; empty when not known.
    public var edges: [CallEdge: [Int64]]

    public struct CallEdge: Hashable, Sendable {
        public var caller: FunctionRef
        public var callee: FunctionRef
        public init(caller: FunctionRef, callee: FunctionRef) {
            self.caller = caller
            self.callee = callee
        }
    }

    public init(
        service: String, times: [Int64], totals: [Int64],
        functions: [FunctionRef: (selfCounts: [Int64], totalCounts: [Int64])],
        callees: [FunctionRef: Set<FunctionRef>], edges: [CallEdge: [Int64]] = [:]
    ) {
        self.service = service
        self.times = times
        self.totals = totals
        self.functions = functions
        self.callees = callees
        self.edges = edges
    }

    /// Whether `ancestor` calls `descendant`, directly or through other frames.
    public func isAncestor(_ ancestor: FunctionRef, of descendant: FunctionRef) -> Bool {
        var seen: Set<FunctionRef> = [ancestor]
        var frontier = [ancestor]
        while let next = frontier.popLast() {
            for callee in callees[next] ?? [] where seen.insert(callee).inserted {
                if callee == descendant { return true }
                frontier.append(callee)
            }
        }
        return false
    }
}
