import Foundation
import HeadroomCore

/// Settings of patch validation.
public struct ValidationConfiguration: Sendable, Equatable {
    /// Timed runs of each side (before the warm-up run).
    public var runs: Int
    public var testTimeout: Double
    public var benchTimeout: Double

    public init(runs: Int = 12, testTimeout: Double = 300, benchTimeout: Double = 120) {
        self.runs = runs
        self.testTimeout = testTimeout
        self.benchTimeout = benchTimeout
    }
}

/// Runs the target's tests and an interleaved A/B benchmark of two checkouts.
public struct Validator: Sendable {
    public var configuration: ValidationConfiguration

    public init(configuration: ValidationConfiguration = ValidationConfiguration()) {
        self.configuration = configuration
    }

    /// Whether the test command passes in `directory`, with the last lines of output when it does not.
    public func runTests(_ command: String, in directory: String) throws -> (passed: Bool, detail: String) {
        let result = try Shell.run(["sh", "-c", command], in: directory, timeout: configuration.testTimeout)
        if result.timedOut { return (false, "tests timed out after \(Int(configuration.testTimeout))s") }
        let tail = (result.stdout + result.stderr).split(separator: "\n").suffix(3).joined(separator: " | ")
        return (result.status == 0, tail)
    }

    /// Times the bench command alternately in `before` and `after` (ABBA order, so drift hits both sides equally),
    /// after one discarded warm-up run each; compares the samples with the Mann–Whitney U test.
    ///
    /// A run's time is the number on the last line of its output when there is one (the benchmark's own timer,
    /// free of interpreter start-up), else the process's wall time.
    public func abBenchmark(_ command: String, before: String, after: String) throws -> ValidationResult {
        _ = try time(command, in: before)
        _ = try time(command, in: after)
        var a: [Double] = []
        var b: [Double] = []
        for round in 0..<configuration.runs {
            if round % 2 == 0 {
                a.append(try time(command, in: before))
                b.append(try time(command, in: after))
            } else {
                b.append(try time(command, in: after))
                a.append(try time(command, in: before))
            }
        }
        let test = MannWhitney.test(a, b)
        let speedup = Descriptive.median(a) / Descriptive.median(b)
        let interval = Bootstrap.medianRatioInterval(before: a, after: b)
        return ValidationResult(
            testsPassed: true, speedup: speedup, ci95: [interval.lower, interval.upper], pValue: test.pValue,
            beforeSeconds: a, afterSeconds: b)
    }

    private func time(_ command: String, in directory: String) throws -> Double {
        let result = try Shell.run(["sh", "-c", command], in: directory, timeout: configuration.benchTimeout)
        guard result.succeeded else {
            let why = result.timedOut ? "timed out" : "exit \(result.status)"
            throw HeadroomError(.validation, "benchmark '\(command)' failed in \(directory) (\(why))")
        }
        let last = result.stdout.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) }
        if let last, let seconds = Double(last), seconds > 0 { return seconds }
        return result.seconds
    }
}
