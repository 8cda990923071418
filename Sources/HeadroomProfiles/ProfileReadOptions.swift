import Foundation
import HeadroomCore

/// The profile formats Headroom reads.
public enum ProfileFormat: String, Sendable, CaseIterable {
    /// google/pprof protobuf, gzip-compressed or not.
    case pprof
    /// Folded stacks `a;b;c N`: py-spy `-f raw`, stackcollapse, async-profiler collapsed, Pyroscope.
    case folded
    /// `perf script` text.
    case perf
}

/// How to read a profile.
public struct ProfileReadOptions: Sendable {
    /// Force a format instead of detecting it.
    public var format: ProfileFormat?
    /// The sample type to read: pprof `cpu` or `cpu/nanoseconds`; `perf script` an event (`cycles`). Default: pprof's
    /// default type (else the CPU-like one), perf's first event.
    public var sampleType: String?
    /// Label keys with more distinct values than this are dropped (see `StackProfile.dropHighCardinalityLabels`).
    public var labelValueLimit = 64
    /// The most bytes a profile may decompress to (1 GiB: a 1.6M-sample pprof is ~134 MB); past it the read
    /// stops with one error instead of growing without bound (a small gzip can hold gigabytes).
    public var maximumBytes: Int64 = 1 << 30
    /// pprof: the most string-table entries and bytes (4M entries, 256 MiB; real profiles hold thousands to a few
    /// hundred thousand strings).
    public var maximumStrings = 4_000_000
    public var maximumStringBytes = 256 << 20
    /// For a profile of sample counts whose file does not say what a sample is worth (folded, `perf script` of a
    /// clock event, py-spy): the sampling rate in Hz, so that each sample stands for 1/rate CPU seconds.
    public var sampleRate: Double?
    /// The wall time the profile covers, in seconds, when the file does not say (a push's `until − from`).
    public var duration: Double?
    /// Called with (bytes of the file read so far, file size) after each chunk.
    public var progress: (@Sendable (Int64, Int64) -> Void)?
    /// Folded frame texts read before (by a long-running reader), so each is validated and normalised once.
    public var frameCache: FrameCache?

    public init(format: ProfileFormat? = nil, sampleType: String? = nil) {
        self.format = format
        self.sampleType = sampleType
    }
}

/// A profile read from a file.
public struct ReadProfile: Sendable {
    public var profile: StackProfile
    public var format: ProfileFormat
    /// SHA-256 of the file's bytes as stored (compressed or not): the same file is the same profile.
    public var contentHash: String
    public var compressed: Bool
    /// Label keys dropped for having too many values.
    public var droppedLabels: [String]
}
