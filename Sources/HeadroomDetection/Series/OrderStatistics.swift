/// Medians without sorting: Hoare's quickselect, in place, on scratch memory the caller owns.
enum OrderStatistics {
    /// The k-th smallest (0-based) of `p[0..<n]`; reorders `p[0..<n]` so that everything before k is ≤ it and
    /// everything after is ≥ it. Expected O(n).
    static func select(_ p: UnsafeMutablePointer<Double>, _ n: Int, _ k: Int) -> Double {
        var lo = 0
        var hi = n - 1
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            if p[mid] < p[lo] { swap(p, mid, lo) }
            if p[hi] < p[lo] { swap(p, hi, lo) }
            if p[hi] < p[mid] { swap(p, hi, mid) }
            let pivot = p[mid]
            var i = lo
            var j = hi
            while i <= j {
                while p[i] < pivot { i += 1 }
                while p[j] > pivot { j -= 1 }
                if i <= j {
                    swap(p, i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                return p[k]
            }
        }
        return p[k]
    }

    /// The median of `p[0..<n]` (mean of the two middle values for even n); reorders the memory. NaN when n is 0.
    static func median(_ p: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
        guard n > 0 else { return .nan }
        let upper = select(p, n, n / 2)
        guard n % 2 == 0 else { return upper }
        var lower = p[0]
        for i in 1..<(n / 2) where p[i] > lower { lower = p[i] }
        return (lower + upper) / 2
    }

    @inline(__always) private static func swap(_ p: UnsafeMutablePointer<Double>, _ i: Int, _ j: Int) {
        let t = p[i]
        p[i] = p[j]
        p[j] = t
    }
}

/// Scratch memory for analysing many series on one thread without allocating per series.
public final class SeriesWorkspace {
    var scratch: UnsafeMutablePointer<Double>
    var clipped: UnsafeMutablePointer<Double>
    var prefix: UnsafeMutablePointer<Double>
    var window: UnsafeMutablePointer<Double>
    private(set) var capacity = 0

    public init() {
        scratch = .allocate(capacity: 1)
        clipped = .allocate(capacity: 1)
        prefix = .allocate(capacity: 2)
        window = .allocate(capacity: 1)
    }

    deinit {
        scratch.deallocate()
        clipped.deallocate()
        prefix.deallocate()
        window.deallocate()
    }

    /// Makes room for series of `n` points.
    func reserve(_ n: Int) {
        guard n > capacity else { return }
        let size = max(n, capacity * 2)
        for pointer in [scratch, clipped, prefix, window] { pointer.deallocate() }
        scratch = .allocate(capacity: size)
        clipped = .allocate(capacity: size)
        prefix = .allocate(capacity: size + 1)
        window = .allocate(capacity: size)
        capacity = size
    }
}
