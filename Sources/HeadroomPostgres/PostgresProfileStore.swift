import Foundation
import HeadroomCore
import HeadroomStore
import Logging
import PostgresNIO
import Synchronization

/// The profile side of the store on PostgreSQL (team mode), in the scale layout of docs/scaling.md:
/// - `profile` rows make a re-sent profile a duplicate (unique per service and content hash);
/// - `ingest_log` holds accepted profiles' aggregates until compaction, as in the SQLite store;
/// - `bucket_total` and `function_bucket_set` (one blob of per-function costs per service and bucket,
///   `FunctionCostSet`) are partitioned by day (`PARTITION BY RANGE (bucket)`), so retention drops whole days.
///
/// Several servers may ingest and compact at once: a service and bucket is compacted under a transaction-scoped
/// advisory lock, its log rows taken `FOR UPDATE`, so every profile is counted once whoever compacts it. Call edges
/// are one blob per service and bucket too (`call_edge_set`), and so are line costs (`line_cost_set`); stacks are
/// appended as chunks (`stack_chunk`). Run `run()` (the connection pool) in a task while the store is used.
public final class PostgresProfileStore: ProfileStore, Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Days whose partitions are known to exist.
    private let days = Mutex<Set<Int64>>([])
    /// Function ids this process has seen (a function's id never changes).
    private let functionIDCache = Mutex<[FunctionRef: Int64]>([:])
    /// The most ids kept; past it the cache starts again.
    static let functionIDCacheLimit = 1_000_000
    static let daySeconds: Int64 = 86_400

    /// A store on the database at `location`; nothing connects until `run()` runs.
    public init(location: PostgresLocation, logger: Logger = Logger(label: "headroom.postgres")) {
        self.logger = logger
        client = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async { await client.run() }

    /// Creates the profile tables when missing, once, whichever server starts first.
    public func migrate() async throws {
        try await PostgresMigration.apply(
            version: "p1-profiles",
            statements: [
                "CREATE TABLE service (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, sample_type TEXT)",
                """
                CREATE TABLE function (
                    id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, file TEXT NOT NULL DEFAULT '', UNIQUE (name, file))
                """,
                """
                CREATE TABLE profile (
                    id BIGSERIAL PRIMARY KEY, service_id BIGINT NOT NULL REFERENCES service(id),
                    bucket BIGINT NOT NULL, content_hash TEXT NOT NULL, format TEXT NOT NULL, source TEXT NOT NULL,
                    total_samples BIGINT NOT NULL, ingested_at BIGINT NOT NULL, sample_type TEXT NOT NULL,
                    started_at BIGINT, cpu_seconds DOUBLE PRECISION, wall_seconds DOUBLE PRECISION,
                    UNIQUE (service_id, content_hash))
                """,
                """
                CREATE TABLE ingest_log (
                    id BIGSERIAL PRIMARY KEY, service_id BIGINT NOT NULL, bucket BIGINT NOT NULL,
                    aggregates BYTEA NOT NULL)
                """,
                "CREATE INDEX ingest_log_by_bucket ON ingest_log (service_id, bucket, id)",
                """
                CREATE TABLE bucket_total (
                    service_id BIGINT NOT NULL, bucket BIGINT NOT NULL, total_samples BIGINT NOT NULL,
                    PRIMARY KEY (service_id, bucket)) PARTITION BY RANGE (bucket)
                """,
                """
                CREATE TABLE function_bucket_set (
                    service_id BIGINT NOT NULL, bucket BIGINT NOT NULL, costs BYTEA NOT NULL,
                    PRIMARY KEY (service_id, bucket)) PARTITION BY RANGE (bucket)
                """,
            ], client: client, logger: logger)
        try await PostgresMigration.apply(
            version: "p2-detection",
            statements: [
                """
                CREATE TABLE call_edge_set (
                    service_id BIGINT NOT NULL, bucket BIGINT NOT NULL, edges BYTEA NOT NULL,
                    PRIMARY KEY (service_id, bucket)) PARTITION BY RANGE (bucket)
                """,
                // Each regression's fields as the JSON every adapter writes; its identity in columns.
                """
                CREATE TABLE regression (
                    id BIGSERIAL PRIMARY KEY, service_id BIGINT NOT NULL REFERENCES service(id),
                    function_id BIGINT NOT NULL REFERENCES function(id), metric TEXT NOT NULL, bucket BIGINT NOT NULL,
                    kind TEXT NOT NULL, detected_at BIGINT NOT NULL, body TEXT NOT NULL,
                    UNIQUE (service_id, function_id, metric, bucket))
                """,
            ], client: client, logger: logger)
        try await PostgresMigration.apply(
            version: "p3-stacks",
            statements: [
                // Each write's stacks appended as one chunk (StackChunk); a range's readers sum its chunks.
                """
                CREATE TABLE stack_chunk (
                    service_id BIGINT NOT NULL, bucket BIGINT NOT NULL, id BIGSERIAL, stacks BYTEA NOT NULL,
                    PRIMARY KEY (service_id, bucket, id)) PARTITION BY RANGE (bucket)
                """
            ], client: client, logger: logger)
        try await PostgresMigration.apply(
            version: "p4-changes", statements: Self.changeTables, client: client, logger: logger)
        try await PostgresMigration.apply(
            version: "p5-triage", statements: Self.triageTables, client: client, logger: logger)
        try await PostgresMigration.apply(
            version: "p6-events", statements: Self.eventTables, client: client, logger: logger)
        try await PostgresMigration.apply(
            version: "p7-opportunities", statements: Self.opportunityTables, client: client, logger: logger)
        try await PostgresMigration.apply(
            version: "p8-patches", statements: Self.patchTables, client: client, logger: logger)
    }

    /// The day-partitioned tables, each partitioned alike.
    static let partitionedTables = [
        "bucket_total", "function_bucket_set", "call_edge_set", "stack_chunk", "line_cost_set",
    ]

    /// The most stack chunks a bucket holds before a write merges them into one: compaction appends one a second,
    /// so a one-minute bucket is read as a few chunks, not sixty, and merging costs each bucket a few rewrites.
    public static let stackChunksPerBucket: Int64 = 8

    // MARK: Ingest

    public func ingest(batch: [ProfileContribution], deferred: Bool) async throws -> [Result<
        IngestOutcome, HeadroomError
    >] {
        try await ensurePartitions(for: batch.map { Self.bucket(for: $0.time) })
        // A handful of statements per batch whatever its size (each is a round trip to the server).
        return try await transaction { connection in
            // The batch's services, created and locked in one order (name, then id), so two servers' batches
            // never wait on each other in a cycle; their sample types are then checked and set here.
            let names = Array(Set(batch.map(\.service))).sorted()
            try await connection.query(
                "INSERT INTO service (name) SELECT * FROM unnest(\(names)::TEXT[]) ORDER BY 1 ON CONFLICT DO NOTHING",
                logger: logger)
            var ids: [String: Int64] = [:]
            var sampleTypes: [Int64: String] = [:]
            for row in try await connection.query(
                "SELECT id, name, sample_type FROM service WHERE name = ANY(\(names)) ORDER BY id FOR UPDATE",
                logger: logger
            ).collect() {
                let (id, name, type) = try row.decode((Int64, String, String?).self)
                ids[name] = id
                if let type { sampleTypes[id] = type }
            }
            let hashes = batch.map(\.contentHash)
            var stored = Set<String>()
            for row in try await connection.query(
                """
                SELECT service_id, content_hash FROM profile
                WHERE content_hash = ANY(\(hashes)) AND service_id = ANY(\(Array(ids.values)))
                """, logger: logger
            ).collect() {
                let (service, hash) = try row.decode((Int64, String).self)
                stored.insert("\(service)/\(hash)")
            }
            var results: [Result<IngestOutcome, HeadroomError>] = []
            var candidates: [(index: Int, service: Int64, bucket: Int64)] = []
            var newTypes: [Int64: String] = [:]
            for (index, contribution) in batch.enumerated() {
                let service = ids[contribution.service]!
                let identity = "\(service)/\(contribution.contentHash)"
                if stored.contains(identity) {
                    results.append(.success(.duplicate))
                    continue
                }
                if let current = sampleTypes[service], current != contribution.sampleType {
                    let refusal = HeadroomError(
                        .badInput,
                        "\(contribution.source): its samples are \(contribution.sampleType), but service '\(contribution.service)' holds \(current) profiles (choose another with --sample-type)"
                    )
                    if batch.count == 1 { throw refusal }
                    results.append(.failure(refusal))
                    continue
                }
                if sampleTypes[service] == nil {
                    sampleTypes[service] = contribution.sampleType
                    newTypes[service] = contribution.sampleType
                }
                stored.insert(identity)
                let bucket = Self.bucket(for: contribution.time)
                candidates.append((index, service, bucket))
                results.append(.success(.ingested(bucket: bucket)))
            }
            for (service, type) in newTypes.sorted(by: { $0.key < $1.key }) {
                try await connection.query(
                    "UPDATE service SET sample_type = \(type) WHERE id = \(service) AND sample_type IS NULL",
                    logger: logger)
            }
            guard !candidates.isEmpty else { return results }
            // Every accepted profile's row in one statement; one another server stored meanwhile is a duplicate.
            var binds = PostgresBindings()
            var rows: [String] = []
            let now = Timestamps.now()
            for candidate in candidates {
                let contribution = batch[candidate.index]
                let base = binds.count
                rows.append("(" + (1...11).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                binds.append(candidate.service)
                binds.append(candidate.bucket)
                binds.append(contribution.contentHash)
                binds.append(contribution.format)
                binds.append(contribution.source)
                binds.append(contribution.totalSamples)
                binds.append(now)
                binds.append(contribution.sampleType)
                binds.append(contribution.time)
                binds.append(contribution.cpuSeconds.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil })
                binds.append(contribution.wallSeconds.flatMap { $0.isFinite && $0 > 0 ? $0 : nil })
            }
            var inserted = Set<String>()
            for row in try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO profile (service_id, bucket, content_hash, format, source, total_samples,
                                             ingested_at, sample_type, started_at, cpu_seconds, wall_seconds)
                        VALUES \(rows.joined(separator: ", "))
                        ON CONFLICT (service_id, content_hash) DO NOTHING RETURNING service_id, content_hash
                        """, binds: binds), logger: logger
            ).collect() {
                let (service, hash) = try row.decode((Int64, String).self)
                inserted.insert("\(service)/\(hash)")
            }
            var accepted: [String: [ProfileContribution]] = [:]
            var groups: [(service: Int64, bucket: Int64, key: String)] = []
            for candidate in candidates {
                let contribution = batch[candidate.index]
                guard inserted.contains("\(candidate.service)/\(contribution.contentHash)") else {
                    results[candidate.index] = .success(.duplicate)
                    continue
                }
                let key = "\(candidate.service)/\(candidate.bucket)"
                if accepted[key] == nil { groups.append((candidate.service, candidate.bucket, key)) }
                accepted[key, default: []].append(contribution)
            }
            // Buckets in (service, bucket) order: the advisory locks of direct writes are taken in one order too.
            groups.sort { ($0.service, $0.bucket) < ($1.service, $1.bucket) }
            if deferred, !groups.isEmpty {
                var binds = PostgresBindings()
                var rows: [String] = []
                for group in groups {
                    rows.append("($\(binds.count + 1), $\(binds.count + 2), $\(binds.count + 3))")
                    binds.append(group.service)
                    binds.append(group.bucket)
                    try binds.append(ProfileContribution.merged(accepted[group.key]!).encodedAggregates())
                }
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO ingest_log (service_id, bucket, aggregates) VALUES \(rows.joined(separator: ", "))
                            """, binds: binds), logger: logger)
            } else {
                for group in groups {
                    try await write(
                        connection, service: group.service, bucket: group.bucket,
                        ProfileContribution.merged(accepted[group.key]!))
                }
            }
            return results
        }
    }

    /// Compacts every service and bucket logged so far, each in its own transaction; returns the rows compacted.
    public func compactIngestLog() async throws -> Int {
        let top =
            try await client.query("SELECT MAX(id) FROM ingest_log", logger: logger).collect().first
            .flatMap { try? $0.decode(Int64?.self) } ?? nil
        guard let top else { return 0 }
        var compacted = 0
        while true {
            let rows = try await compactOne(upTo: top, service: nil)
            if rows == 0 { return compacted }
            compacted += rows
        }
    }

    /// Compacts everything logged for `service`, waiting for the rows other compactors hold (they are gone once
    /// those commit), so nothing accepted before the call is missing afterwards.
    public func compactIngestLog(service: String) async throws {
        guard
            let id = try await client.query("SELECT id FROM service WHERE name = \(service)", logger: logger)
                .collect().first?.decode(Int64.self)
        else { return }
        // Up to what is logged now: pushes arriving meanwhile are the next round's.
        let top =
            try await client.query("SELECT MAX(id) FROM ingest_log WHERE service_id = \(id)", logger: logger)
            .collect().first.flatMap { try? $0.decode(Int64?.self) } ?? nil
        guard let top else { return }
        while true {
            if try await compactOne(upTo: top, service: id) > 0 { continue }
            // A row waited for and then deleted by its compactor can end the locking read empty although others
            // remain (LIMIT is applied before the lock): done only when none is left.
            let left = try await client.query(
                "SELECT EXISTS (SELECT 1 FROM ingest_log WHERE service_id = \(id) AND id <= \(top))", logger: logger
            ).collect().first?.decode(Bool.self)
            if left != true { return }
        }
    }

    /// One service and bucket: the oldest logged at or below `upTo` (of `service`, or of any), under the bucket's
    /// advisory lock, so a bucket another compactor holds is waited for.
    private func compactOne(upTo: Int64, service only: Int64?) async throws -> Int {
        try await transaction { connection in
            let oldest =
                if let only {
                    try await connection.query(
                        """
                        SELECT l.service_id, l.bucket, s.name, s.sample_type FROM ingest_log l
                        JOIN service s ON s.id = l.service_id WHERE l.id <= \(upTo) AND l.service_id = \(only)
                        ORDER BY l.id LIMIT 1
                        """, logger: logger
                    ).collect().first
                } else {
                    try await connection.query(
                        """
                        SELECT l.service_id, l.bucket, s.name, s.sample_type FROM ingest_log l
                        JOIN service s ON s.id = l.service_id WHERE l.id <= \(upTo) ORDER BY l.id LIMIT 1
                        """, logger: logger
                    ).collect().first
                }
            guard let oldest else { return 0 }
            let (service, bucket, name, sampleType) = try oldest.decode((Int64, Int64, String, String?).self)
            // A bucket logged by an older server may predate a table's partitions.
            try await ensurePartitions(for: [bucket])
            // One compactor per service and bucket: its blob is read, merged and written back whole. The bucket's lock
            // is taken before any of its log rows (the candidate above is read unlocked): a compactor that locked a
            // row first and then waited for the bucket deadlocked with one holding the bucket and locking its rows.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.lockKey(service: service, bucket: bucket)))", logger: logger)
            var ids: [Int64] = []
            var parts: [ProfileContribution] = []
            for row in try await connection.query(
                """
                SELECT id, aggregates FROM ingest_log WHERE service_id = \(service) AND bucket = \(bucket)
                AND id <= \(upTo) ORDER BY id FOR UPDATE
                """, logger: logger
            ).collect() {
                let (id, blob) = try row.decode((Int64, Data).self)
                do {
                    parts.append(
                        try ProfileContribution.decodingAggregates(
                            blob, service: name, time: bucket, sampleType: sampleType ?? "samples/count"))
                } catch {
                    throw HeadroomError(.store, "ingest-log row \(id): \(error)")
                }
                ids.append(id)
            }
            // Another compactor took them between the two reads: nothing of this bucket is left here.
            guard !ids.isEmpty else { return 1 }
            try await write(
                connection, service: service, bucket: bucket, ProfileContribution.merged(parts), locked: true)
            try await connection.query("DELETE FROM ingest_log WHERE id = ANY(\(ids))", logger: logger)
            return ids.count
        }
    }

    /// A contribution's bucket total, function costs, stacks and call edges added to its service and bucket: the
    /// bucket's two blobs read in one statement and written back, with the stack chunk appended, in another (each
    /// statement is a round trip, and compaction runs one of these per service and bucket every second).
    /// `locked`: the caller holds the bucket's advisory lock already.
    private func write(
        _ connection: PostgresConnection, service: Int64, bucket: Int64, _ contribution: ProfileContribution,
        locked: Bool = false
    )
        async throws
    {
        let ids = try await functionIDs(connection, contribution.frames)
        var costs = contribution.functions.map { (ids[Int($0.frame)], $0.selfSamples, $0.totalSamples) }
        var edges = CallEdgeSet.normalized(
            contribution.edges.map { (ids[Int($0.caller)], ids[Int($0.callee)], $0.samples) })
        var lines = contribution.lines.map { (ids[Int($0.frame)], Int64($0.line), $0.selfSamples, $0.totalSamples) }
        if !locked {
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.lockKey(service: service, bucket: bucket)))", logger: logger)
        }
        var chunk = StackChunk.chunk(contribution, functionIDs: ids)
        var chunks: Int64 = 0
        if let stored = try await connection.query(
            """
            SELECT (SELECT costs FROM function_bucket_set WHERE service_id = \(service) AND bucket = \(bucket)),
                   (SELECT edges FROM call_edge_set WHERE service_id = \(service) AND bucket = \(bucket)),
                   (SELECT COUNT(*) FROM stack_chunk WHERE service_id = \(service) AND bucket = \(bucket)),
                   (SELECT lines FROM line_cost_set WHERE service_id = \(service) AND bucket = \(bucket))
            """, logger: logger
        ).collect().first {
            let (storedCosts, storedEdges, count, storedLines) = try stored.decode((Data?, Data?, Int64, Data?).self)
            if let storedCosts { costs += try FunctionCostSet.decode(storedCosts) }
            if let storedEdges, !edges.isEmpty { edges = CallEdgeSet.merge(edges, try CallEdgeSet.decode(storedEdges)) }
            if let storedLines, !lines.isEmpty { lines += try LineCostSet.decode(storedLines) }
            chunks = count
        }
        // A bucket written to every second (compaction) would pile up chunks for its readers to sum: past a few,
        // they are merged into this one (under the bucket's lock, which every writer takes).
        var merged: [Int64] = []
        if let new = chunk, chunks + 1 >= Self.stackChunksPerBucket {
            var parts: [StackChunk.Decoded] = []
            for row in try await connection.query(
                "SELECT id, stacks FROM stack_chunk WHERE service_id = \(service) AND bucket = \(bucket)",
                logger: logger
            ).collect() {
                let (id, blob) = try row.decode((Int64, Data).self)
                merged.append(id)
                parts.append(try StackChunk.decode(blob))
            }
            chunk = StackChunk.merge(parts + [new])
        }
        var binds = PostgresBindings()
        binds.append(service)
        binds.append(bucket)
        binds.append(contribution.totalSamples)
        try binds.append(FunctionCostSet.encode(FunctionCostSet.normalized(costs)))
        var sql = """
            WITH total AS (
                INSERT INTO bucket_total (service_id, bucket, total_samples) VALUES ($1, $2, $3)
                ON CONFLICT (service_id, bucket) DO UPDATE
                SET total_samples = bucket_total.total_samples + excluded.total_samples RETURNING 1)
            """
        if let chunk {
            try binds.append(StackChunk.encode(chunk))
            sql += ", chunk AS (INSERT INTO stack_chunk (service_id, bucket, stacks) VALUES ($1, $2, $5) RETURNING 1)"
        }
        if !merged.isEmpty {
            binds.append(merged)
            sql += """
                , merged AS (
                    DELETE FROM stack_chunk WHERE service_id = $1 AND bucket = $2 AND id = ANY($\(binds.count))
                    RETURNING 1)
                """
        }
        if !edges.isEmpty {
            try binds.append(CallEdgeSet.encode(edges))
            sql += """
                , edges AS (
                    INSERT INTO call_edge_set (service_id, bucket, edges) VALUES ($1, $2, $\(binds.count))
                    ON CONFLICT (service_id, bucket) DO UPDATE SET edges = excluded.edges RETURNING 1)
                """
        }
        if !lines.isEmpty {
            try binds.append(LineCostSet.encode(LineCostSet.normalized(lines)))
            sql += """
                , lines AS (
                    INSERT INTO line_cost_set (service_id, bucket, lines) VALUES ($1, $2, $\(binds.count))
                    ON CONFLICT (service_id, bucket) DO UPDATE SET lines = excluded.lines RETURNING 1)
                """
        }
        sql += """

            INSERT INTO function_bucket_set (service_id, bucket, costs) VALUES ($1, $2, $4)
            ON CONFLICT (service_id, bucket) DO UPDATE SET costs = excluded.costs
            """
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    /// The ids of `functions`, adding the new ones. Ids never change once a function has one, so each process keeps
    /// those it has seen and asks the database only for the others: two statements for all of them, whatever their
    /// number. New rows are committed on their own (outside the caller's transaction), so a cached id exists even if
    /// that transaction rolls back; an unused function row is harmless.
    func functionIDs(_ connection: PostgresConnection, _ functions: [FunctionRef]) async throws -> [Int64] {
        guard !functions.isEmpty else { return [] }
        let keys = functions.map { FunctionRef(name: $0.name, file: $0.file.flatMap { $0.isEmpty ? nil : $0 }) }
        var ids = functionIDCache.withLock { cache in
            keys.reduce(into: [FunctionRef: Int64]()) { known, key in known[key] = cache[key] }
        }
        let missing = Array(Set(keys.filter { ids[$0] == nil }))
        if !missing.isEmpty {
            let names = missing.map(\.name)
            let files = missing.map { $0.file ?? "" }
            try await client.query(
                """
                INSERT INTO function (name, file) SELECT * FROM unnest(\(names)::TEXT[], \(files)::TEXT[])
                ORDER BY 1, 2 ON CONFLICT (name, file) DO NOTHING
                """, logger: logger)
            var found: [FunctionRef: Int64] = [:]
            for row in try await connection.query(
                """
                SELECT f.id, f.name, f.file FROM function f
                JOIN unnest(\(names)::TEXT[], \(files)::TEXT[]) AS w(name, file) ON f.name = w.name AND f.file = w.file
                """, logger: logger
            ).collect() {
                let (id, name, file) = try row.decode((Int64, String, String).self)
                found[FunctionRef(name: name, file: file.isEmpty ? nil : file)] = id
            }
            ids.merge(found) { $1 }
            functionIDCache.withLock { cache in
                if cache.count + found.count > Self.functionIDCacheLimit { cache.removeAll(keepingCapacity: true) }
                cache.merge(found) { $1 }
            }
        }
        return try keys.map { key in
            guard let id = ids[key] else { throw HeadroomError(.store, "function \(key) neither inserted nor found") }
            return id
        }
    }

    func serviceID(_ connection: PostgresConnection, _ name: String) async throws -> Int64 {
        try await connection.query(
            "INSERT INTO service (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING", logger: logger)
        guard
            let row = try await connection.query("SELECT id FROM service WHERE name = \(name)", logger: logger)
                .collect().first
        else { throw HeadroomError(.store, "service '\(name)' neither inserted nor found") }
        return try row.decode(Int64.self)
    }

    // MARK: Partitions

    /// Creates the day partitions the buckets fall in, each once (under a lock, whichever server gets there first).
    private func ensurePartitions(for buckets: [Int64]) async throws {
        let wanted = Set(buckets.map { Self.floorDiv($0, Self.daySeconds) })
        let missing = days.withLock { known in wanted.subtracting(known) }
        guard !missing.isEmpty else { return }
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(727002)", logger: logger)
            for day in missing.sorted() {
                let (from, to) = (day * Self.daySeconds, (day + 1) * Self.daySeconds)
                for table in Self.partitionedTables {
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL: """
                                CREATE TABLE IF NOT EXISTS \(Self.partition(table, day: day)) PARTITION OF \(table)
                                FOR VALUES FROM (\(from)) TO (\(to))
                                """), logger: logger)
                }
            }
        }
        days.withLock { $0.formUnion(missing) }
    }

    /// Drops the day partitions that end at or before `time` (retention); returns the tables dropped.
    @discardableResult
    public func dropPartitions(before time: Int64) async throws -> [String] {
        let last = Self.floorDiv(time, Self.daySeconds)
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(727002)", logger: logger)
            var dropped: [String] = []
            for row in try await connection.query(
                """
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(\(Self.partitionedTables))
                """, logger: logger
            ).collect() {
                let name = try row.decode(String.self)
                guard let day = Int64(name.split(separator: "_").last?.dropFirst() ?? ""), day < last else { continue }
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"), logger: logger)
                dropped.append(name)
            }
            days.withLock { $0 = $0.filter { $0 >= last } }
            return dropped.sorted()
        }
    }

    /// A day's partition of `table`: `table_dN`, N the day number (negative days written `m`).
    static func partition(_ table: String, day: Int64) -> String {
        "\(table)_d\(day < 0 ? "m\(-day)" : "\(day)")"
    }

    // MARK: Reads

    public func timeline(service: String, from: Int64?, to: Int64?) async throws -> ServiceTimeline {
        let (lower, upper) = (from ?? Int64.min, to ?? Int64.max)
        guard
            let id = try await client.query("SELECT id FROM service WHERE name = \(service)", logger: logger)
                .collect().first?.decode(Int64.self)
        else { throw HeadroomError(.notFound, "unknown service '\(service)'") }
        var buckets: [(time: Int64, total: Int64)] = []
        for try await (bucket, total) in try await client.query(
            """
            SELECT bucket, total_samples FROM bucket_total WHERE service_id = \(id)
            AND bucket BETWEEN \(lower) AND \(upper) ORDER BY bucket
            """, logger: logger
        ).decode((Int64, Int64).self) {
            buckets.append((bucket, total))
        }
        var series: [Int64: [FunctionBucket]] = [:]
        for try await (bucket, blob) in try await client.query(
            """
            SELECT bucket, costs FROM function_bucket_set WHERE service_id = \(id)
            AND bucket BETWEEN \(lower) AND \(upper) ORDER BY bucket
            """, logger: logger
        ).decode((Int64, Data).self) {
            for cost in try FunctionCostSet.decode(blob) {
                series[cost.function, default: []].append(
                    FunctionBucket(bucket: bucket, selfSamples: cost.selfSamples, totalSamples: cost.totalSamples))
            }
        }
        var functions: [FunctionRef: [FunctionBucket]] = [:]
        if !series.isEmpty {
            for try await (function, name, file) in try await client.query(
                "SELECT id, name, file FROM function WHERE id = ANY(\(Array(series.keys)))", logger: logger
            ).decode((Int64, String, String).self) {
                functions[FunctionRef(name: name, file: file.isEmpty ? nil : file)] = series[function]
            }
        }
        return ServiceTimeline(buckets: buckets, functions: functions)
    }

    public func profileCount(service: String) async throws -> Int {
        let rows = try await client.query(
            "SELECT COUNT(*) FROM profile p JOIN service s ON s.id = p.service_id WHERE s.name = \(service)",
            logger: logger
        ).collect()
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    // MARK: Helpers

    /// One transaction; what the body threw comes out as itself (a refusal stays a `HeadroomError`), a database
    /// failure as one store error line.
    func transaction<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        do {
            return try await client.withTransaction(logger: logger, isolation: isolation, body)
        } catch let failure as PostgresTransactionError {
            if let thrown = failure.closureError as? HeadroomError { throw thrown }
            let cause = failure.closureError ?? failure.beginError ?? failure.commitError ?? failure.rollbackError
            throw HeadroomError(.store, "PostgreSQL: \(cause.map { String(reflecting: $0) } ?? "transaction failed")")
        }
    }

    static func bucket(for time: Int64) -> Int64 { Store.bucket(for: time) }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// The advisory-lock key of a service's bucket (a collision only serialises two compactions).
    static func lockKey(service: Int64, bucket: Int64) -> Int64 {
        (service &* 1_000_003) &+ bucket
    }
}
