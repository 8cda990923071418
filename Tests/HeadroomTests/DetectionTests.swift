import HeadroomCore
import HeadroomDetection
import HeadroomTesting
import Testing

@Suite("detection", .ownThreads)
struct DetectionTests {
    /// A series of `length` buckets of `n` samples with share `p` before `step` and `q` from it on.
    func series(_ sampler: inout BinomialSampler, length: Int, n: Int64, p: Double, q: Double, step: Int) -> [Int64] {
        (0..<length).map { sampler.draw(n: n, p: $0 < step ? p : q) }
    }

    @Test("a 20% step of a 5% share with 1,000 samples a bucket is found at the right index")
    func findsStep() {
        var sampler = BinomialSampler(seed: 42)
        let counts = series(&sampler, length: 24, n: 1000, p: 0.05, q: 0.06, step: 12)
        let changes = BinomialSegmenter().changes(counts: counts, totals: Array(repeating: 1000, count: 24))
        #expect(changes.count == 1)
        #expect(abs((changes.first?.index ?? -99) - 12) <= 1)
    }

    @Test("clean binomial series give at most one false change in 500")
    func quietOnCleanSeries() {
        var sampler = BinomialSampler(seed: 9)
        var falseChanges = 0
        for _ in 0..<500 {
            let counts = series(&sampler, length: 24, n: 800, p: 0.1, q: 0.1, step: 0)
            falseChanges += BinomialSegmenter().changes(counts: counts, totals: Array(repeating: 800, count: 24)).count
        }
        #expect(falseChanges <= 1)
    }

    @Test("a single spike is not a change point")
    func ignoresSpike() {
        var sampler = BinomialSampler(seed: 3)
        var counts = series(&sampler, length: 20, n: 1000, p: 0.05, q: 0.05, step: 0)
        counts[10] = 400
        let changes = BinomialSegmenter().changes(counts: counts, totals: Array(repeating: 1000, count: 20))
        let detector = RegressionDetector()
        #expect(detector.withoutTransients(changes).isEmpty)
    }

    @Test("a shift that reverts within the horizon is a transient; one that stays, or reverts later, is kept")
    func transientFilter() {
        func change(_ index: Int, _ before: Double, _ after: Double) -> CountChange {
            CountChange(
                index: index, before: before, after: after, pValue: 1e-9, samplesBefore: 1000,
                samplesAfter: 1000, dispersion: 1)
        }
        let detector = RegressionDetector()
        #expect(detector.withoutTransients([change(10, 0.10, 0.15), change(14, 0.15, 0.10)]).isEmpty)
        #expect(detector.withoutTransients([change(10, 0.10, 0.15)]).count == 1)
        #expect(detector.withoutTransients([change(10, 0.10, 0.15), change(30, 0.15, 0.10)]).count == 2)
        // A second step further up is not a reversion.
        #expect(detector.withoutTransients([change(10, 0.10, 0.15), change(13, 0.15, 0.20)]).count == 2)
    }

    @Test("a 4-bucket bump in noisy data is never reported as a regression")
    func bumpNotReported() {
        var sampler = BinomialSampler(seed: 5)
        let totals = [Int64](repeating: 2000, count: 30)
        let bump = (0..<30).map { sampler.draw(n: 2000, p: (10..<14).contains($0) ? 0.15 : 0.1) }
        let changes = RegressionDetector().withoutTransients(BinomialSegmenter().changes(counts: bump, totals: totals))
        #expect(changes.isEmpty)
    }

    @Test("over-dispersed noise (load-mix drift) does not raise alarms that binomial noise alone would")
    func overDispersion() {
        var sampler = BinomialSampler(seed: 11)
        var falseChanges = 0
        for _ in 0..<200 {
            // Each bucket's true share wanders ±15% around 10%: real profiles vary more than sampling noise.
            let counts = (0..<24).map { _ in sampler.draw(n: 5000, p: 0.1 * (0.85 + 0.3 * sampler.uniform())) }
            falseChanges += BinomialSegmenter().changes(counts: counts, totals: Array(repeating: 5000, count: 24)).count
        }
        #expect(falseChanges <= 2)
    }

    /// A service where `hot` (called by `handler`) rises from 5% to 25% self share at bucket 8, and `other`
    /// keeps its absolute cost (so its share is only diluted).
    func dilutedService(seed: UInt64) -> ServiceSeries {
        var sampler = BinomialSampler(seed: seed)
        let hot = FunctionRef(name: "hot", file: "svc/a.py")
        let other = FunctionRef(name: "other", file: "svc/b.py")
        let handler = FunctionRef(name: "handler", file: "svc/h.py")
        var hotCounts: [Int64] = []
        var otherCounts: [Int64] = []
        var handlerTotal: [Int64] = []
        var totals: [Int64] = []
        for i in 0..<16 {
            // Work units: other = 40, rest = 55, hot = 5 before and 25 after; the share is of the sum.
            let hotWork = i < 8 ? 5.0 : 25.0
            let sum = 40 + 55 + hotWork
            let n: Int64 = 1500
            let h = sampler.draw(n: n, p: hotWork / sum)
            let o = sampler.draw(n: n - h, p: 40 / (sum - hotWork))
            hotCounts.append(h)
            otherCounts.append(o)
            handlerTotal.append(h + sampler.draw(n: n - h - o, p: 0.3))
            totals.append(n)
        }
        return ServiceSeries(
            service: "svc", times: (0..<16).map { Int64($0) * 60 }, totals: totals,
            functions: [
                hot: (hotCounts, hotCounts), other: (otherCounts, otherCounts),
                handler: ([Int64](repeating: 0, count: 16), handlerTotal),
            ],
            callees: [handler: [hot]])
    }

    @Test("one regression is reported once, on the function where the cost landed, with its ancestor as a member")
    func dedupAndDilution() {
        let found = RegressionDetector().detect(dilutedService(seed: 21))
        #expect(found.count == 1)
        #expect(found.first?.function.name == "hot")
        #expect(found.first?.kind == .regression)
        #expect(abs((found.first?.index ?? 0) - 8) <= 1)
        #expect(found.first?.members.contains { $0.function.name == "handler" } == true)
        #expect(!found.contains { $0.function.name == "other" })
    }

    @Test("a real improvement next to a regression is kept (dilution does not hide it)")
    func realImprovementSurvives() {
        var service = dilutedService(seed: 23)
        let other = FunctionRef(name: "other", file: "svc/b.py")
        // Halve other's samples from bucket 8: far more than dilution explains.
        var counts = service.functions[other]!.selfCounts
        for i in 8..<16 { counts[i] /= 3 }
        service.functions[other] = (counts, counts)
        let found = RegressionDetector().detect(service)
        #expect(found.contains { $0.function == other && $0.kind == .improvement })
    }
}
