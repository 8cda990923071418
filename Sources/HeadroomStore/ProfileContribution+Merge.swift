import HeadroomCore

extension ProfileContribution {
    /// Several contributions of one service and bucket as one: frames, label sets and stacks re-indexed into shared
    /// tables, costs, edges, line costs and stack samples summed. Writing the merge adds exactly what writing each
    /// part would (every stored figure is a sum), in far fewer row writes when the parts share stacks, as pushes of
    /// one service in one bucket do. Service, time and source come from the first part.
    public static func merged(_ parts: [ProfileContribution]) -> ProfileContribution {
        precondition(!parts.isEmpty, "nothing to merge")
        if parts.count == 1 { return parts[0] }
        var frameIndex: [FunctionRef: Int32] = [:]
        var frames: [FunctionRef] = []
        var costs: [(selfSamples: Int64, totalSamples: Int64)] = []
        var edges: [Int64: Int64] = [:]
        var labelIndex: [String: Int] = ["": 0]
        var labelSets: [[(key: String, value: String)]] = [[]]
        var stackIndex: [[Int32]: Int] = [:]
        var uniqueStacks: [[Int32]] = []
        var stackSamples: [Int64: Int64] = [:]
        var lines: [Int64: (selfSamples: Int64, totalSamples: Int64)] = [:]
        var total: Int64 = 0
        for part in parts {
            total += part.totalSamples
            let remap: [Int32] = part.frames.map { function in
                if let index = frameIndex[function] { return index }
                let index = Int32(frames.count)
                frameIndex[function] = index
                frames.append(function)
                costs.append((0, 0))
                return index
            }
            for cost in part.functions {
                let frame = Int(remap[Int(cost.frame)])
                costs[frame].selfSamples += cost.selfSamples
                costs[frame].totalSamples += cost.totalSamples
            }
            for edge in part.edges {
                edges[Self.pair(remap[Int(edge.caller)], remap[Int(edge.callee)]), default: 0] += edge.samples
            }
            for line in part.lines {
                let key = Self.pair(remap[Int(line.frame)], line.line)
                let old = lines[key] ?? (0, 0)
                lines[key] = (old.selfSamples + line.selfSamples, old.totalSamples + line.totalSamples)
            }
            let labelRemap: [Int] = part.labelSets.map { set in
                let text = set.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
                if let index = labelIndex[text] { return index }
                labelIndex[text] = labelSets.count
                labelSets.append(set)
                return labelSets.count - 1
            }
            var stackRemap = [Int](repeating: -1, count: part.uniqueStacks.count)
            for row in part.stacks where row.samples > 0 {
                if stackRemap[row.stack] < 0 {
                    let stack = part.uniqueStacks[row.stack].map { remap[Int($0)] }
                    if let index = stackIndex[stack] {
                        stackRemap[row.stack] = index
                    } else {
                        stackIndex[stack] = uniqueStacks.count
                        stackRemap[row.stack] = uniqueStacks.count
                        uniqueStacks.append(stack)
                    }
                }
                stackSamples[Int64(stackRemap[row.stack]) << 32 | Int64(labelRemap[row.labelSet]), default: 0] +=
                    row.samples
            }
        }
        var merged = ProfileContribution(
            service: parts[0].service, time: parts[0].time, contentHash: parts[0].contentHash,
            format: parts[0].format, source: parts[0].source, totalSamples: total, frames: frames,
            functions: costs.enumerated().compactMap { frame, cost in
                cost.selfSamples > 0 || cost.totalSamples > 0
                    ? (Int32(frame), cost.selfSamples, cost.totalSamples) : nil
            },
            edges: edges.map { (Int32(truncatingIfNeeded: $0.key >> 32), Int32(truncatingIfNeeded: $0.key), $0.value) })
        merged.sampleType = parts[0].sampleType
        merged.labelSets = labelSets
        merged.uniqueStacks = uniqueStacks
        merged.stacks = stackSamples.map { (Int($0.key >> 32), Int($0.key & 0xffff_ffff), $0.value) }
        merged.lines = lines.map {
            (Int32(truncatingIfNeeded: $0.key >> 32), Int32(truncatingIfNeeded: $0.key), $0.value.0, $0.value.1)
        }
        return merged
    }

    /// Two 32-bit values as one dictionary key.
    private static func pair(_ high: Int32, _ low: Int32) -> Int64 {
        Int64(high) << 32 | Int64(UInt32(bitPattern: low))
    }
}
