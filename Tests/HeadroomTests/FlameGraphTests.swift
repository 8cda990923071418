import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

@Suite("flame graphs", .ownThreads)
struct FlameGraphTests {
    /// Deterministic stacks over a few functions: many share prefixes, most are thin.
    static func stacks(seed: UInt64, count: Int) -> [(frames: [Int64], samples: Int64)] {
        var state = seed
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        return (0..<count).map { _ in
            let depth = 1 + Int(next(7))
            // Low ids near the root, so paths share prefixes like real call trees.
            let frames = (0..<depth).map { level in Int64(1 + next(UInt64(2 + level * 3))) }
            let samples = next(10) == 0 ? Int64(200 + next(800)) : Int64(1 + next(4))
            return (frames, samples)
        }
    }

    static let names: [Int64: FunctionRef] = Dictionary(
        uniqueKeysWithValues: (1...40).map { (Int64($0), FunctionRef(name: "f\($0)", file: "m.py")) })

    /// What a frame looks like in the picture: its tooltip and width, in drawing order (levels and x positions follow).
    static func drawn(_ svg: String) -> [String] {
        let pattern = /<title>([^<]*)<\/title><rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"/
        return svg.matches(of: pattern).map { "\($0.1) @\($0.2) w\($0.3)" }
    }

    static func fullTree(_ stacks: [(frames: [Int64], samples: Int64)], baseline: [(frames: [Int64], samples: Int64)]?)
        -> FlameTree
    {
        var tree = FlameTree()
        for stack in stacks { tree.add(stack.frames.map { names[$0]! }, samples: stack.samples) }
        for stack in baseline ?? [] { tree.addBaseline(stack.frames.map { names[$0]! }, samples: stack.samples) }
        return tree
    }

