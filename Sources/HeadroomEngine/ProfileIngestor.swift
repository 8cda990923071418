import Foundation
import HeadroomCore
import HeadroomProfiles
import HeadroomStore
import Logging

/// Reads profile files and adds them to the store.
public struct ProfileIngestor: Sendable {
    /// The store profiles go to.
    public let store: Store
    /// Each ingest logs its outcome at info (service, file, format, samples, stacks, bucket) and its stage times at
    /// debug.
    public var logger: Logger

    /// An ingestor into `store`, logging each ingest to `logger`.
    public init(store: Store, logger: Logger = EngineLog.disabled("headroom.ingest")) {
        self.store = store
        self.logger = logger
    }

    /// What an ingest did.
    public struct Report: Sendable {
        /// Stored (with its bucket), or a duplicate of content stored before.
        public var outcome: IngestOutcome
        /// The format the file was read as.
        public var format: ProfileFormat
        /// The sample type read (`cpu/nanoseconds`, `cycles/count`, …).
        public var sampleType: String
        /// The samples (weighted by value) the profile holds.
        public var totalSamples: Int64
        /// Its distinct stacks.
        public var uniqueStacks: Int
        /// The time it was stored at, Unix seconds.
        public var time: Int64
        /// Label keys dropped for having too many values.
        public var droppedLabels: [String]
        /// Other event types in the file, left out, with their summed values (one event type per ingest).
        public var skippedSampleTypes: [String: Int64]
        /// The CPU seconds its samples stand for and the wall seconds it covers, where known (cores = their ratio).
        public var cpuSeconds: Double?
        public var wallSeconds: Double?
    }

    /// Streams the file through its parser first, then writes it in one transaction: a bad file leaves the store
    /// unchanged. `time` nil means the profile's own time (pprof `time_nanos`), else now. `labels` go on every
    /// stack (e.g. `version=canary`, the arms `get_experiment` compares).
    @discardableResult
    public func ingest(
        file: String, service: String, at time: Int64? = nil, labels: [Label] = [],
        options: ProfileReadOptions = ProfileReadOptions()
    ) throws -> Report {
        let prepared = try prepare(file: file, service: service, at: time, labels: labels, options: options)
        return finish(prepared, outcome: try store.ingest(prepared.contribution))
    }

    /// Reads a profile file and aggregates it, without storing it (team mode stores it in PostgreSQL); a bad file
    /// throws.
    public func prepare(
        file: String, service: String, at time: Int64? = nil, labels: [Label] = [],
        options: ProfileReadOptions = ProfileReadOptions()
    ) throws -> Prepared {
        try prepare(source: file, service: service, at: time, labels: labels, identity: "", options: options) {
            try ProfileReader.read(file: file, options: options)
        }
    }

    /// A profile held in memory (a push to the server); `source` names it in errors and in the store, `labels` go
    /// on every stack. Written in one transaction, like a file.
    @discardableResult
    /// `identity` (e.g. the push's time window) is part of what makes it a duplicate: the same bytes pushed for two
    /// windows are two profiles, the same push sent twice is one.
    public func ingest(
        data: Data, source: String, service: String, at time: Int64? = nil, labels: [Label] = [],
        identity: String = "", options: ProfileReadOptions = ProfileReadOptions()
    ) throws -> Report {
        let prepared = try prepare(
            data: data, source: source, service: service, at: time, labels: labels, identity: identity,
            options: options)
        return finish(prepared, outcome: try store.ingest(prepared.contribution))
    }

    /// A profile read and aggregated, not yet stored: the server parses requests side by side and commits them
    /// together (`Store.ingest(batch:)`), then `finish`es each.
    public struct Prepared: Sendable {
        /// The stacks, functions and lines to store.
        public var contribution: ProfileContribution
        var format: ProfileFormat
        var stacks: Int
        var droppedLabels: [String]
        var skippedSampleTypes: [String: Int64]
        var started: ContinuousClock.Instant
        var parseTime: Duration
        var aggregateTime: Duration
    }

    /// Reads a profile held in memory and aggregates it, without storing it; a bad profile throws.
    public func prepare(
        data: Data, source: String, service: String, at time: Int64? = nil, labels: [Label] = [],
        identity: String = "", options: ProfileReadOptions = ProfileReadOptions()
    ) throws -> Prepared {
        try prepare(source: source, service: service, at: time, labels: labels, identity: identity, options: options) {
            try ProfileReader.read(data: data, source: source, options: options)
        }
    }

    private func prepare(
        source file: String, service: String, at time: Int64?, labels: [Label], identity: String,
        options: ProfileReadOptions, read reader: () throws -> ReadProfile
    ) throws -> Prepared {
        let clock = ContinuousClock()
        let started = clock.now
        let read = try reader()
        let parsed = clock.now
        var profile = read.profile
        profile.addLabels(labels)
        Self.applyMeasures(&profile, options)
        let when = time ?? profile.time ?? Timestamps.now()
        let contribution = ProfileContribution(
            service: service, time: when,
            contentHash: Self.identityHash(read.contentHash, labels: labels, identity: identity),
            format: read.format.rawValue, source: file,
            totalSamples: profile.totalSamples, profile: profile)
        return Prepared(
            contribution: contribution, format: read.format, stacks: profile.stacks.count,
            droppedLabels: read.droppedLabels, skippedSampleTypes: profile.skippedSampleTypes, started: started,
            parseTime: parsed - started, aggregateTime: clock.now - parsed)
    }

