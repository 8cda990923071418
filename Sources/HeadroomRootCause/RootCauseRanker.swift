import Foundation
import HeadroomCore

/// A change that went live around a regression's onset.
public struct LiveChange: Sendable {
    public var commit: Commit
    /// When it went live: its deploy's time, or its commit time for a configuration change.
    public var liveAt: Int64
    /// The deploy that made it live and how many commits that deploy carried; nil for configuration changes.
    public var deploy: Deploy?
    public var deploySize: Int
    public init(commit: Commit, liveAt: Int64, deploy: Deploy?, deploySize: Int) {
        self.commit = commit
        self.liveAt = liveAt
        self.deploy = deploy
        self.deploySize = deploySize
    }
}

/// Everything ranking needs about one regression.
public struct RootCauseContext: Sendable {
    public var regression: Regression
    /// Width of a profile bucket (seconds): the onset lies in (previousTimestamp, timestamp + bucketSeconds].
    public var bucketSeconds: Int64
    public var changes: [LiveChange]
    /// Deploys of the service whose commits are not imported: candidates on timing alone.
    public var opaqueDeploys: [Deploy]
    /// The stacks before and after the onset, when profiles hold them.
    public var attribution: StackAttribution?
    /// Source text of the regressed function and of the functions on its rising stacks (for configuration keys).
    public var code: [FunctionRef: String]

    /// The onset window: the change happened after the last bucket before it started and before the first bucket
    /// after it ended, so (previousTimestamp, timestamp + bucketSeconds].
    public static func onsetWindow(_ regression: Regression, bucketSeconds: Int64) -> (start: Int64, end: Int64) {
        (regression.previousTimestamp, regression.timestamp + bucketSeconds)
    }

    public init(
        regression: Regression, bucketSeconds: Int64, changes: [LiveChange], opaqueDeploys: [Deploy] = [],
        attribution: StackAttribution? = nil, code: [FunctionRef: String] = [:]
    ) {
        self.regression = regression
        self.bucketSeconds = bucketSeconds
        self.changes = changes
        self.opaqueDeploys = opaqueDeploys
        self.attribution = attribution
        self.code = code
    }
}

/// Ranks the changes made live around a regression's onset: commits shipped by the service's deploys, configuration
/// commits, and deploys whose commits are unknown.
///
/// Each candidate gets features in [0, 1] and the score `Σ wᵢ·fᵢ` (weights in `Weights.standard`):
/// - `attribution`: the largest share of the regression's added samples on stacks through one function the change
///   touched, times how evenly that function's callers rose (`StackAttribution`). Falls back to `touch` when no
///   stacks are stored.
/// - `touch`: 1 when it changed the regressed function; Δmember/Δlead when it changed another function of the same
///   event.
/// - `stack`: it changed a caller or callee on the rising stacks.
/// - `file`: it touched the regressed function's file (1), a file on the rising stacks (0.5), or its directory (0.25).
/// - `time`: 1 when it went live inside the onset window, decaying by one window width outside it.
/// - `service`: the deploy reached the regressed service (1), or a configuration change not tagged for a service
///   (0.5).
/// - `content`: the touched functions gained code that typically costs CPU (logging, serialisation, regexes, loops,
///   copies, exceptions) or lost a cache; 1 when a frame on the rising stacks shows that kind of work.
/// - `config`: it changed a configuration key that the regressed code reads (0.1 for keys nothing there reads);
///   the reading function then counts as touched for `attribution`.
/// - `size`: log₁₀(lines changed)/3.
///
/// The confidence is the candidate's softmax share of all scores (temperature 0.08): close scores split it.
public struct RootCauseRanker: Sendable {
    public struct Weights: Sendable, Codable, Equatable {
        public var attribution, touch, stack, file, time, service, content, config, size: Double
        /// Chosen by hand on seeds 1–5 of `Benchmarks/rootcause` and checked on seeds 101–120, never tuned on. The
        /// ablation there (`ablate.py`): attribution, content and config carry the accuracy (top-1 falls to
        /// 0.79/0.71/0.81 without each); time breaks the remaining ties; touch alone would get 0.34.
        /// `ablate.py` holds a copy of these numbers: change both together.
        public static let standard = Weights(
            attribution: 0.40, touch: 0.10, stack: 0.05, file: 0.05, time: 0.20, service: 0.05, content: 0.10,
            config: 0.30, size: 0.02)
        public var byName: [String: Double] {
            [
                "attribution": attribution, "touch": touch, "stack": stack, "file": file, "time": time,
                "service": service, "content": content, "config": config, "size": size,
            ]
        }
    }

    public var weights: Weights
    public var temperature = 0.08

    public init(weights: Weights = .standard) { self.weights = weights }

    /// Candidates, best first.
    public func rank(_ context: RootCauseContext) -> [RootCauseCandidate] {
        let scorer = CandidateScorer(context: context)
        var candidates =
            context.changes.map { scorer.score($0) }
            + context.opaqueDeploys.map { scorer.score(opaque: $0) }
        for i in candidates.indices {
            candidates[i].score =
                (weights.byName.reduce(0) { $0 + $1.value * (candidates[i].features[$1.key] ?? 0) }
                * 1000).rounded() / 1000
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.ref < $1.ref }
        let top = candidates.first?.score ?? 0
        let mass = candidates.reduce(0) { $0 + exp(($1.score - top) / temperature) }
        for i in candidates.indices {
            candidates[i].confidence = (exp((candidates[i].score - top) / temperature) / mass * 1000).rounded() / 1000
        }
        return candidates
    }
}
