import Testing

@testable import HeadroomProfiles

/// The open-addressing sum table behind call-edge counting, and its radix-sorted output.
@Suite("count table")
struct CountTableTests {
    @Test("sums repeats and lists keys in order, whichever bytes of the keys vary")
    func sortedSums() {
        var generator = SystemRandomNumberGenerator()
        for shape in 0..<4 {
            var table = CountTable(capacity: 4)
            var expected: [UInt64: Int64] = [:]
            for _ in 0..<5_000 {
                let key: UInt64 =
                    switch shape {
                    case 0:
                        UInt64.random(in: 0..<300, using: &generator) << 32 | .random(in: 0..<300, using: &generator)
                    case 1: .random(in: 0...UInt64.max, using: &generator)
                    case 2: 0xdead_0000_0000_0000 | .random(in: 0..<70_000, using: &generator)
                    default: 42
                    }
                let value = Int64.random(in: 1...9, using: &generator)
                table.add(key, value)
                expected[key, default: 0] += value
            }
            let sorted = table.sorted()
            #expect(sorted.map(\.key) == expected.keys.sorted())
            #expect(sorted.allSatisfy { expected[$0.key] == $0.sum })
        }
    }
}
