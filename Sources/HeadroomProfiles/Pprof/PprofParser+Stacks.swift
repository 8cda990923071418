import HeadroomCore

extension PprofParser {
    /// Resolves every aggregated sample key to its frames (root first) and adds its value of sample type
    /// `chosen` to `profile`, with line costs where the profile names lines.
    ///
    /// Two passes: the first resolves each location a sample uses to its frames once, into flat tables (a pprof
    /// function becomes a frame once, however many locations refer to it); the second copies runs of those tables
    /// into each stack. Errors (a missing location or function) come from the first sample that meets them.
    func aggregate(valueIndex chosen: Int, into profile: inout StackProfile) throws {
        let maximumID = locations.keys.max() ?? 0
        var table = LocationFrames(
            maximumID: maximumID, count: locations.count, withLines: lineNumbers.contains { $0 > 0 })
        var locationIDs: [UInt64] = []
        profile.reserveFrames(functionCount + 1)
        try keys.forEach { id, key in
            guard values[id * valueCount + chosen] > 0 else { return }
            try Self.locationIDs(of: key, into: &locationIDs)
            for locationID in locationIDs { _ = try table.run(locationID, parser: self, profile: &profile) }
        }
        var siteSelf = [Int64](repeating: 0, count: table.sites.count)
        var siteTotal = [Int64](repeating: 0, count: table.sites.count)
        var siteStamp = [Int32](repeating: -1, count: table.sites.count)
        var labelSetOfBytes: [[UInt8]: Int] = [:]
        var stack: [Int32] = []
        var stackSites: [Int32] = []
        profile.reserveStacks(keys.count)
        try table.frames.withUnsafeBufferPointer { frames in
            try table.frameSites.withUnsafeBufferPointer { sites in
                try keys.forEach { id, key in
                    let value = values[id * valueCount + chosen]
                    guard value > 0 else { return }
                    let labelStart = try Self.locationIDs(of: key, into: &locationIDs)
                    stack.removeAll(keepingCapacity: true)
                    stackSites.removeAll(keepingCapacity: true)
                    for locationID in locationIDs.reversed() {
                        let run = table.knownRun(locationID)
                        stack.append(contentsOf: UnsafeBufferPointer(rebasing: frames[run]))
                        if table.withLines { stackSites.append(contentsOf: UnsafeBufferPointer(rebasing: sites[run])) }
                    }
                    guard stack.count <= FoldedParser.maximumDepth else {
                        throw ParseFailure(
                            "a stack is deeper than \(FoldedParser.maximumDepth) frames once inlined frames are expanded"
                        )
                    }
                    var labelSet = 0
                    if labelStart < key.count {
                        let labelBytes = Array(key[labelStart...])
                        if let known = labelSetOfBytes[labelBytes] {
                            labelSet = known
                        } else {
                            labelSet = profile.labelSetID(
                                try labels(UnsafeRawBufferPointer(rebasing: key[labelStart...])))
                            labelSetOfBytes[labelBytes] = labelSet
                        }
                    }
                    try profile.add(frames: stack, count: value, labelSet: labelSet)
                    guard table.withLines else { return }
                    // The leaf's site gets the self samples; every site on the stack its total, once per stack.
                    if let leaf = stackSites.last, leaf >= 0 { siteSelf[Int(leaf)] &+= value }
                    let stamp = Int32(truncatingIfNeeded: id)
                    for site in stackSites where site >= 0 && siteStamp[Int(site)] != stamp {
                        siteStamp[Int(site)] = stamp
                        siteTotal[Int(site)] &+= value
                    }
                }
            }
        }
        if table.withLines {
            profile.lineCosts = table.sites.indices.map {
                LineCost(
                    frame: table.sites[$0].frame, line: table.sites[$0].line, selfSamples: siteSelf[$0],
                    totalSamples: siteTotal[$0])
            }.sorted { ($0.frame, $0.line) < ($1.frame, $1.line) }
        }
    }

    /// A sample key's location ids (leaf first) into `ids`; returns where its label bytes start.
    @discardableResult
    private static func locationIDs(of key: UnsafeRawBufferPointer, into ids: inout [UInt64]) throws -> Int {
        ids.removeAll(keepingCapacity: true)
        var cursor = WireCursor(key)
        let depth = Int(try cursor.varint())
        for _ in 0..<depth { ids.append(try cursor.varint()) }
        return cursor.position
    }
}

/// The frames of each location a profile's samples use, root first, resolved on first use and kept as runs of
/// one flat table; with the (frame, source line) site of each where the profile names lines.
struct LocationFrames {
    /// Every resolved location's frames, one run each.
    private(set) var frames: [Int32] = []
    /// The site of each entry of `frames`, as an index into `sites`; -1 where the line is unknown. Empty when the
    /// profile names no lines.
    private(set) var frameSites: [Int32] = []
    /// The distinct (frame, line) sites.
    private(set) var sites: [(frame: Int32, line: Int32)] = []
    let withLines: Bool
    /// Each location's run: indexed by location id when ids are dense (Go and most writers number them 1...n),
    /// else by a slot from `slotOfID`. An unresolved run is empty with a negative start.
    private var runStart: [Int32]
    private var runEnd: [Int32]
    private let dense: Bool
    private var slotOfID: [UInt64: Int] = [:]
    private var siteOf: [UInt64: Int32] = [:]
    private var frameOfFunction: [UInt64: Int32] = [:]

    init(maximumID: UInt64, count: Int, withLines: Bool) {
        dense = maximumID < UInt64(max(1024, 4 * count))
        let slots = dense ? Int(maximumID) + 1 : 0
        runStart = [Int32](repeating: -1, count: slots)
        runEnd = [Int32](repeating: -1, count: slots)
        self.withLines = withLines
    }

    /// A location's run in `frames`, resolving it the first time.
    mutating func run(_ id: UInt64, parser: PprofParser, profile: inout StackProfile) throws -> Range<Int> {
        if let slot = slot(id), runStart[slot] >= 0 { return Int(runStart[slot])..<Int(runEnd[slot]) }
        let resolved = try parser.resolve(location: id, into: &profile, cache: &frameOfFunction)
        let start = frames.count
        frames.append(contentsOf: resolved)
        if withLines {
            let numbers = parser.lineNumbers(location: id)
            for (index, frame) in resolved.enumerated() {
                let line = numbers.count == resolved.count ? numbers[index] : 0
                frameSites.append(line > 0 ? site(frame, line) : -1)
            }
        }
        let slot: Int
        if dense {
            slot = Int(id)
        } else {
            slot = runStart.count
            slotOfID[id] = slot
            runStart.append(-1)
            runEnd.append(-1)
        }
        runStart[slot] = Int32(start)
        runEnd[slot] = Int32(frames.count)
        return start..<frames.count
    }

    /// The run of a location `run` has resolved.
    func knownRun(_ id: UInt64) -> Range<Int> {
        let slot = slot(id)!
        return Int(runStart[slot])..<Int(runEnd[slot])
    }

    private func slot(_ id: UInt64) -> Int? {
        if dense { return id < UInt64(runStart.count) ? Int(id) : nil }
        return slotOfID[id]
    }

    private mutating func site(_ frame: Int32, _ line: Int32) -> Int32 {
        let key = UInt64(UInt32(bitPattern: frame)) << 32 | UInt64(UInt32(bitPattern: line))
        if let known = siteOf[key] { return known }
        let site = Int32(sites.count)
        siteOf[key] = site
        sites.append((frame, line))
        return site
    }
}
