import Foundation
import GRDB
import GRDBSQLite
import HeadroomCore

/// What one profile adds to a service's timeline, already aggregated.
public struct ProfileContribution: Sendable {
    public var service: String
    /// Unix seconds the profile was taken at; it lands in that time's bucket.
    public var time: Int64
    public var contentHash: String
    public var format: String
    public var source: String
    public var totalSamples: Int64
    /// The frame table (distinct functions) that costs, edges and stacks index into.
    public var frames: [FunctionRef]
    /// Self and total samples per function, by index into `frames`.
    public var functions: [(frame: Int32, selfSamples: Int64, totalSamples: Int64)]
    /// Caller → callee samples, by index into `frames`.
    public var edges: [(caller: Int32, callee: Int32, samples: Int64)]
    /// What the values count, `type/unit`; one service holds one sample type.
    public var sampleType: String = "samples/count"
    /// Label sets the stacks index into; index 0 is the empty set.
    public var labelSets: [[(key: String, value: String)]] = [[]]
    /// Distinct stacks, root first, as indices into `frames`.
    public var uniqueStacks: [[Int32]] = []
    /// Samples per (distinct stack, label set): `stack` indexes `uniqueStacks`.
    public var stacks: [(stack: Int, labelSet: Int, samples: Int64)] = []
    /// Samples per (frame, source line), by index into `frames`, where the profile names lines.
    public var lines: [(frame: Int32, line: Int32, selfSamples: Int64, totalSamples: Int64)] = []
    /// CPU seconds the samples stand for and wall seconds the profile covers (from `time` on), when the profile
    /// says; with both, the profile measures cores.
    public var cpuSeconds: Double?
    public var wallSeconds: Double?

    public init(
        service: String, time: Int64, contentHash: String, format: String, source: String, totalSamples: Int64,
        frames: [FunctionRef], functions: [(frame: Int32, selfSamples: Int64, totalSamples: Int64)],
        edges: [(caller: Int32, callee: Int32, samples: Int64)]
    ) {
        self.frames = frames
        self.service = service
        self.time = time
        self.contentHash = contentHash
        self.format = format
        self.source = source
        self.totalSamples = totalSamples
        self.functions = functions
        self.edges = edges
    }
}

/// One bucket of one function in a series.
public struct FunctionBucket: Sendable, Equatable {
    public var bucket: Int64
    public var selfSamples: Int64
    public var totalSamples: Int64

    /// One bucket's self and total samples.
    public init(bucket: Int64, selfSamples: Int64, totalSamples: Int64) {
        self.bucket = bucket
        self.selfSamples = selfSamples
        self.totalSamples = totalSamples
    }
}

/// A service's whole timeline: bucket totals and per-function counts.
public struct ServiceTimeline: Sendable {
    /// Bucket start times, ascending, with their total samples.
    public var buckets: [(time: Int64, total: Int64)]
    public var functions: [FunctionRef: [FunctionBucket]]

    /// A timeline of `buckets` and per-function series.
    public init(buckets: [(time: Int64, total: Int64)], functions: [FunctionRef: [FunctionBucket]]) {
        self.buckets = buckets
        self.functions = functions
    }
}

/// One row of a top-functions query.
public struct TopRow: Sendable, Equatable, Codable {
    public var function: FunctionRef
    public var selfSamples: Int64
    public var totalSamples: Int64
    public init(function: FunctionRef, selfSamples: Int64, totalSamples: Int64) {
        self.function = function
        self.selfSamples = selfSamples
        self.totalSamples = totalSamples
    }
}

extension Store {
    /// Adds a profile to its service's bucket in one transaction; the same content twice is a no-op.
    @discardableResult
    public func ingest(_ contribution: ProfileContribution) throws -> IngestOutcome {
        try ingest(batch: [contribution])[0].get()
    }

