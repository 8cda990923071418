/// Folds repeated measurements of one build (consecutive rows with the same `build` or `commit` cell) into one
/// observation: their median, at the time and row of the build's first reading.
///
/// Why: CI benchmarks run each build 3–10 times, and builds differ from one another by more than repeats do
/// (machine, code layout, JIT). Read as independent points, the repeats make the noise look √repeats times
/// smaller than the build-to-build noise that a change must beat, so small steps pass as significant. The median
/// also keeps a slow repeat out of the level. The repeats' spread around their build's median is kept: the least
/// noise a build median can have (`noiseFloor`), which protects series with few builds.
struct BuildGrouper {
    /// One observation: the median of a build's readings.
    struct Point: Equatable {
        var row: Int
        var time: Int64?
        var value: Double
    }

    private var key: [UInt8] = []
    private var open = false
    private var values: [Double] = []
    private var firstRow = 0
    private var firstTime: Int64?
    private var deviations: [Double] = []
    private var readings = 0
    private var builds = 0

    /// Whether `build` is the build being collected.
    func isCurrent(_ build: UnsafeBufferPointer<UInt8>) -> Bool {
        open && key.count == build.count && key.withUnsafeBufferPointer { Array($0) == Array(build) }
    }

    /// Adds one reading (nil: a missing value, which still starts or continues its build); returns the previous
    /// build's observation when this reading starts a new build.
    mutating func add(build: UnsafeBufferPointer<UInt8>, row: Int, time: Int64?, value: Double?) -> Point? {
        var finished: Point?
        if !isCurrent(build) {
            finished = close()
            key = Array(build)
            open = true
            firstRow = row
            firstTime = time
        }
        if let value { values.append(value) }
        return finished
    }

    /// Ends the series: the last build's observation, if it had a value.
    mutating func close() -> Point? {
        defer {
            values.removeAll(keepingCapacity: true)
            open = false
        }
        guard open, !values.isEmpty else { return nil }
        values.sort()
        let n = values.count
        let median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2
        if n >= 2 {
            for value in values { deviations.append(abs(value - median)) }
            readings += n
            builds += 1
        }
        return Point(row: firstRow, time: firstTime, value: median)
    }

    /// The least noise of one build's median, from the repeats' pooled spread: `1.2533 · s / √r`, with s the
    /// robust scale (1.4826 × median absolute deviation from the build's median, corrected for the deviation of
    /// 0 that the median itself contributes) and r the mean number of repeats. 0 without repeats.
    func noiseFloor() -> Double {
        guard builds > 0, !deviations.isEmpty else { return 0 }
        var sorted = deviations
        sorted.sort()
        let mad =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let repeats = Double(readings) / Double(builds)
        let scale = 1.4826 * mad * (repeats / max(repeats - 1, 1)).squareRoot()
        return 1.2533 * scale / repeats.squareRoot()
    }

    /// Forgets everything, for the next series.
    mutating func reset() {
        self = BuildGrouper()
    }
}
