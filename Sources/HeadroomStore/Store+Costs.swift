import GRDB
import GRDBSQLite
import HeadroomCore

/// Per-function samples over a time range, keyed by the store's function id (names are looked up only for the rows a
/// caller keeps: decoding thousands of names per query costs more than the sums).
public struct FunctionCosts: Sendable {
    /// The range's total samples, the denominator of every share.
    public var totalSamples: Int64
    public var costs: [Int64: (selfSamples: Int64, totalSamples: Int64)]
}

/// How a time range sits in a service's buckets, which decides how it is read.
struct RangeSpan {
    /// Samples in the range.
    var total: Int64
    /// The range covers every bucket: the all-time rollups answer it.
    var allTime: Bool
    /// The range covers at most a quarter of the buckets: its rows by primary key (bucket first) beat the
    /// per-function index, which holds every bucket's rows (one bucket of ten, 6k functions: 4 ms against 8 ms).
    var fewBuckets: Bool

    /// The index of `function_bucket` a range sum should read.
    var functionBucketIndex: String {
        fewBuckets ? "sqlite_autoindex_function_bucket_1" : "function_bucket_by_function"
    }

    /// One read of the service's per-bucket totals.
    static func of(_ db: Database, service: Int64, from lower: Int64, to upper: Int64) throws -> RangeSpan {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT COALESCE(SUM(CASE WHEN bucket BETWEEN ?1 AND ?2 THEN total_samples ELSE 0 END), 0),
                       COALESCE(SUM(bucket BETWEEN ?1 AND ?2), 0), COUNT(*), MIN(bucket), MAX(bucket)
                FROM bucket_total WHERE service_id = ?3
                """, arguments: [lower, upper, service])
        let inside: Int = row?[1] ?? 0
        let buckets: Int = row?[2] ?? 0
        let first: Int64? = row?[3]
        let last: Int64? = row?[4]
        return RangeSpan(
            total: row?[0] ?? 0,
            allTime: first.map { lower <= $0 } ?? true && last.map { upper >= $0 } ?? true,
            fewBuckets: inside * 4 <= buckets)
    }
}

extension Store {
    /// Every function's self and total samples over a range, by function id.
    public func functionCosts(service: String, from: Int64? = nil, to: Int64? = nil) throws -> FunctionCosts {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            let lower = from ?? Int64.min
            let upper = to ?? Int64.max
            let span = try RangeSpan.of(db, service: id, from: lower, to: upper)
            let statement =
                span.allTime
                ? try db.cachedStatement(
                    sql: """
                        SELECT function_id, self_samples, total_samples FROM function_total WHERE service_id = ?
                        """)
                : try db.cachedStatement(
                    sql: """
                        SELECT function_id, SUM(self_samples), SUM(total_samples)
                        FROM function_bucket INDEXED BY \(span.functionBucketIndex)
                        WHERE service_id = ? AND bucket BETWEEN ? AND ? GROUP BY function_id
                        """)
            try statement.setArguments(span.allTime ? [id] : [id, lower, upper])
            let raw = statement.sqliteStatement
            defer { sqlite3_reset(raw) }
            var costs: [Int64: (selfSamples: Int64, totalSamples: Int64)] = [:]
            try Self.step(raw, db) {
                costs[sqlite3_column_int64($0, 0)] = (sqlite3_column_int64($0, 1), sqlite3_column_int64($0, 2))
            }
            return FunctionCosts(totalSamples: span.total, costs: costs)
        }
    }

    /// The functions with these ids (ids the store does not hold are left out).
    public func functions<S: Sequence>(ids: S) throws -> [Int64: FunctionRef] where S.Element == Int64 {
        try reading { db in try functionRefs(db, ids: ids) }
    }

    func functionRefs<S: Sequence>(_ db: Database, ids: S) throws -> [Int64: FunctionRef] where S.Element == Int64 {
        // One statement for any number of ids: they travel as one JSON array (json_each is part of SQLite).
        let list = "[" + Set(ids).map(String.init).joined(separator: ",") + "]"
        let statement = try db.cachedStatement(
            sql: """
                SELECT id, name, file FROM function WHERE id IN (SELECT value FROM json_each(?))
                """)
        try statement.setArguments([list])
        var names: [Int64: FunctionRef] = [:]
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        try Self.step(raw, db) {
            let file = String(cString: sqlite3_column_text($0, 2))
            names[sqlite3_column_int64($0, 0)] = FunctionRef(
                name: String(cString: sqlite3_column_text($0, 1)), file: file.isEmpty ? nil : file)
        }
        return names
    }

    /// Steps a statement to its end, calling `row` on each row: the read loop for large results, where GRDB's
    /// per-row decoding costs more than SQLite's own work.
    static func step(_ raw: OpaquePointer, _ db: Database, row: (OpaquePointer) throws -> Void) throws {
        while true {
            let status = sqlite3_step(raw)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: status),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            try row(raw)
        }
    }
}

extension Store {
    /// A function's samples per source line over a range (self: the line on top of the stack; total: the line
    /// anywhere in it), where its profiles named lines; empty when none did.
    public func lineCosts(service: String, function: FunctionRef, from: Int64? = nil, to: Int64? = nil) throws
        -> [Int: (selfSamples: Int64, totalSamples: Int64)]
    {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT l.line, SUM(l.self_samples), SUM(l.total_samples) FROM function_line l
                    JOIN function f ON f.id = l.function_id
                    WHERE l.service_id = ? AND f.name = ? AND f.file = ? AND l.bucket BETWEEN ? AND ?
                    GROUP BY l.line
                    """,
                arguments: [id, function.name, function.file ?? "", from ?? Int64.min, to ?? Int64.max])
            var lines: [Int: (selfSamples: Int64, totalSamples: Int64)] = [:]
            for row in rows { lines[row[0]] = (row[1], row[2]) }
            return lines
        }
    }
}