    /// Adds several profiles in one transaction (one commit, one sync: the server's group commit). Each is judged
    /// alone - a duplicate (of the store or of an earlier one in the batch) or a refused sample type is its own
    /// result and leaves the others alone - while the accepted ones of each service and bucket are merged before
    /// their rows are written, so pushes that share stacks cost one row write per distinct row, not per push. A
    /// failed write rolls the whole batch back and throws; a batch of one that is refused throws its refusal.
    ///
    /// `deferred` (the server): each service and bucket's merged aggregates go into the ingest log as one blob
    /// instead of into the per-bucket rows; `compactIngestLog()` moves them there later, merged with everything
    /// else logged meanwhile. The profile rows (what makes a re-send a duplicate) are written either way, so the
    /// profile is as durable and as deduplicated when this returns.
    public func ingest(batch: [ProfileContribution], deferred: Bool = false) throws -> [Result<
        IngestOutcome, HeadroomError
    >] {
        try writing { db in
            var results: [Result<IngestOutcome, HeadroomError>] = []
            var accepted: [String: [ProfileContribution]] = [:]
            var keys: [(service: Int64, bucket: Int64, key: String)] = []
            var seen: Set<String> = []
            for contribution in batch {
                let service = try serviceID(db, name: contribution.service, create: true)!
                let identity = "\(service)/\(contribution.contentHash)"
                let stored = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM profile WHERE service_id = ? AND content_hash = ?",
                    arguments: [service, contribution.contentHash])
                if seen.contains(identity) || stored == true {
                    results.append(.success(.duplicate))
                    continue
                }
                do {
                    try checkSampleType(db, service: service, contribution: contribution)
                } catch let refusal as HeadroomError {
                    if batch.count == 1 { throw refusal }
                    results.append(.failure(refusal))
                    continue
                }
                seen.insert(identity)
                let bucket = Store.bucket(for: contribution.time)
                try addProfileRow(db, service: service, bucket: bucket, contribution: contribution)
                if !deferred {
                    try addBucketTotal(db, service: service, bucket: bucket, samples: contribution.totalSamples)
                }
                let key = "\(service)/\(bucket)"
                if accepted[key] == nil { keys.append((service, bucket, key)) }
                accepted[key, default: []].append(contribution)
                results.append(.success(.ingested(bucket: bucket)))
            }
            for group in keys {
                let merged = ProfileContribution.merged(accepted[group.key]!)
                if deferred {
                    try db.execute(
                        sql: "INSERT INTO ingest_log (service_id, bucket, aggregates) VALUES (?, ?, ?)",
                        arguments: [group.service, group.bucket, merged.encodedAggregates()])
                } else {
                    try writeAggregates(db, service: group.service, bucket: group.bucket, contribution: merged)
                }
            }
            return results
        }
    }

    /// The profile's own row.
    private func addProfileRow(_ db: Database, service: Int64, bucket: Int64, contribution: ProfileContribution)
        throws
    {
        try db.execute(
            sql: """
                INSERT INTO profile (service_id, bucket, content_hash, format, source, total_samples, ingested_at,
                                     sample_type, started_at, cpu_seconds, wall_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                service, bucket, contribution.contentHash, contribution.format, contribution.source,
                contribution.totalSamples, Timestamps.now(), contribution.sampleType, contribution.time,
                contribution.cpuSeconds.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil },
                contribution.wallSeconds.flatMap { $0.isFinite && $0 > 0 ? $0 : nil },
            ])
    }

    /// Adds `samples` to a bucket's total.
    func addBucketTotal(_ db: Database, service: Int64, bucket: Int64, samples: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO bucket_total (service_id, bucket, total_samples) VALUES (?, ?, ?)
                ON CONFLICT (service_id, bucket) DO UPDATE SET total_samples = total_samples + excluded.total_samples
                """, arguments: [service, bucket, samples])
    }

    /// A contribution's function costs, call edges, line costs and stacks added to one bucket of a service.
    func writeAggregates(_ db: Database, service: Int64, bucket: Int64, contribution: ProfileContribution)
        throws
    {
        // Every function id once, then the per-function and per-edge rows many to a statement.
        let frameIDs = try functionIDs(db, contribution.frames)
        let costs = contribution.functions.map { cost in
            (id: frameIDs[Int(cost.frame)], cost: (selfSamples: cost.selfSamples, totalSamples: cost.totalSamples))
        }.sorted { $0.id < $1.id }
        try upsertRows(
            db, table: "function_bucket",
            columns: ["service_id", "bucket", "function_id", "self_samples", "total_samples"],
            key: ["service_id", "bucket", "function_id"], add: ["self_samples", "total_samples"], count: costs.count
        ) { raw, base, index in
            sqlite3_bind_int64(raw, base + 1, service)
            sqlite3_bind_int64(raw, base + 2, bucket)
            sqlite3_bind_int64(raw, base + 3, costs[index].id)
            sqlite3_bind_int64(raw, base + 4, costs[index].cost.selfSamples)
            sqlite3_bind_int64(raw, base + 5, costs[index].cost.totalSamples)
        }
        try upsertRows(
            db, table: "function_total", columns: ["service_id", "function_id", "self_samples", "total_samples"],
            key: ["service_id", "function_id"], add: ["self_samples", "total_samples"], count: costs.count
        ) { raw, base, index in
            sqlite3_bind_int64(raw, base + 1, service)
            sqlite3_bind_int64(raw, base + 2, costs[index].id)
            sqlite3_bind_int64(raw, base + 3, costs[index].cost.selfSamples)
            sqlite3_bind_int64(raw, base + 4, costs[index].cost.totalSamples)
        }
        // The bucket's call edges are one blob: merged with what the bucket already holds, written once.
        var edges = CallEdgeSet.normalized(
            contribution.edges.map { edge in
                (caller: frameIDs[Int(edge.caller)], callee: frameIDs[Int(edge.callee)], samples: edge.samples)
            })
        if let stored = try Data.fetchOne(
            db, sql: "SELECT edges FROM call_edge_set WHERE service_id = ? AND bucket = ?",
            arguments: [service, bucket])
        {
            edges = CallEdgeSet.merge(try CallEdgeSet.decode(stored), edges)
        }
        if !edges.isEmpty {
            try db.execute(
                sql: """
                    INSERT INTO call_edge_set (service_id, bucket, edges) VALUES (?, ?, ?)
                    ON CONFLICT (service_id, bucket) DO UPDATE SET edges = excluded.edges
                    """, arguments: [service, bucket, CallEdgeSet.encode(edges)])
        }
        let lines = contribution.lines.map { cost in
            (id: frameIDs[Int(cost.frame)], line: Int64(cost.line), cost.selfSamples, cost.totalSamples)
        }.sorted { ($0.id, $0.line) < ($1.id, $1.line) }
        try upsertRows(
            db, table: "function_line",
            columns: ["service_id", "function_id", "line", "bucket", "self_samples", "total_samples"],
            key: ["service_id", "function_id", "line", "bucket"], add: ["self_samples", "total_samples"],
            count: lines.count
        ) { raw, base, index in
            sqlite3_bind_int64(raw, base + 1, service)
            sqlite3_bind_int64(raw, base + 2, lines[index].id)
            sqlite3_bind_int64(raw, base + 3, lines[index].line)
            sqlite3_bind_int64(raw, base + 4, bucket)
            sqlite3_bind_int64(raw, base + 5, lines[index].2)
            sqlite3_bind_int64(raw, base + 6, lines[index].3)
        }
        try insertStacks(db, service: service, bucket: bucket, contribution: contribution, frameIDs: frameIDs)
    }

    /// A service's bucket start times, ascending.
    public func buckets(service: String) throws -> [Int64] {
        try reading { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT b.bucket FROM bucket_total b JOIN service s ON s.id = b.service_id WHERE s.name = ?
                    ORDER BY b.bucket
                    """, arguments: [service])
        }
    }

    /// The whole timeline of a service between two times (inclusive).
    public func timeline(service: String, from: Int64? = nil, to: Int64? = nil) throws -> ServiceTimeline {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            let lower = from ?? Int64.min
            let upper = to ?? Int64.max
            let buckets = try Row.fetchAll(
                db,
                sql: """
                    SELECT bucket, total_samples FROM bucket_total
                    WHERE service_id = ? AND bucket BETWEEN ? AND ? ORDER BY bucket
                    """, arguments: [id, lower, upper]
            ).map { (time: $0["bucket"] as Int64, total: $0["total_samples"] as Int64) }
            var functions: [FunctionRef: [FunctionBucket]] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT f.name, f.file, b.bucket, b.self_samples, b.total_samples
                    FROM function_bucket b JOIN function f ON f.id = b.function_id
                    WHERE b.service_id = ? AND b.bucket BETWEEN ? AND ? ORDER BY b.bucket
                    """, arguments: [id, lower, upper])
            while let row = try rows.next() {
                functions[FunctionRef(row: row), default: []].append(
                    FunctionBucket(
                        bucket: row["bucket"], selfSamples: row["self_samples"],
                        totalSamples: row["total_samples"]))
            }
            return ServiceTimeline(buckets: buckets, functions: functions)
        }
    }

    /// Caller → callee sample counts summed over a time range.
    public func callEdges(service: String, from: Int64? = nil, to: Int64? = nil) throws
        -> [(caller: FunctionRef, callee: FunctionRef, samples: Int64)]
    {
        try reading { db in
            guard let id = try serviceID(db, name: service, create: false) else { return [] }
            var sums: [Int64: [Int64: Int64]] = [:]
            for (_, edges) in try edgeSets(db, service: id, from: from, to: to) {
                for edge in edges { sums[edge.caller, default: [:]][edge.callee, default: 0] &+= edge.samples }
            }
            let names = try functionNames(db, ids: sums.flatMap { [$0.key] + Array($0.value.keys) })
            return sums.flatMap { caller, callees in
                callees.compactMap { callee, samples in
                    guard let a = names[caller], let b = names[callee] else { return nil }
                    return (a, b, samples)
                }
            }
        }
    }

    /// Caller → callee sample counts per bucket, for a whole service.
    public func callEdgeBuckets(service: String) throws
        -> [(caller: FunctionRef, callee: FunctionRef, bucket: Int64, samples: Int64)]
    {
        try reading { db in
            guard let id = try serviceID(db, name: service, create: false) else { return [] }
            let sets = try edgeSets(db, service: id, from: nil, to: nil)
            let names = try functionNames(db, ids: sets.flatMap { $0.edges.flatMap { [$0.caller, $0.callee] } })
            return sets.flatMap { bucket, edges in
                edges.compactMap { edge in
                    guard let a = names[edge.caller], let b = names[edge.callee] else { return nil }
                    return (a, b, bucket, edge.samples)
                }
            }
        }
    }

    /// A service's call-edge sets per bucket in `[from, to]`, oldest first.
    private func edgeSets(_ db: Database, service: Int64, from: Int64?, to: Int64?) throws
        -> [(bucket: Int64, edges: [CallEdgeSet.Edge])]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT bucket, edges FROM call_edge_set WHERE service_id = ? AND bucket BETWEEN ? AND ?
                ORDER BY bucket
                """, arguments: [service, from ?? Int64.min, to ?? Int64.max]
        ).map { row in
            do {
                return (row["bucket"], try CallEdgeSet.decode(row["edges"]))
            } catch {
                throw HeadroomError(.store, "\(error)")
            }
        }
    }

    /// Function names by id, read in the caller's transaction.
    private func functionNames(_ db: Database, ids: [Int64]) throws -> [Int64: FunctionRef] {
        var names: [Int64: FunctionRef] = [:]
        let wanted = Array(Set(ids))
        guard !wanted.isEmpty else { return names }
        for row in try Row.fetchAll(
            db, sql: "SELECT id, name, file FROM function WHERE id IN (SELECT value FROM json_each(?))",
            arguments: ["[" + wanted.map(String.init).joined(separator: ",") + "]"])
        {
            names[row["id"]] = FunctionRef(row: row)
        }
        return names
    }

    /// Functions by self or total samples over a time range, with the range's total samples; with `function`, only
    /// functions of that name: the qualified name, its last component, or a qualified name ending in it.
    ///
    /// A range that covers every bucket reads the all-time totals (one row per function); a narrower one sums the
    /// covering per-function index over its buckets.
    public func top(
        service: String, from: Int64? = nil, to: Int64? = nil, byTotal: Bool = false, limit: Int = 20,
        function: String? = nil
    )
        throws -> (totalSamples: Int64, rows: [TopRow])
    {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            let lower = from ?? Int64.min
            let upper = to ?? Int64.max
            let span = try RangeSpan.of(db, service: id, from: lower, to: upper)
            // FunctionRef.namesMatch in SQL: exact, or one name ends in the other at a dot (no LIKE: `_` and `%`
            // occur in names).
            let matching =
                function == nil
                ? ""
                : """
                 AND function_id IN (SELECT id FROM function WHERE name = ?
                      OR (length(name) > length(?) AND substr(name, -length(?) - 1) = '.' || ?)
                      OR (length(?) > length(name) AND substr(?, -length(name) - 1) = '.' || name))
                """
            let names = StatementArguments(function.map { Array(repeating: $0, count: 6) } ?? [])
            let order = byTotal ? "total DESC, self DESC" : "self DESC, total DESC"
            let sql =
                span.allTime
                ? """
                SELECT f.name, f.file, t.self_samples AS self, t.total_samples AS total
                FROM function_total t JOIN function f ON f.id = t.function_id
                WHERE t.service_id = ?\(matching) ORDER BY \(order), f.name LIMIT ?
                """
                : """
                SELECT f.name, f.file, SUM(b.self_samples) AS self, SUM(b.total_samples) AS total
                FROM function_bucket b INDEXED BY \(span.functionBucketIndex)
                JOIN function f ON f.id = b.function_id
                WHERE b.service_id = ? AND b.bucket BETWEEN ? AND ?\(matching)
                GROUP BY b.function_id ORDER BY \(order), f.name LIMIT ?
                """
            let arguments: StatementArguments = (span.allTime ? [id] : [id, lower, upper]) + names + [limit]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
                .map { TopRow(function: FunctionRef(row: $0), selfSamples: $0["self"], totalSamples: $0["total"]) }
            return (span.total, rows)
        }
    }

    /// How many profiles the store holds for a service.
    public func profileCount(service: String) throws -> Int {
        try reading { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM profile p JOIN service s ON s.id = p.service_id WHERE s.name = ?",
                arguments: [service]) ?? 0
        }
    }
}
