/// Which commits a deploy made live: those reachable from the deployed commit and not from the service's previous
/// deploy (`git rev-list prev..this`), computed on the stored commit graph.
public struct CommitGraph: Sendable {
    public let parents: [String: [String]]

    public init(parents: [String: [String]]) { self.parents = parents }

    public func contains(_ sha: String) -> Bool { parents[sha] != nil }

    /// Commits reachable from `head` and not from `base`, newest first; without `base`, at most `limit` of them.
    public func range(from base: String?, to head: String, limit: Int = 200) -> [String] {
        var excluded = Set<String>()
        if let base, parents[base] != nil {
            var stack = [base]
            while let sha = stack.popLast() {
                guard excluded.insert(sha).inserted else { continue }
                stack += parents[sha] ?? []
            }
        }
        var seen = Set<String>()
        var result: [String] = []
        var queue = [head]
        var index = 0
        while index < queue.count, result.count < (base == nil ? limit : Int.max) {
            let sha = queue[index]
            index += 1
            guard !excluded.contains(sha), parents[sha] != nil, seen.insert(sha).inserted else { continue }
            result.append(sha)
            queue += parents[sha] ?? []
        }
        return result
    }
}
