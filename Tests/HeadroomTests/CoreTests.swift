import Foundation
import HeadroomCore
import HeadroomTesting
import Testing

@Suite("core: statistics, hashing, settings", .ownThreads)
struct CoreTests {
    @Test("Mann–Whitney U matches scipy's asymptotic test with continuity correction")
    func mannWhitneyMatchesScipy() {
        let r1 = MannWhitney.test(
            [1.1, 1.3, 1.2, 1.5, 1.4, 1.25, 1.35, 1.6], [1.0, 0.9, 1.05, 1.2, 0.95, 1.1, 0.85, 1.15])
        #expect(r1.u == 61)
        #expect(abs(r1.pValue - 0.002721949029184541) < 1e-9)
        let r2 = MannWhitney.test([3, 3, 4, 5, 5, 5, 6], [1, 2, 3, 3, 4, 4])
        #expect(r2.u == 35)
        #expect(abs(r2.pValue - 0.047917360846814736) < 1e-9)
    }

    @Test("the bootstrap interval of a 2× speed-up covers 2 and excludes 1")
    func bootstrapCoversTruth() {
        var rng = SplitMix64(seed: 7)
        let before = (0..<15).map { _ in 0.2 + Double(rng.next() % 1000) / 100_000 }
        let after = before.map { $0 / 2 }
        let ci = Bootstrap.medianRatioInterval(before: before, after: after)
        #expect(ci.lower <= 2 && ci.upper >= 2)
        #expect(ci.lower > 1.5)
    }

    @Test("F(1, d) tail equals the two-sided Student-t p-value (scipy reference)")
    func fDistribution() {
        // scipy.stats.f.sf(4.0, 1, 10) and f.sf(10.0, 1, 22)
        #expect(abs(Distributions.f1SF(4.0, denominatorDF: 10) - 0.07338803477074037) < 1e-9)
        #expect(abs(Distributions.f1SF(10.0, denominatorDF: 22) - 0.004515546789788391) < 1e-9)
        #expect(abs(Distributions.chiSquared1SF(3.841458820694124) - 0.05) < 1e-9)
    }

    @Test(
        "SHA-256 matches FIPS 180-4 test vectors",
        arguments: [
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
        ])
    func sha256(input: String, digest: String) {
        #expect(SHA256.hex(Array(input.utf8)) == digest)
    }

    @Test("headroom.toml gives service and commands; malformed lines name their line number")
    func settings() throws {
        let parsed = try ProjectSettings.parse(
            """
            # comment
            [service]
            name = "shop"   # trailing
            language = 'python'
            [commands]
            test = "python3 -m pytest -q \\"x\\""
            bench = "python3 bench.py"
            """)
        #expect(parsed.serviceName == "shop")
        #expect(parsed.language == "python")
        #expect(parsed.testCommand == "python3 -m pytest -q \"x\"")
        #expect(parsed.benchCommand == "python3 bench.py")
        #expect(errorCode { _ = try ProjectSettings.parse("[service]\nname shop") } == .config)
        do {
            _ = try ProjectSettings.parse("[service]\nname = shop")
        } catch let error as HeadroomError {
            #expect(error.message.contains(":2:"))
        }
    }

    @Test("timestamps parse ISO-8601 and Unix seconds and print ISO-8601 UTC")
    func timestamps() {
        #expect(Timestamps.parse("2026-11-02T08:00:00Z") == 1_793_606_400)
        #expect(Timestamps.parse("1793606400") == 1_793_606_400)
        #expect(Timestamps.parse("2026-11-02T09:00:00+01:00") == 1_793_606_400)
        #expect(Timestamps.parse("yesterday") == nil)
        #expect(Timestamps.format(1_793_606_400) == "2026-11-02T08:00:00Z")
    }

    @Test("profile paths match repository paths on a / boundary only")
    func pathMatching() {
        let frame = FunctionRef(name: "apply_discounts", file: "shop/pricing.py")
        #expect(frame.matches(name: "apply_discounts", path: "shop/pricing.py"))
        #expect(FunctionRef(name: "f", file: "/srv/app/shop/pricing.py").matches(name: "f", path: "shop/pricing.py"))
        #expect(!FunctionRef(name: "f", file: "xshop/pricing.py").matches(name: "f", path: "shop/pricing.py"))
        #expect(!frame.matches(name: "price_cart", path: "shop/pricing.py"))
        #expect(FunctionRef(name: "Cart.lines", file: "shop/cart.py").matches(name: "Cart.lines", path: "shop/cart.py"))
    }
}
