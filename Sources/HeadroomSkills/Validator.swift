import Foundation
import HeadroomCore

/// Settings of patch validation.
public struct ValidationConfiguration: Sendable, Equatable {
    /// Timed runs of each side per look at the data (after the warm-up run).
    public var runs: Int
    /// Looks at the data: after `runs` runs of each side, then after each further `runs` while the answer is still
    /// open (faster, but not yet significant).
    public var maxLooks: Int
    /// The family-wise significance level, split evenly between the looks (Bonferroni), so looking again does not
    /// raise the chance of surfacing a patch that is not faster.
    public var alpha: Double
    public var testTimeout: Double
    public var benchTimeout: Double
    /// The practical floor (`ValidationResult.minimumSpeedup`): a patch is delivered only when the 95% interval's
    /// lower bound reaches it. 1.03: a gain under 3% is not worth a patch, and is the size of load noise on a busy
    /// machine (a no-gain fixture once measured 1.03×, interval 1.01–1.09, p = 0.003, beside a compiler run).
    public var minimumSpeedup: Double

    public init(
        runs: Int = 12, maxLooks: Int = 3, alpha: Double = 0.05, testTimeout: Double = 300, benchTimeout: Double = 120,
        minimumSpeedup: Double = 1.03
    ) {
        self.minimumSpeedup = minimumSpeedup
        self.runs = runs
        self.maxLooks = max(1, maxLooks)
        self.alpha = alpha
        self.testTimeout = testTimeout
        self.benchTimeout = benchTimeout
    }
}

/// Runs the target's tests and an interleaved A/B benchmark of two checkouts.
public struct Validator: Sendable {
    public var configuration: ValidationConfiguration
    /// Where the commands run (`ValidationSandbox`).
    public var sandbox: ValidationSandbox

    public init(
        configuration: ValidationConfiguration = ValidationConfiguration(),
        sandbox: ValidationSandbox = ValidationSandbox()
    ) {
        self.configuration = configuration
        self.sandbox = sandbox
    }

    /// Whether the test command passes in `directory`, with the last lines of output when it does not.
    public func runTests(_ command: String, in directory: String) throws -> (passed: Bool, detail: String) {
        let result = try sandbox.run(command, in: directory, timeout: configuration.testTimeout)
        if result.timedOut { return (false, "tests timed out after \(Int(configuration.testTimeout))s") }
        let tail = (result.stdout + result.stderr).split(separator: "\n").suffix(3).joined(separator: " | ")
        return (result.status == 0, tail)
    }

    /// Times the bench command alternately in `before` and `after` (ABBA order, so drift hits both sides equally),
    /// after one discarded warm-up run each, and compares the samples with the Mann–Whitney U test and a bootstrap
    /// interval of the ratio of medians.
    ///
    /// A clear answer after `runs` runs of each side ends the measurement; an open one (faster, not yet
    /// significant) earns another `runs` of each, up to `maxLooks` looks, each tested at `alpha / maxLooks`.
    ///
    /// A run's time is the number on the last line of its output when there is one (the benchmark's own timer,
    /// free of interpreter start-up; CPU time, such as Python's `time.process_time()`, keeps other load on the
    /// machine out of it); for Go's `go test -bench`, the `ns/op` of its benchmark lines (summed when there are
    /// several: the statistic benchstat compares); else the process's wall time.
    public func abBenchmark(_ command: String, before: String, after: String) throws -> ValidationResult {
        _ = try time(command, in: before)
        _ = try time(command, in: after)
        return try Self.sequentialAB(configuration) { isBefore in try time(command, in: isBefore ? before : after) }
    }

    /// The interleaved, sequential A/B design over any timer: `measure(true)` times the before side,
    /// `measure(false)` the after side.
    public static func sequentialAB(
        _ configuration: ValidationConfiguration, measure: (_ before: Bool) throws -> Double
    ) rethrows -> ValidationResult {
        var a: [Double] = []
        var b: [Double] = []
        let perLook = configuration.alpha / Double(configuration.maxLooks)
        for look in 1...configuration.maxLooks {
            for _ in 0..<configuration.runs {
                if a.count % 2 == 0 {
                    a.append(try measure(true))
                    b.append(try measure(false))
                } else {
                    b.append(try measure(false))
                    a.append(try measure(true))
                }
            }
            let result = compare(
                before: a, after: b, alpha: perLook, minimumSpeedup: configuration.minimumSpeedup)
            if result.isSignificantGain || isFutile(result) || look == configuration.maxLooks { return result }
        }
        preconditionFailure("maxLooks is at least 1")
    }

    /// A gain large enough to keep measuring for: while the 95% interval still reaches it, a look whose median
    /// shows no gain is too noisy to settle the answer (a 1.46× fix once read 0.96×, interval 0.88–1.67, on a
    /// machine busy with other work).
    public static let futilityBound = 1.5

    /// No gain seen and none worth having still possible: looking again would not change the answer.
    static func isFutile(_ result: ValidationResult) -> Bool {
        result.speedup <= 1 && !((result.ci95.last ?? .nan) >= futilityBound)
    }

    /// Compares the runs of both sides at level `alpha`.
    public static func compare(before a: [Double], after b: [Double], alpha: Double, minimumSpeedup: Double = 1.0)
        -> ValidationResult
    {
        let test = MannWhitney.test(a, b)
        let interval = Bootstrap.medianRatioInterval(before: a, after: b)
        return ValidationResult(
            testsPassed: true, speedup: Descriptive.median(a) / Descriptive.median(b),
            ci95: [interval.lower, interval.upper],
            pValue: test.pValue, beforeSeconds: a, afterSeconds: b, alpha: alpha, minimumSpeedup: minimumSpeedup)
    }

    private func time(_ command: String, in directory: String) throws -> Double {
        let result = try sandbox.run(command, in: directory, timeout: configuration.benchTimeout)
        guard result.succeeded else {
            let why = result.timedOut ? "timed out" : "exit \(result.status)"
            throw HeadroomError(.validation, "benchmark '\(command)' failed in \(directory) (\(why))")
        }
        if let seconds = Self.goBenchmarkSeconds(result.stdout) { return seconds }
        let last = result.stdout.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) }
        if let last, let seconds = Double(last), seconds > 0 { return seconds }
        return result.seconds
    }

    /// The seconds per operation of `go test -bench` output (`BenchmarkX-8   200   5123456 ns/op ...`), summed over
    /// its benchmark lines; nil when there are none.
    public static func goBenchmarkSeconds(_ output: String) -> Double? {
        var total = 0.0
        var found = false
        for line in output.split(separator: "\n") where line.hasPrefix("Benchmark") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let unit = fields.firstIndex(of: "ns/op"), unit > 0, let value = Double(fields[unit - 1]),
                value.isFinite, value > 0
            else { continue }
            total += value
            found = true
        }
        return found ? total / 1e9 : nil
    }
}
