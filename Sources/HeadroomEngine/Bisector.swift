import Foundation
import HeadroomCore

/// Pinpoint-style confirmation: bisect a commit range with a benchmark command, repeating it at each step and
/// deciding good/bad with a Mann–Whitney U test against both ends.
///
/// The command runs through `sh -c` in a detached worktree (never the user's checkout), under a timeout. Its
/// measurement is the number on its last stdout line when there is one (e.g. seconds of the hot path), else its
/// wall time. Higher is worse.
public struct Bisector: Sendable {
    /// One commit measured during a bisection.
    public typealias Step = BisectStep
    /// What a bisection found.
    public typealias Outcome = BisectOutcome

    /// The benchmark command, run through `sh -c` in the worktree.
    public var command: String
    /// Runs per commit and step (at least 3).
    public var repetitions: Int
    /// The level a step's Mann–Whitney test must reach to call a commit good or bad.
    public var alpha: Double
    /// Seconds before one run is stopped.
    public var timeout: Double

    /// A bisector of `command`; fewer than 3 repetitions are raised to 3.
    public init(command: String, repetitions: Int = 10, alpha: Double = 0.01, timeout: Double = 300) {
        self.command = command
        self.repetitions = max(repetitions, 3)
        self.alpha = alpha
        self.timeout = timeout
    }

    /// Bisects `(good, bad]` along the first-parent line of `repository`.
    public func bisect(repository: String, good: String, bad: String, progress: (String) -> Void = { _ in })
        throws -> Outcome
    {
        let git = try Git(path: repository)
        let line = try git.run(["rev-list", "--first-parent", "--reverse", "\(good)..\(bad)"])
            .split(separator: "\n").map(String.init)
        guard !line.isEmpty else {
            throw HeadroomError(.badInput, "bisect: no commits between \(good.prefix(10)) and \(bad.prefix(10))")
        }
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-bisect-\(UUID().uuidString)")
            .path
        try git.run(["worktree", "add", "-q", "--detach", tree, good])
        defer { _ = try? git.run(["worktree", "remove", "--force", tree]) }

        var samples: [String: [Double]] = [:]
        func measure(_ commit: String, runs: Int) throws -> [Double] {
            var values = samples[commit] ?? []
            guard values.count < runs else { return values }
            _ = try git.run(["-C", tree, "checkout", "-q", "--detach", commit])
            while values.count < runs { values.append(try once(in: tree, commit: commit)) }
            samples[commit] = values
            progress(
                "bisect: \(commit.prefix(10)) median \(format(Descriptive.median(values))) over \(values.count) runs")
            return values
        }
        let goodValues = try measure(good, runs: repetitions)
        let badValues = try measure(bad, runs: repetitions)
        var steps = [
            Step(commit: good, median: Descriptive.median(goodValues), runs: goodValues.count, verdict: "end"),
            Step(commit: bad, median: Descriptive.median(badValues), runs: badValues.count, verdict: "end"),
        ]
        let ends = MannWhitney.test(badValues, goodValues)
        guard ends.pValue < alpha, Descriptive.median(badValues) > Descriptive.median(goodValues) else {
            return Outcome(
                culprit: nil,
                reason: String(
                    format: "the ends do not differ significantly (p = %.3g); nothing to confirm", ends.pValue),
                pValue: ends.pValue, goodMedian: steps[0].median, badMedian: steps[1].median, steps: steps)
        }
        // Invariant: line[lo] is good (or lo == -1, the good end), line[hi] is bad.
        var lo = -1
        var hi = line.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            let commit = line[mid]
            var runs = repetitions
            var verdict: Bool?
            while verdict == nil {
                let values = try measure(commit, runs: runs)
                let low = try measure(lo < 0 ? good : line[lo], runs: runs)
                let high = try measure(line[hi], runs: runs)
                let vsGood = MannWhitney.test(values, low).pValue
                let vsBad = MannWhitney.test(values, high).pValue
                if vsGood < alpha && vsBad >= alpha {
                    verdict = true
                } else if vsBad < alpha && vsGood >= alpha {
                    verdict = false
                } else if runs >= repetitions * 4 {
                    // Still ambiguous: the nearer median decides.
                    let m = Descriptive.median(values)
                    verdict = abs(m - Descriptive.median(high)) < abs(m - Descriptive.median(low))
                } else {
                    runs *= 2
                }
            }
            let values = samples[commit]!
            steps.append(
                Step(
                    commit: commit, median: Descriptive.median(values), runs: values.count,
                    verdict: verdict! ? "bad" : "good"))
            if verdict! { hi = mid } else { lo = mid }
        }
        let culprit = line[hi]
        let before = samples[lo < 0 ? good : line[lo]]!
        let after = samples[culprit]!
        let test = MannWhitney.test(after, before)
        return Outcome(
            culprit: culprit,
            reason: "\(culprit.prefix(10)) is the first commit measuring worse than its predecessor: median "
                + "\(format(Descriptive.median(before))) → \(format(Descriptive.median(after)))"
                + String(format: " (p = %.3g)", test.pValue),
            pValue: test.pValue, goodMedian: Descriptive.median(before), badMedian: Descriptive.median(after),
            steps: steps)
    }

    private func once(in directory: String, commit: String) throws -> Double {
        let result = try Shell.run(["sh", "-c", command], in: directory, timeout: timeout)
        guard result.succeeded else {
            let why = result.timedOut ? "timed out after \(Int(timeout)) s" : "exit \(result.status)"
            throw HeadroomError(.process, "bisect command failed at \(commit.prefix(10)) (\(why))")
        }
        if let last = result.stdout.split(separator: "\n").last.map({ $0.trimmingCharacters(in: .whitespaces) }),
            let value = Double(last), value.isFinite
        {
            return value
        }
        return result.seconds
    }

    private func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
