import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// Stacks over PostgreSQL (`StackStore`, through `ProfileStore`): a range's stack chunks summed, named and filtered by
/// label, as the SQLite store answers.
extension PostgresProfileStore {
    public func stacks(service: String, from: Int64?, to: Int64?, label: (key: String, value: String)?) async throws
        -> (totalSamples: Int64, stacks: [StoredStack])
    {
        let (lower, upper) = (from ?? Int64.min, to ?? Int64.max)
        guard
            let id = try await client.query("SELECT id FROM service WHERE name = \(service)", logger: logger)
                .collect().first?.decode(Int64.self)
        else { throw HeadroomError(.notFound, "unknown service '\(service)'") }
        var summed: [[Int64]: Int64] = [:]
        for try await blob in try await client.query(
            """
            SELECT stacks FROM stack_chunk WHERE service_id = \(id) AND bucket BETWEEN \(lower) AND \(upper)
            ORDER BY bucket, id
            """, logger: logger
        ).decode(Data.self) {
            let chunk = try StackChunk.decode(blob)
            let carries = chunk.labelSets.map { set in
                label.map { wanted in set.contains { $0.key == wanted.key && $0.value == wanted.value } } ?? true
            }
            for row in chunk.rows where carries[row.labelSet] {
                summed[chunk.stacks[row.stack], default: 0] += row.samples
            }
        }
        let names = try await functionNames(Array(Set(summed.keys.flatMap { $0 })))
        var total: Int64 = 0
        var stacks: [StoredStack] = []
        stacks.reserveCapacity(summed.count)
        for (frames, samples) in summed {
            total += samples
            stacks.append(StoredStack(frames: frames.compactMap { names[$0] }, samples: samples))
        }
        if label == nil {
            // The range's bucket totals: samples of stacks with no frames (py-spy's idle ones) count too.
            let buckets = try await client.query(
                """
                SELECT COALESCE(SUM(total_samples), 0)::BIGINT FROM bucket_total
                WHERE service_id = \(id) AND bucket BETWEEN \(lower) AND \(upper)
                """, logger: logger
            ).collect().first?.decode(Int64.self)
            total = buckets ?? total
        }
        return (total, stacks)
    }

    public func sampleType(service: String) async throws -> String? {
        try await client.query("SELECT sample_type FROM service WHERE name = \(service)", logger: logger).collect()
            .first?.decode(String?.self)
    }

    /// How many stack chunks the service's buckets hold (merged past `stackChunksPerBucket` per bucket).
    public func stackChunkCount(service: String) async throws -> Int {
        let rows = try await client.query(
            """
            SELECT COUNT(*) FROM stack_chunk c JOIN service s ON s.id = c.service_id WHERE s.name = \(service)
            """, logger: logger
        ).collect()
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }
}
