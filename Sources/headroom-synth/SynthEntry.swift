import Foundation
import HeadroomCore
import HeadroomTesting

/// Writes large synthetic profiles with realistic shapes for Benchmarks/ingest and as fuzzing seeds:
///
///     headroom-synth pprof  OUT.pb      [--samples N] [--stacks U] [--functions F] [--seed S]
///     headroom-synth folded OUT.folded  [--lines N]   [--stacks U] [--functions F] [--seed S] [--max-depth D]
///
/// Shapes: a call graph of F functions in modules (Go-style names for pprof, py-spy frames for folded); U distinct
/// stacks made by random walks 8–64 frames deep, some with inlined frames; samples drawn from the stacks with a
/// Zipf-like skew (a few hot paths, a long tail), each with an `endpoint` label; values [count, nanoseconds] as Go's
/// CPU profiler writes them. The pprof is written uncompressed; the benchmark gzips it.
@main
struct Synth {
    static func main() throws {
        let args = Array(CommandLine.arguments.dropFirst())
        guard args.count >= 2, ["pprof", "folded"].contains(args[0]) else {
            FileHandle.standardError.write(
                Data(
                    "usage: headroom-synth pprof|folded OUT [--samples N|--lines N] [--stacks U] [--functions F] [--seed S]\n"
                        .utf8))
            exit(2)
        }
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let index = args.firstIndex(of: name), index + 1 < args.count, let value = Int(args[index + 1]) else {
                return fallback
            }
            return value
        }
        let count = option(args[0] == "pprof" ? "--samples" : "--lines", 1_500_000)
        let shape = Shape(
            functions: option("--functions", 6000), stacks: option("--stacks", 40_000),
            seed: UInt64(option("--seed", 42)),
            maxDepth: option("--max-depth", 64))
        if args[0] == "pprof" {
            try writePprof(shape, samples: count, to: args[1])
        } else {
            try writeFolded(shape, lines: count, to: args[1])
        }
    }

    /// The call graph and the distinct stacks (function indices, root first).
    struct Shape {
        var names: [String]
        var files: [String]
        var stacks: [[Int]]
        var weights: [Double]
        var rng: SplitMix64

        init(functions: Int, stacks count: Int, seed: UInt64, maxDepth: Int) {
            rng = SplitMix64(seed: seed)
            names = (0..<functions).map { i in
                "github.com/acme/shop/pkg/mod\(i % 97).(*Type\(i % 13)).Method\(i)"
            }
            files = (0..<functions).map { i in "pkg/mod\(i % 97)/file\(i % 7).go" }
            // Each function calls a few others further down the graph, so walks go deep without cycles.
            var callees: [[Int]] = Array(repeating: [], count: functions)
            var generator = rng
            for i in 0..<functions where i + 1 < functions {
                callees[i] = (0..<4).map { _ in
                    min(functions - 1, i + 1 + Int(generator.next() % UInt64(max(1, functions / 40))))
                }
            }
            var seen = Set<[Int]>()
            var stacks: [[Int]] = []
            while stacks.count < count {
                let depth = min(8, maxDepth) + Int(generator.next() % UInt64(max(1, maxDepth - 7)))
                var stack = [Int(generator.next() % 20)]
                while stack.count < depth, let next = callees[stack.last!].randomElement(using: &generator) {
                    stack.append(next)
                }
                if seen.insert(stack).inserted { stacks.append(stack) }
            }
            self.stacks = stacks
            weights = (0..<count).map { 1 / pow(Double($0 + 1), 0.8) }
            rng = generator
        }

        /// A stack index drawn with the Zipf-like weights (by inverse CDF over the cumulative weights).
        mutating func draw(_ cumulative: [Double]) -> Int {
            let u = Double(rng.next() >> 11) / Double(1 << 53) * cumulative.last!
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] < u { low = mid + 1 } else { high = mid }
            }
            return low
        }

        var cumulative: [Double] {
            var total = 0.0
            return weights.map {
                total += $0; return total
            }
        }
    }

    static let endpoints = ["/checkout", "/cart", "/search", "/product", "/login", "/orders", "/health", "/recommend"]

    static func writePprof(_ shapeIn: Shape, samples: Int, to path: String) throws {
        var shape = shapeIn
        var builder = PprofBuilder(timeNanos: 1_793_606_400 * 1_000_000_000)
        // One location per (function), every 9th one with the next function inlined into it.
        var locationOf: [Int: UInt64] = [:]
        func location(_ f: Int) -> UInt64 {
            if let id = locationOf[f] { return id }
            var frames = [FunctionRef(name: shape.names[f], file: shape.files[f])]
            if f % 9 == 0, f + 1 < shape.names.count {
                frames.insert(FunctionRef(name: shape.names[f] + ".func1", file: shape.files[f]), at: 0)
            }
            let id = builder.location(frames)
            locationOf[f] = id
            return id
        }
        let leafFirst = shape.stacks.map { $0.reversed().map(location) }
        let cumulative = shape.cumulative
        builder.samples.reserveCapacity(samples)
        for i in 0..<samples {
            let stack = shape.draw(cumulative)
            let ticks = Int64(1 + (shape.rng.next() % 16 == 0 ? 1 : 0))
            builder.sample(
                leafFirst[stack], values: [ticks, ticks * 10_000_000],
                labels: [("endpoint", endpoints[(stack + i % 3) % endpoints.count])])
        }
        try builder.serialized().write(to: URL(fileURLWithPath: path))
    }

    static func writeFolded(_ shapeIn: Shape, lines: Int, to path: String) throws {
        var shape = shapeIn
        let frames = (0..<shape.names.count).map { f in
            "handler_\(f) (shop/mod\(f % 97)/file\(f % 7).py:\(10 + f % 300))"
        }
        let texts = shape.stacks.map { $0.map { frames[$0] }.joined(separator: ";") }
        let cumulative = shape.cumulative
        guard
            let out = FileHandle(forWritingAtPath: path)
                ?? {
                    _ = FileManager.default.createFile(atPath: path, contents: nil)
                    return FileHandle(forWritingAtPath: path)
                }()
        else { throw HeadroomError(.badInput, "cannot write \(path)") }
        var buffer = ""
        for _ in 0..<lines {
            buffer += texts[shape.draw(cumulative)]
            buffer += " \(1 + shape.rng.next() % 3)\n"
            if buffer.utf8.count > 1 << 22 {
                out.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        out.write(Data(buffer.utf8))
        try out.close()
    }
}