    @Test("the streaming builder draws exactly what the full tree draws, holding only drawable frames")
    func prunedBuilderMatchesFullTree() throws {
        let current = Self.stacks(seed: 7, count: 4000)
        let baseline = Self.stacks(seed: 8, count: 3000)
        let total = current.reduce(0) { $0 + $1.samples }
        let graph = FlameGraphSVG(title: "t")
        let ordered = current.sorted { $0.frames.lexicographicallyPrecedes($1.frames) }
        for withBaseline in [false, true] {
            let full = Self.fullTree(current, baseline: withBaseline ? baseline : nil)
            var builder = FlameTreeBuilder(minimumSamples: graph.minimumSamples(total: total))
            for stack in ordered { builder.add(stack.frames, samples: stack.samples) }
            if withBaseline { for stack in baseline { builder.addBaseline(stack.frames, samples: stack.samples) } }
            let pruned = builder.finish { ids in Dictionary(uniqueKeysWithValues: ids.map { ($0, Self.names[$0]!) }) }
            let want = Self.drawn(graph.render(full))
            #expect(want.count > 50)
            let got = Self.drawn(graph.render(pruned))
            let first = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
            #expect(
                got.count == want.count && first == got.count,
                "first difference at \(first): \(got.dropFirst(first).first ?? "-") vs \(want.dropFirst(first).first ?? "-")"
            )
            #expect(graph.render(pruned) == graph.render(full))
            #expect(pruned.root.samples == total)
            // Fewer nodes are held than the full tree has (kept frames plus the widths of dropped children).
            func count(_ node: FlameTree.Node) -> Int { 1 + node.children.values.reduce(0) { $0 + count($1) } }
            #expect(count(pruned.root) < count(full.root) / 2, "\(count(pruned.root)) of \(count(full.root))")
        }
    }

    @Test("without pruning the builder is the full tree, in any input order")
    func unprunedBuilderIsFullTree() {
        let current = Self.stacks(seed: 11, count: 1500)
        let full = Self.fullTree(current, baseline: nil)
        var builder = FlameTreeBuilder(minimumSamples: 0)
        for stack in current.reversed() { builder.add(stack.frames, samples: stack.samples) }
        let tree = builder.finish { ids in Dictionary(uniqueKeysWithValues: ids.map { ($0, Self.names[$0]!) }) }
        func paths(_ node: FlameTree.Node, _ prefix: String, into: inout [String: Int64]) {
            into[prefix] = node.samples
            for child in node.children.values { paths(child, prefix + ";" + child.frame!.name, into: &into) }
        }
        var want: [String: Int64] = [:]
        var got: [String: Int64] = [:]
        paths(full.root, "", into: &want)
        paths(tree.root, "", into: &got)
        #expect(got == want)
    }

    @Test("flamegraph from the store: the graph of the streamed, pruned stacks equals the full tree's")
    func storeFlameGraph() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let ingestor = ProfileIngestor(store: store)
        let base: Int64 = 1_793_606_400
        var perBucket: [[(frames: [Int64], samples: Int64)]] = []
        for bucket in 0..<3 {
            let stacks = Self.stacks(seed: 20 + UInt64(bucket), count: 1200)
            perBucket.append(stacks)
            // Function ids in the store differ from ours: frames travel by name.
            let text = stacks.map { $0.frames.map { "f\($0)" }.joined(separator: ";") + " \($0.samples)" }
                .joined(separator: "\n")
            try ingestor.ingest(
                file: dir.write("p\(bucket).folded", text + "\n"), service: "svc", at: base + Int64(bucket) * 60)
        }
        let queries = ProfileQueries(store: store)
        // Folded frames carry no file.
        func tree(_ stacks: [(frames: [Int64], samples: Int64)], baseline: [(frames: [Int64], samples: Int64)]?)
            -> FlameTree
        {
            var tree = FlameTree()
            for stack in stacks {
                tree.add(stack.frames.map { FunctionRef(name: "f\($0)", file: nil) }, samples: stack.samples)
            }
            for stack in baseline ?? [] {
                tree.addBaseline(stack.frames.map { FunctionRef(name: "f\($0)", file: nil) }, samples: stack.samples)
            }
            return tree
        }
        let all = perBucket.flatMap { $0 }
        let allTotal = all.reduce(0) { $0 + $1.samples }
        var graph = FlameGraphSVG(title: "svc CPU")
        let svg = try queries.flameGraph(service: "svc", range: TimeRange())
        #expect(Self.drawn(svg) == Self.drawn(graph.render(tree(all, baseline: nil), totalSamples: allTotal)))
        // A range, differential against another.
        let after = TimeRange(from: base + 60, to: base + 120)
        let before = TimeRange(from: base, to: base)
        let diff = try queries.flameGraph(service: "svc", range: after, baseline: before)
        let afterStacks = perBucket[1] + perBucket[2]
        var full = tree(afterStacks, baseline: perBucket[0])
        full.setBaselineTotal(perBucket[0].reduce(0) { $0 + $1.samples })
        graph.title = "svc CPU, differential"
        let want = Self.drawn(graph.render(full, totalSamples: afterStacks.reduce(0) { $0 + $1.samples }))
        #expect(want.count > 50)
        #expect(Self.drawn(diff) == want)
        #expect(diff.contains("largest change"))
    }

    /// Issue 24: a thin, deep tower (interpreter start-up, an import chain) no longer sets the picture's height, and
    /// labels that do not fit show the name's last part, then an ellipsis, instead of "C..".
    @Test("thin towers fold into one row; labels shorten to the last name part")
    func readable() throws {
        var tree = FlameTree()
        let f = { (name: String) in FunctionRef(name: name, file: "m.py") }
        tree.add([f("main"), f("handle"), f("Cart.total")], samples: 9_000)
        tree.add([f("main"), f("serve")], samples: 990)
        tree.add([f("<module>")] + (0..<60).map { f("_find_and_load_\($0)") }, samples: 10)
        let svg = FlameGraphSVG(title: "t").render(tree)
        let height = try #require(Int(svg.firstMatch(of: /height="([0-9]+)"/)?.1 ?? ""))
        // Root, main, handle, Cart.total and the folded tower's first frame: five rows, not 62.
        #expect(height <= 56 + 5 * 17 + 30, "height \(height)")
        #expect(svg.contains("60 deeper levels folded (too narrow to show)"))
        #expect(!svg.contains("_find_and_load_59 —"))
        #expect(FlameGraphSVG.label("Cart.total", fitting: 8) == "total")
        #expect(FlameGraphSVG.label("apply_discounts", fitting: 8) == "apply_d…")
        #expect(FlameGraphSVG.label("handle", fitting: 6) == "handle")
        #expect(FlameGraphSVG.label("handle", fitting: 3) == nil)
    }
}
