import Foundation
import HeadroomCore
import HeadroomTesting
import Testing

/// Real profilers on real programs, through the built binary: the example service under py-spy, a small C program
/// under `perf record -g`. Also the CLI's contract for bad files: one line, non-zero exit, store unchanged.
@Suite("real profiles through the CLI", .serialized, .ownThreads)
struct RealProfilerTests {
    struct Top: Decodable {
        struct Row: Decodable {
            var function: String
            var file: String?
            var `self`: Double
            var total: Double
            var self_samples: Int64
            var total_samples: Int64
        }
        var total_samples: Int64
        var functions: [Row]
    }

    static func top(_ store: String, _ service: String, by: String = "self") throws -> Top {
        let run = try Checkout.headroom([
            "top", "--store", store, "--service", service, "--by", by, "-n", "50", "--format", "json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode(Top.self, from: Data(run.stdout.utf8))
    }

    /// Checks what must hold of any top: shares are samples over the total, self ≤ total ≤ 1, self shares sum ≤ 1.
    static func checkConsistent(_ top: Top) {
        #expect(top.total_samples > 0)
        var selfSum = 0.0
        for row in top.functions {
            #expect(row.self_samples <= row.total_samples)
            #expect(row.total_samples <= top.total_samples)
            #expect(abs(row.`self` - Double(row.self_samples) / Double(top.total_samples)) < 1e-9)
            selfSum += row.`self`
        }
        #expect(selfSum <= 1 + 1e-9)
    }

    @Test(
        "the example service recorded under py-spy ingests and tops consistently",
        .enabled(if: Shell.which("py-spy") != nil, "py-spy is not installed"))
    func pySpy() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let service = Checkout.root + "/Examples/shop/service"
        let kept = dir.file("shop.folded")
        let run = try Checkout.headroom(
            [
                "record", "--store", store, "--service", "shop", "--rate", "200", "--keep", kept, "--",
                "python3", service + "/load.py", "--seconds", "2",
            ], in: service, timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("under py-spy"))
        let top = try Self.top(store, "shop")
        Self.checkConsistent(top)
        #expect(top.total_samples > 150)
        // py-spy frames keep their file: the shop's functions are named with their module paths.
        #expect(top.functions.contains { $0.file?.hasSuffix("shop/pricing.py") == true })
        let byTotal = try Self.top(store, "shop", by: "total")
        #expect(byTotal.functions.first.map { $0.total > 0.9 } == true)  // the entry point holds nearly everything
        // Re-ingesting what was recorded is a no-op.
        let again = try Checkout.headroom(["ingest", kept, "--store", store, "--service", "shop"])
        #expect(again.stdout.contains("skipped"))
    }

    @Test(
        "a native program recorded under perf record -g ingests, with its hot function first",
        .enabled(if: Shell.which("perf") != nil && Shell.which("gcc") != nil, "perf or gcc is missing"))
    func perfRecord() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let source = try dir.write(
            "spin.c",
            """
            #include <stdio.h>
            __attribute__((noinline)) double hot_loop(long n) { double x = 0; for (long i = 0; i < n; i++) x += i * 0.5; return x; }
            __attribute__((noinline)) double cold_loop(long n) { double x = 0; for (long i = 0; i < n; i++) x += i * 0.25; return x; }
            __attribute__((noinline)) double work(void) { return hot_loop(200000000L) + cold_loop(20000000L); }
            int main(void) { printf("%f\\n", work()); return 0; }
            """)
        let binary = dir.file("spin")
        let compile = try Shell.run(["gcc", "-O0", "-fno-omit-frame-pointer", "-o", binary, source])
        try #require(compile.succeeded, "\(compile.stderr)")
        let probe = try Shell.run(["perf", "record", "-g", "-o", dir.file("probe.data"), "--", "true"])
        try #require(probe.succeeded, "perf cannot record here: \(probe.stderr)")
        let store = dir.file("s.sqlite")
        let run = try Checkout.headroom(
            ["record", "--store", store, "--service", "spin", "--rate", "499", "--", binary], timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("under perf"))
        let top = try Self.top(store, "spin")
        Self.checkConsistent(top)
        let first = try #require(top.functions.first)
        #expect(first.function == "hot_loop")
        #expect(first.file == binary)
        let cold = try #require(top.functions.first { $0.function == "cold_loop" })
        #expect(first.`self` > 3 * cold.`self`)
        let byTotal = try Self.top(store, "spin", by: "total")
        let work = try #require(byTotal.functions.first { $0.function == "work" })
        #expect(work.total_samples >= first.self_samples + cold.self_samples)
    }

    @Test(
        "a bad file is one error line, a non-zero exit, and the store unchanged",
        arguments: [
            "truncated.pb.gz", "junk.bin", "deep.folded", "empty.folded",
        ])
    func badFileLeavesStore(name: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = dir.file("s.sqlite")
        let good = try dir.write("good.folded", "main;work 40\nmain;idle 10\n")
        #expect(try Checkout.headroom(["ingest", good, "--store", store, "--service", "svc", "--at", "0"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let bad = dir.file(name)
        switch name {
        case "truncated.pb.gz":
            let gz = try ProfileFormatTests.sampleProfile().gzipped()
            try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: bad))
        case "junk.bin": try Data([0x00, 0x07, 0xff, 0x10, 0x80, 0x81]).write(to: URL(fileURLWithPath: bad))
        case "deep.folded":
            _ = try dir.write(name, Array(repeating: "f", count: 10_001).joined(separator: ";") + " 1\n")
        default: _ = try dir.write(name, "")
        }
        let run = try Checkout.headroom(["ingest", bad, "--store", store, "--service", "svc", "--at", "60"])
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(lines.first?.contains(bad) == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }
}