    /// What the caller knows about a profile that its file does not say: the sampling rate (for sample counts) and
    /// the wall time covered. What the file says wins.
    static func applyMeasures(_ profile: inout StackProfile, _ options: ProfileReadOptions) {
        if profile.cpuSeconds == nil, let rate = options.sampleRate, rate > 0, rate.isFinite,
            profile.sampleType == "samples/count"
        {
            profile.cpuSeconds = Double(profile.totalSamples) / rate
        }
        if profile.wallSeconds == nil, let duration = options.duration, duration > 0, duration.isFinite {
            profile.wallSeconds = duration
        }
    }

    /// Logs a stored (or duplicate) profile and reports it.
    public func finish(_ prepared: Prepared, outcome: IngestOutcome) -> Report {
        let contribution = prepared.contribution
        var metadata: Logger.Metadata = [
            "service": "\(contribution.service)", "file": "\(contribution.source)",
            "format": "\(prepared.format.rawValue)", "samples": "\(contribution.totalSamples)",
            "stacks": "\(prepared.stacks)", "seconds": EngineLog.seconds(since: prepared.started),
        ]
        switch outcome {
        case .ingested(let bucket): metadata["bucket"] = "\(Timestamps.format(bucket))"
        case .duplicate: metadata["duplicate"] = "true"
        }
        logger.info("ingested", metadata: metadata)
        logger.debug(
            "ingest stages",
            metadata: [
                "file": "\(contribution.source)", "read_parse": "\(prepared.parseTime)",
                "aggregate": "\(prepared.aggregateTime)",
                "store": "\(ContinuousClock.now - prepared.started - prepared.parseTime - prepared.aggregateTime)",
            ])
        return Report(
            outcome: outcome, format: prepared.format, sampleType: contribution.sampleType,
            totalSamples: contribution.totalSamples, uniqueStacks: prepared.stacks, time: contribution.time,
            droppedLabels: prepared.droppedLabels, skippedSampleTypes: prepared.skippedSampleTypes,
            cpuSeconds: contribution.cpuSeconds, wallSeconds: contribution.wallSeconds)
    }
}

extension ProfileIngestor {
    /// The content hash, or, with labels or an identity, a hash of all three.
    static func identityHash(_ content: String, labels: [Label], identity: String) -> String {
        guard !labels.isEmpty || !identity.isEmpty else { return content }
        let text = ([content, identity] + labels.sorted().map(\.description)).joined(separator: "\n")
        return SHA256.hex(Array(text.utf8))
    }
}

extension ProfileContribution {
    /// A contribution carrying a parsed profile's function costs, call edges and stacks.
    public init(
        service: String, time: Int64, contentHash: String, format: String, source: String, totalSamples: Int64,
        profile: StackProfile
    ) {
        // Function costs and call edges are independent walks over the stacks: do them on two cores. Both stay
        // indexed by frame, so no function name is hashed on the way to the store.
        let grouped = profile.grouped()
        let results = ConcurrentPair(
            {
                profile.frameCosts(grouped).enumerated().compactMap { frame, cost in
                    cost.totalSamples > 0 || cost.selfSamples > 0
                        ? (frame: Int32(frame), selfSamples: cost.selfSamples, totalSamples: cost.totalSamples) : nil
                }
            },
            { profile.frameEdges(grouped) })
        self.init(
            service: service, time: time, contentHash: contentHash, format: format, source: source,
            totalSamples: totalSamples, frames: profile.frames, functions: results.first, edges: results.second)
        sampleType = profile.sampleType
        labelSets = profile.labelSets.map { $0.labels.map { (key: $0.key, value: $0.value) } }
        uniqueStacks = grouped.stacks
        lines = profile.lineCosts.map { ($0.frame, $0.line, $0.selfSamples, $0.totalSamples) }
        stacks = grouped.rows
        cpuSeconds = profile.cpuSeconds
        wallSeconds = profile.wallSeconds
    }
}

/// Runs two closures at once and keeps both results.
struct ConcurrentPair<A: Sendable, B: Sendable> {
    let first: A
    let second: B

    init(_ a: @Sendable () -> A, _ b: @Sendable () -> B) {
        nonisolated(unsafe) var x: A?
        nonisolated(unsafe) var y: B?
        withoutActuallyEscaping(a) { a in
            withoutActuallyEscaping(b) { b in
                let work = (a, b)
                DispatchQueue.concurrentPerform(iterations: 2) { index in
                    if index == 0 { x = work.0() } else { y = work.1() }
                }
            }
        }
        first = x!
        second = y!
    }
}
