import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// Experiments by label over PostgreSQL (`get_experiment`, `headroom experiment --database`): the arms' samples per
/// bucket, read from the stack chunks as the SQLite store reads its stack rows.
extension PostgresProfileStore {
    /// Per bucket, the samples of the service's stacks whose label `key` has each of `values`, with every
    /// function's self and total samples (a function counts once per stack), in `[from, to]`.
    public func armBuckets(service: String, key: String, values: [String], from: Int64?, to: Int64?) async throws
        -> [String: [ArmBucket]]
    {
        let (lower, upper) = (from ?? Int64.min, to ?? Int64.max)
        guard
            let id = try await client.query("SELECT id FROM service WHERE name = \(service)", logger: logger)
                .collect().first?.decode(Int64.self)
        else { throw HeadroomError(.notFound, "unknown service '\(service)'") }
        let wanted = Set(values)
        var arms: [String: [Int64: ArmBucket]] = [:]
        var seen = Set<Int64>()
        for try await (bucket, blob) in try await client.query(
            """
            SELECT bucket, stacks FROM stack_chunk WHERE service_id = \(id) AND bucket BETWEEN \(lower) AND \(upper)
            ORDER BY bucket, id
            """, logger: logger
        ).decode((Int64, Data).self) {
            let chunk = try StackChunk.decode(blob)
            // Each label set's arm: the value of `key` when it is one of `values`.
            let arm = chunk.labelSets.map { set in
                set.first { $0.key == key }.map(\.value).flatMap { wanted.contains($0) ? $0 : nil }
            }
            for row in chunk.rows {
                guard let value = arm[row.labelSet] else { continue }
                let frames = chunk.stacks[row.stack]
                var entry = arms[value, default: [:]][bucket] ?? ArmBucket(bucket: bucket, total: 0, functions: [:])
                entry.total += row.samples
                if let leaf = frames.last { entry.functions[leaf, default: (0, 0)].selfSamples += row.samples }
                seen.removeAll(keepingCapacity: true)
                for function in frames where seen.insert(function).inserted {
                    entry.functions[function, default: (0, 0)].totalSamples += row.samples
                }
                arms[value, default: [:]][bucket] = entry
            }
        }
        return arms.mapValues { $0.values.sorted { $0.bucket < $1.bucket } }
    }
}
