import Foundation
import HeadroomCore

/// Ranks the commits made live around a regression's onset.
///
/// Candidates are the commits of every deploy inside the onset window `(previous bucket, onset bucket end]`, plus
/// the deploy just before and just after it (the window's uncertainty: a deploy rolls out over minutes and a bucket
/// can straddle it). Each commit gets
///
///     score = 0.55·overlap + 0.15·same_file + 0.20·timing + 0.10·content
///
/// - overlap: 1 when it changed the function carrying the rise, Δmember/Δlead when it changed another function whose
///   self share rose in the same event, 0.5 when it changed an ancestor on the regressed stacks, else 0;
/// - same_file: it touched the regressed function's file;
/// - timing: 1 inside the window, 0.3 for the neighbouring deploys;
/// - content: its added lines hold code that typically costs CPU (logging, formatting, serialisation, regexes, loops).
///
/// Overlap dominates because Meta's experience (and ours) is that correlating regressed functions with changed
/// functions is the strongest single signal; timing alone cannot split commits shipped in one deploy.
public struct RootCauseRanker: Sendable {
    /// How wide a bucket is, to close the onset window.
    public var bucketSeconds: Int64

    public init(bucketSeconds: Int64 = 60) { self.bucketSeconds = bucketSeconds }

    static let costlyPatterns = [
        "logger.", "logging.", "log.debug", "print(", "json.dumps", "json.loads", "re.compile", "re.match",
        "re.search", "re.sub", "for ", "while ", "sorted(", "deepcopy", "pickle", "format(", "f\"", "%",
    ]

    /// Candidates, best first.
    /// - Parameters:
    ///   - commits: the repository's commits, oldest first.
    ///   - deploys: the service's deploys, oldest first.
    public func rank(regression: Regression, commits: [Commit], deploys: [Deploy]) -> [RootCauseCandidate] {
        let position = Dictionary(commits.enumerated().map { ($1.sha, $0) }, uniquingKeysWith: { a, _ in a })
        let windowStart = regression.previousTimestamp
        let windowEnd = regression.timestamp + bucketSeconds
        let ordered = deploys.sorted { $0.time < $1.time }
        var chosen: [(deploy: Deploy, timing: Double, index: Int)] = ordered.indices
            .filter { ordered[$0].time > windowStart && ordered[$0].time <= windowEnd }
            .map { (ordered[$0], 1.0, $0) }
        if let before = ordered.indices.last(where: { ordered[$0].time <= windowStart }) {
            chosen.insert((ordered[before], 0.3, before), at: 0)
        }
        if let after = ordered.indices.first(where: { ordered[$0].time > windowEnd }) {
            chosen.append((ordered[after], 0.3, after))
        }
        var candidates: [RootCauseCandidate] = []
        for entry in chosen {
            guard let end = position[entry.deploy.commit] else { continue }
            let previous = entry.index > 0 ? ordered[entry.index - 1].commit : nil
            let start = previous.flatMap { position[$0] }.map { $0 + 1 } ?? 0
            guard start <= end else { continue }
            for commit in commits[start...end] {
                candidates.append(score(commit, regression: regression, deploy: entry.deploy, timing: entry.timing,
                                        window: (windowStart, windowEnd)))
            }
        }
        return candidates.sorted { $0.score != $1.score ? $0.score > $1.score : $0.ref < $1.ref }
    }

    func score(_ commit: Commit, regression: Regression, deploy: Deploy, timing: Double, window: (Int64, Int64))
        -> RootCauseCandidate
    {
        let lead = regression.function
        let leadDelta = max(regression.after - regression.before, 1e-12)
        var overlap = 0.0
        var touched: [ChangedFunction] = []
        var reasons: [String] = []
        for changed in commit.functions {
            if lead.matches(name: changed.name, path: changed.file) {
                overlap = max(overlap, 1)
                touched.append(changed)
                reasons.append(
                    "\(short(commit.sha)) (\(commit.author)) changed `\(changed.name)` in \(changed.file), the function "
                        + "that carries the rise (\(metricName(regression.metric)) share \(percent(regression.before)) → "
                        + "\(percent(regression.after)))")
            } else if let member = regression.members.first(where: {
                $0.function.matches(name: changed.name, path: changed.file)
            }) {
                let weight = member.metric == .selfShare
                    ? min(1, max(0, (member.after - member.before) / leadDelta)) : 0.5
                overlap = max(overlap, weight)
                touched.append(changed)
                reasons.append(
                    "\(short(commit.sha)) (\(commit.author)) changed `\(changed.name)` in \(changed.file), which is on the "
                        + "regressed stacks (\(metricName(member.metric)) share \(percent(member.before)) → "
                        + "\(percent(member.after)))")
            }
        }
        let sameFile = lead.file.map { file in commit.files.contains { FunctionRef.pathsMatch($0, file) } } ?? false
        if overlap == 0, sameFile, let file = lead.file {
            reasons.append("\(short(commit.sha)) touched \(file), the regressed function's file, but not `\(lead.name)`")
        }
        let costly = Self.costlyPatterns.first { pattern in
            commit.addedText.split(separator: "\n").contains { $0.contains(pattern) }
        }
        let contentLine = costly.flatMap { pattern in
            commit.addedText.split(separator: "\n").first { $0.contains(pattern) }
        }
        if let contentLine, overlap > 0 {
            reasons.append("added code: `\(contentLine.trimmingCharacters(in: .whitespaces).prefix(100))`")
        }
        reasons.append(
            "deployed \(Timestamps.format(deploy.time)); onset between \(Timestamps.format(regression.previousTimestamp)) "
                + "and \(Timestamps.format(regression.timestamp))" + (timing < 1 ? " (a neighbouring deploy)" : ""))
        let score = 0.55 * overlap + 0.15 * (sameFile ? 1 : 0) + 0.20 * timing + 0.10 * (costly == nil ? 0 : 1)
        return RootCauseCandidate(
            kind: .commit, ref: commit.sha, author: commit.author, email: commit.email, message: commit.message,
            score: (score * 1000).rounded() / 1000, evidence: reasons, functions: touched)
    }

    private func short(_ sha: String) -> String { String(sha.prefix(7)) }
    private func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
    private func metricName(_ metric: CostMetric) -> String { metric == .selfShare ? "self" : "total" }
}
