import GRDB
import HeadroomCore

/// One arm's samples in one bucket: the arm's total and each function's self and total samples.
public struct ArmBucket: Sendable, Equatable {
    /// The bucket's start, Unix seconds.
    public var bucket: Int64
    /// The arm's samples in the bucket.
    public var total: Int64
    /// By function id: samples with the function as leaf, and with it anywhere on the stack.
    public var functions: [Int64: (selfSamples: Int64, totalSamples: Int64)]

    /// A bucket's arm from its fields.
    public init(bucket: Int64, total: Int64, functions: [Int64: (selfSamples: Int64, totalSamples: Int64)]) {
        self.bucket = bucket
        self.total = total
        self.functions = functions
    }

    public static func == (a: ArmBucket, b: ArmBucket) -> Bool {
        a.bucket == b.bucket && a.total == b.total && a.functions.count == b.functions.count
            && a.functions.allSatisfy { id, cost in
                b.functions[id].map { $0.selfSamples == cost.selfSamples && $0.totalSamples == cost.totalSamples }
                    ?? false
            }
    }
}

extension Store {
    /// Per bucket, the samples of a service's profiles whose label `key` has each of `values` (the arms of an
    /// experiment: `arm=control|treatment`, `version=canary`), with every function's self and total samples, read
    /// from the stored stacks in `[from, to]`. Function ids are named with `functions(ids:)`.
    public func armBuckets(service: String, key: String, values: [String], from: Int64? = nil, to: Int64? = nil)
        throws -> [String: [ArmBucket]]
    {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            var arms: [String: [Int64: ArmBucket]] = [:]
            var frames: [Int64] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT b.bucket, e.value, s.frames, SUM(b.samples) AS samples
                    FROM stack_bucket b
                    JOIN label_entry e ON e.label_set_id = b.label_set_id AND e.key = ?
                    JOIN stack s ON s.id = b.stack_id
                    WHERE b.service_id = ? AND b.bucket BETWEEN ? AND ?
                      AND e.value IN (SELECT value FROM json_each(?))
                    GROUP BY b.bucket, e.value, b.stack_id
                    """,
                arguments: [
                    key, id, from ?? Int64.min, to ?? Int64.max, try JSONCoding.string(values),
                ])
            while let row = try rows.next() {
                let bucket: Int64 = row[0]
                let value: String = row[1]
                let text: String = row[2]
                let samples: Int64 = row[3]
                frames.removeAll(keepingCapacity: true)
                text.utf8CString.withUnsafeBufferPointer { chars in
                    chars.withMemoryRebound(to: UInt8.self) { Self.parseFrames($0.baseAddress, into: &frames) }
                }
                var entry = arms[value, default: [:]][bucket] ?? ArmBucket(bucket: bucket, total: 0, functions: [:])
                entry.total += samples
                if let leaf = frames.last {
                    entry.functions[leaf, default: (0, 0)].selfSamples += samples
                }
                for function in Set(frames) {
                    entry.functions[function, default: (0, 0)].totalSamples += samples
                }
                arms[value, default: [:]][bucket] = entry
            }
            return arms.mapValues { $0.values.sorted { $0.bucket < $1.bucket } }
        }
    }
}
