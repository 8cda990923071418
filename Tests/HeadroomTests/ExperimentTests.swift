import Foundation
import HeadroomCore
@testable import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

/// `get_experiment` / `headroom experiment`: profiles compared by label, per function, with significance, and the
/// canary check of a fix.
@Suite("experiments by label", .ownThreads)
struct ExperimentTests {
    /// One minute of one arm: `price` (the fixed function), `compile` (where a fix may move the cost) and `other`.
    static func push(_ store: Store, arm: String, minute: Int, price: Int, compile: Int = 20, other: Int = 700)
        throws
    {
        let start = Int64(1_800_000_000) + Int64(minute) * 60
        _ = try ProfileIngestor(store: store).ingest(
            data: Data("main;price \(price)\nmain;price;compile \(compile)\nmain;other \(other)\n".utf8),
            source: "\(arm)-\(minute).folded", service: "shop", at: start, labels: [Label(key: "version", value: arm)])
    }

    @Test("a fix that works passes; the shares, bucket counts and p-values come from the pushes")
    func pass() throws {
        let store = try Store.open(path: ":memory:")
        for minute in 0..<5 {
            try Self.push(store, arm: "stable", minute: minute, price: 250 + minute)
            try Self.push(store, arm: "canary", minute: minute, price: 120 + minute)
        }
        let report = try ExperimentService(store: store).compare(
            service: "shop", key: "version", control: "stable", treatment: "canary", function: "price")
        #expect(report.controlBuckets == 5 && report.treatmentBuckets == 5 && report.test == "mann-whitney")
        var pushed: Int64 = 0
        for minute in 0..<5 { pushed += Int64(250 + minute) + 20 + 700 }
        #expect(report.controlSamples == pushed)
        let target = try #require(report.target)
        // Pooled self share of price in each arm, recomputed from the pushes.
        let stablePrice = 250 * 5 + 10  // 250 + 251 + ... + 254
        let canaryPrice = 120 * 5 + 10
        let stable = Double(stablePrice) / Double(report.controlSamples)
        let canary = Double(canaryPrice) / Double(report.treatmentSamples)
        #expect(abs(target.controlShare - stable) < 1e-12 && abs(target.treatmentShare - canary) < 1e-12)
        #expect(target.direction == "improvement" && target.pValue < 0.05)
        #expect(report.verdict == "pass")
        // Every bucket of one arm below every bucket of the other: the exact two-sided p of 5 against 5.
        #expect(abs(target.pValue - MannWhitney.test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).pValue) < 1e-12)
    }

    @Test("a fix that moves the cost into a callee fails; too few buckets is inconclusive; a regression fails")
    func failAndInconclusive() throws {
        let store = try Store.open(path: ":memory:")
        for minute in 0..<4 {
            try Self.push(store, arm: "stable", minute: minute, price: 250 + minute, compile: 20 + minute)
            // price's self share falls by ~0.12, compile's rises by ~0.2: the work moved.
            try Self.push(store, arm: "canary", minute: minute, price: 130 + minute, compile: 220 + minute)
        }
        let moved = try ExperimentService(store: store).compare(
            service: "shop", key: "version", control: "stable", treatment: "canary", function: "price")
        #expect(moved.verdict == "fail")
        #expect(moved.reasons.first?.contains("compile") == true)
        #expect(moved.functions.first?.function == "compile" && moved.functions.first?.direction == "regression")

        let few = try Store.open(path: ":memory:")
        try Self.push(few, arm: "stable", minute: 0, price: 250)
        try Self.push(few, arm: "canary", minute: 0, price: 120)
        let thin = try ExperimentService(store: few).compare(
            service: "shop", key: "version", control: "stable", treatment: "canary", function: "price")
        #expect(thin.test == "proportions" && thin.verdict == "inconclusive")

        let worse = try Store.open(path: ":memory:")
        for minute in 0..<4 {
            try Self.push(worse, arm: "stable", minute: minute, price: 120 + minute)
            try Self.push(worse, arm: "canary", minute: minute, price: 250 + minute)
        }
        let regressed = try ExperimentService(store: worse).compare(
            service: "shop", key: "version", control: "stable", treatment: "canary", function: "price")
        #expect(regressed.verdict == "fail" && regressed.target?.direction == "regression")
        // Without a target: the regressions are the verdict.
        let open = try ExperimentService(store: worse).compare(
            service: "shop", key: "version", control: "stable", treatment: "canary")
        #expect(open.verdict == "regressions" && open.target == nil)
    }

    @Test("an arm without profiles, or the same value twice, is one clear error")
    func refusals() throws {
        let store = try Store.open(path: ":memory:")
        try Self.push(store, arm: "stable", minute: 0, price: 250)
        #expect(throws: HeadroomError.self) {
            try ExperimentService(store: store).compare(
                service: "shop", key: "version", control: "stable", treatment: "canary")
        }
        #expect(throws: HeadroomError.self) {
            try ExperimentService(store: store).compare(
                service: "shop", key: "version", control: "stable", treatment: "stable")
        }
    }

    @Test("Benjamini–Hochberg q-values")
    func benjaminiHochberg() {
        // Hand-computed: sorted p 0.01, 0.02, 0.03, 0.5 → 0.04, 0.04, 0.04, 0.5 (monotone from the top).
        let q = ExperimentService.benjaminiHochberg([0.03, 0.5, 0.01, 0.02])
        #expect(zip(q, [0.04, 0.5, 0.04, 0.04]).allSatisfy { abs($0 - $1) < 1e-12 })
    }
}
