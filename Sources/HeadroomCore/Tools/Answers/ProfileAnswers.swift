// The answers of the profile and regression tools (`list_services`, `list_regressions`, `get_regression`,
// `query_profile` mode `flame`).
// Conventions for every answer (keys, nulls, times) are on ToolSignature, in ../ToolName.swift.

/// `list_services`: the services with profiles in the store.
public struct ServiceList: Codable, Sendable, Equatable {
    /// One service's coverage.
    public struct Entry: Codable, Sendable, Equatable {
        /// The service's name, as ingest named it.
        public var service: String
        /// Samples stored for it, all buckets together.
        public var samples: Int64
        /// The first and last bucket's start, ISO-8601 UTC.
        public var from: String
        /// The last bucket's start, ISO-8601 UTC.
        public var to: String
        /// Buckets that hold its samples.
        public var buckets: Int

        /// One service's coverage from its fields.
        public init(service: String, samples: Int64, from: String, to: String, buckets: Int) {
            self.service = service
            self.samples = samples
            self.from = from
            self.to = to
            self.buckets = buckets
        }
    }

    /// The services, by name.
    public var services: [Entry]

    /// The list of `services`.
    public init(services: [Entry]) { self.services = services }
}

/// `list_regressions`: detected regressions and improvements, largest change first.
public struct RegressionList: Codable, Sendable, Equatable {
    /// The regressions (and improvements), largest change in share first.
    public var regressions: [RegressionReport]

    /// The list of `regressions`.
    public init(regressions: [RegressionReport]) { self.regressions = regressions }
}

/// `get_regression`: one regression (the same fields as ``RegressionReport``) and, when it was ranked before, its
/// stored root-cause candidates in the shape ``RootCauseReport`` uses.
public struct RegressionDetail: Codable, Sendable {
    /// The regression, as `list_regressions` shows it.
    public var regression: RegressionReport
    /// Its stored ranking, best first; empty until `rank_root_causes` ran.
    public var candidates: [RootCauseReport.Candidate]

    enum CodingKeys: String, CodingKey { case candidates }

    /// A regression and its stored candidates.
    public init(regression: RegressionReport, candidates: [RootCauseReport.Candidate]) {
        self.regression = regression
        self.candidates = candidates
    }

    /// The regression's fields and `candidates` side by side in one object.
    public init(from decoder: any Decoder) throws {
        regression = try RegressionReport(from: decoder)
        candidates = try decoder.container(keyedBy: CodingKeys.self).decode(
            [RootCauseReport.Candidate].self, forKey: .candidates)
    }

    /// Writes the regression's fields and `candidates` into one object.
    public func encode(to encoder: any Encoder) throws {
        try regression.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(candidates, forKey: .candidates)
    }
}

/// `query_profile` with `mode: flame`: the heaviest stacks, root first.
public struct FlameReport: Codable, Sendable, Equatable {
    /// One stack and its samples.
    public struct Stack: Codable, Sendable, Equatable {
        /// Frame names, root first, joined by `;` (folded format).
        public var frames: String
        /// Samples whose stack is exactly this one.
        public var samples: Int64

        /// One stack from its frames (root first, `;`-joined) and samples.
        public init(frames: String, samples: Int64) {
            self.frames = frames
            self.samples = samples
        }
    }

    /// Samples in the range, all stacks together (the stacks listed are the heaviest only).
    public var totalSamples: Int64
    /// The heaviest stacks, most samples first.
    public var stacks: [Stack]

    enum CodingKeys: String, CodingKey {
        case stacks
        case totalSamples = "total_samples"
    }

    /// A flame answer from the range's total and its heaviest stacks.
    public init(totalSamples: Int64, stacks: [Stack]) {
        self.totalSamples = totalSamples
        self.stacks = stacks
    }
}
