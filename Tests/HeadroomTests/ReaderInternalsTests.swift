import Foundation
import HeadroomCore
import Testing

@testable import HeadroomProfiles

/// The open-addressing sum table behind call-edge counting, and its radix-sorted output.
@Suite("count table", .ownThreads)
struct CountTableTests {
    @Test("sums repeats and lists keys in order, whichever bytes of the keys vary, the free-slot marker included")
    func sortedSums() {
        var generator = SystemRandomNumberGenerator()
        for shape in 0..<5 {
            var table = CountTable(capacity: 4)
            var expected: [UInt64: Int64] = [:]
            for _ in 0..<5_000 {
                let key: UInt64 =
                    switch shape {
                    case 0:
                        UInt64.random(in: 0..<300, using: &generator) << 32 | .random(in: 0..<300, using: &generator)
                    case 1: .random(in: 0...UInt64.max, using: &generator)
                    case 2: 0xdead_0000_0000_0000 | .random(in: 0..<70_000, using: &generator)
                    // UInt64.max marks a free slot inside the table: it is counted apart, through growth too.
                    case 3: [0, .max, .max - 1, .random(in: 0..<64, using: &generator)].randomElement()!
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

/// The server's cache of folded frame texts.
@Suite("frame cache", .ownThreads)
struct FrameCacheTests {
    static let text = "main (app.py:1);handle (app.py:10);parse (app.py:20) 5\nmain (app.py:1);log (app.py:30) 4\n"

    @Test("a profile read through the cache is the same profile, and the second read finds every frame")
    func sameProfile() throws {
        let cache = FrameCache()
        var options = ProfileReadOptions(format: .folded)
        let plain = try ProfileReader.read(data: Data(Self.text.utf8), source: "a", options: options).profile
        options.frameCache = cache
        let first = try ProfileReader.read(data: Data(Self.text.utf8), source: "a", options: options).profile
        #expect(cache.count == 4)
        let second = try ProfileReader.read(data: Data(Self.text.utf8), source: "a", options: options).profile
        #expect(cache.count == 4)
        for profile in [first, second] {
            #expect(profile.functionCosts() == plain.functionCosts())
            #expect(profile.lineCosts.count == plain.lineCosts.count)
            #expect(Set(profile.frames) == Set(plain.frames))
        }
    }

    @Test("a hash collision is a miss, not another frame; a full cache starts again")
    func collisionsAndLimit() {
        let cache = FrameCache(limit: 2)
        let a = Array("handle (app.py:10)".utf8)
        let b = Array("other (lib.py:5)".utf8)
        a.withUnsafeBytes { cache.store($0, hash: 42, function: FunctionRef(name: "handle", file: "app.py"), line: 10) }
        #expect(a.withUnsafeBytes { cache.lookup($0, hash: 42) }?.function.name == "handle")
        #expect(b.withUnsafeBytes { cache.lookup($0, hash: 42) } == nil)
        b.withUnsafeBytes { cache.store($0, hash: 7, function: FunctionRef(name: "other", file: "lib.py"), line: 5) }
        b.withUnsafeBytes { cache.store($0, hash: 8, function: FunctionRef(name: "other", file: "lib.py"), line: 5) }
        #expect(cache.count == 1)
    }
}
