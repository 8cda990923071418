import Foundation
import GRDB
import HeadroomCore

/// The ingest log: profiles the server accepted (`ingest(batch:deferred:)`) whose per-bucket rows are still to be
/// written. Compaction merges everything logged for a service and bucket and writes it once, in the same
/// transaction that deletes those log rows, so a crash at any moment leaves each logged profile either still logged
/// or fully counted, never both and never half.
extension Store {
    /// Log rows compacted per transaction: bounds the memory and the lock time of one compaction.
    static let compactionBatch = 2_000

    /// How many accepted profiles' rows are still in the log (0 once compacted).
    public func ingestLogCount() throws -> Int {
        try reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_log") ?? 0 }
    }

    /// Moves everything logged so far into the per-bucket rows; returns the log rows compacted. Each service and
    /// bucket is its own transaction (so a writer waiting to log new pushes waits for one bucket at most), taking up
    /// to `compactionBatch` rows of it; rows logged while this runs are left for the next call.
    @discardableResult
    public func compactIngestLog() throws -> Int {
        guard let top = try ingestLogHighWater() else { return 0 }
        var compacted = 0
        while true {
            let rows = try compactIngestLogBucket(upTo: top)
            if rows == 0 { return compacted }
            compacted += rows
        }
    }

    /// The newest log row's id, nil when the log is empty.
    public func ingestLogHighWater() throws -> Int64? {
        try reading { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM ingest_log") }
    }

    /// Compacts one service and bucket: the one of the oldest log row at or below `upTo`, with its rows at or
    /// below `upTo`, in one transaction. Returns the rows compacted; 0 when nothing at or below `upTo` is left.
    public func compactIngestLogBucket(upTo: Int64) throws -> Int {
        try writing { db in
            guard
                let oldest = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT l.service_id, l.bucket, s.name, s.sample_type FROM ingest_log l
                        JOIN service s ON s.id = l.service_id WHERE l.id <= ? ORDER BY l.id LIMIT 1
                        """, arguments: [upTo])
            else { return 0 }
            let service: Int64 = oldest["service_id"]
            let bucket: Int64 = oldest["bucket"]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, aggregates FROM ingest_log WHERE service_id = ? AND bucket = ? AND id <= ?
                    ORDER BY id LIMIT ?
                    """, arguments: [service, bucket, upTo, Self.compactionBatch])
            let parts = try rows.map { row in
                do {
                    return try ProfileContribution.decodingAggregates(
                        row["aggregates"], service: oldest["name"], time: bucket,
                        sampleType: oldest["sample_type"] ?? "samples/count")
                } catch {
                    throw HeadroomError(.store, "store \(path): ingest-log row \(row["id"] as Int64): \(error)")
                }
            }
            let merged = ProfileContribution.merged(parts)
            try addBucketTotal(db, service: service, bucket: bucket, samples: merged.totalSamples)
            try writeAggregates(db, service: service, bucket: bucket, contribution: merged)
            try db.execute(
                sql: "DELETE FROM ingest_log WHERE service_id = ? AND bucket = ? AND id <= ?",
                arguments: [service, bucket, rows.last!["id"] as Int64])
            return rows.count
        }
    }
}
