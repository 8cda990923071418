import GRDB
import GRDBSQLite
import HeadroomCore

/// One stored stack with its samples, as a query returns it.
public struct StoredStack: Sendable {
    /// Root first.
    public var frames: [FunctionRef]
    public var samples: Int64

    /// A stack of `samples` samples.
    public init(frames: [FunctionRef], samples: Int64) {
        self.frames = frames
        self.samples = samples
    }
}

/// What stack queries read, whichever engine holds them: a range's stacks, summed over buckets.
public protocol StackStore: Sendable {
    /// A service's stacks over a time range (inclusive), summed over buckets; with `label`, only samples carrying
    /// it. Also the range's total samples under the same filter (the denominator of every share).
    func stacks(service: String, from: Int64?, to: Int64?, label: (key: String, value: String)?) async throws
        -> (totalSamples: Int64, stacks: [StoredStack])

    /// The sample type of the service's profiles (`cpu/nanoseconds`, `samples/count`), nil before any.
    func sampleType(service: String) async throws -> String?
}

extension Store {
    /// A service's stacks over a time range, summed over buckets; with `label`, only samples carrying it.
    /// Also returns the range's total samples under the same filter (the denominator of every share).
    public func stacks(
        service: String, from: Int64? = nil, to: Int64? = nil, label: (key: String, value: String)? = nil
    )
        throws -> (totalSamples: Int64, stacks: [StoredStack])
    {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            var names: [Int64: FunctionRef] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, name, file FROM function") {
                names[row["id"]] = FunctionRef(row: row)
            }
            var filter = ""
            var arguments: StatementArguments = [id, from ?? Int64.min, to ?? Int64.max]
            if let label {
                filter = """
                    AND b.label_set_id IN (SELECT label_set_id FROM label_entry WHERE key = ? AND value = ?)
                    """
                arguments += [label.key, label.value]
            }
            let span = try RangeSpan.of(db, service: id, from: from ?? Int64.min, to: to ?? Int64.max)
            // All time without a label is the per-stack rollup: one row per stack instead of one per stack and bucket.
            let rows =
                label == nil && span.allTime
                ? try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT s.frames, t.samples AS samples FROM stack_total t JOIN stack s ON s.id = t.stack_id
                        WHERE t.service_id = ?
                        """, arguments: [id])
                : try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT s.frames, SUM(b.samples) AS samples FROM stack_bucket b JOIN stack s ON s.id = b.stack_id
                        WHERE b.service_id = ? AND b.bucket BETWEEN ? AND ? \(filter) GROUP BY b.stack_id
                        """, arguments: arguments)
            var stacks: [StoredStack] = []
            var stackTotal: Int64 = 0
            while let row = try rows.next() {
                let text: String = row["frames"]
                let frames =
                    text.isEmpty ? [] : text.split(separator: ",").compactMap { Int64($0).flatMap { names[$0] } }
                let samples: Int64 = row["samples"]
                stackTotal += samples
                stacks.append(StoredStack(frames: frames, samples: samples))
            }
            return (label == nil ? span.total : stackTotal, stacks)
        }
    }

    /// A service's stacks over a time range as root-first function ids, in path order: sorted by their frame text,
    /// so that all stacks through one path are adjacent. `start` gets the range's total samples (under `label`, the
    /// samples carrying it) before the first stack; ids are named with `functions(ids:)`. Nothing is held per stack,
    /// which a large store's flame graph needs (10M samples: 400k stacks).
    public func forEachStackInPathOrder(
        service: String, from: Int64? = nil, to: Int64? = nil, label: (key: String, value: String)? = nil,
        start: (Int64) throws -> Void, _ body: ([Int64], Int64) throws -> Void
    ) throws {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            let (lower, upper) = (from ?? Int64.min, to ?? Int64.max)
            let span = try RangeSpan.of(db, service: id, from: lower, to: upper)
            let filter =
                label == nil
                ? ""
                : """
                 AND label_set_id IN (SELECT label_set_id FROM label_entry WHERE key = ? AND value = ?)
                """
            let arguments: StatementArguments = [id, lower, upper] + (label.map { [$0.key, $0.value] } ?? [])
            if label == nil {
                try start(span.total)
            } else {
                try start(
                    try Int64.fetchOne(
                        db,
                        sql:
                            "SELECT COALESCE(SUM(samples), 0) FROM stack_bucket WHERE service_id = ? AND bucket BETWEEN ? AND ?\(filter)",
                        arguments: arguments) ?? 0)
            }
            let statement =
                label == nil && span.allTime
                ? try db.makeStatement(
                    sql: """
                        SELECT s.frames, t.samples FROM stack_total t JOIN stack s ON s.id = t.stack_id
                        WHERE t.service_id = ? ORDER BY s.frames
                        """)
                : try db.makeStatement(
                    sql: """
                        SELECT s.frames, x.samples FROM (
                            SELECT stack_id, SUM(samples) AS samples FROM stack_bucket
                            WHERE service_id = ? AND bucket BETWEEN ? AND ?\(filter) GROUP BY stack_id
                        ) x JOIN stack s ON s.id = x.stack_id ORDER BY s.frames
                        """)
            try statement.setArguments(label == nil && span.allTime ? [id] : arguments)
            let raw = statement.sqliteStatement
            var frames: [Int64] = []
            try Self.step(raw, db) { row in
                Self.parseFrames(sqlite3_column_text(row, 0), into: &frames)
                try body(frames, sqlite3_column_int64(row, 1))
            }
        }
    }

    /// The sample type a service's profiles count (`samples/count` for folded, perf and py-spy).
    public func sampleType(service: String) throws -> String? {
        try reading { db in
            try String.fetchOne(db, sql: "SELECT sample_type FROM service WHERE name = ?", arguments: [service])
        }
    }
}

/// SQLite's SQLITE_TRANSIENT: it copies the bound bytes before the call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Store {
    /// The `limit` heaviest stacks in a time range (ties by stack id); only those stacks' frames are decoded (the
    /// flame query of a tool call, which must not decode every stack of a large store).
    ///
    /// All time is the first rows of the per-stack rollup's index by samples. A range sums its buckets' rows in
    /// one pass, keeping the heaviest with a bounded selection.
    public func heaviestStacks(service: String, from: Int64? = nil, to: Int64? = nil, limit: Int)
        throws -> (totalSamples: Int64, stacks: [StoredStack])
    {
        try reading { db in
            let id = try knownServiceID(db, name: service)
            let lower = from ?? Int64.min
            let upper = to ?? Int64.max
            let span = try RangeSpan.of(db, service: id, from: lower, to: upper)
            var top: [(stack: Int64, samples: Int64)] = []
            if span.allTime {
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT stack_id, samples FROM stack_total WHERE service_id = ?
                        ORDER BY samples DESC, stack_id DESC LIMIT ?
                        """)
                try statement.setArguments([id, limit])
                let raw = statement.sqliteStatement
                defer { sqlite3_reset(raw) }
                try Self.step(raw, db) { top.append((sqlite3_column_int64($0, 0), sqlite3_column_int64($0, 1))) }
            } else {
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT stack_id, samples FROM stack_bucket WHERE service_id = ? AND bucket BETWEEN ? AND ?
                        """)
                try statement.setArguments([id, lower, upper])
                let raw = statement.sqliteStatement
                defer { sqlite3_reset(raw) }
                var sums: [Int64: Int64] = [:]
                try Self.step(raw, db) { sums[sqlite3_column_int64($0, 0), default: 0] += sqlite3_column_int64($0, 1) }
                top = sums.heaviest(limit).map { ($0.key, $0.value) }
            }
            let frames = try stackFrames(db, ids: top.map(\.stack))
            let names = try functionRefs(db, ids: frames.values.joined())
            let stacks = top.map { row in
                StoredStack(frames: (frames[row.stack] ?? []).compactMap { names[$0] }, samples: row.samples)
            }
            return (span.total, stacks)
        }
    }

    /// The frames (function ids, root first) of these stacks.
    private func stackFrames(_ db: Database, ids: [Int64]) throws -> [Int64: [Int64]] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT id, frames FROM stack WHERE id IN (SELECT value FROM json_each(?))
                """)
        try statement.setArguments(["[" + ids.map(String.init).joined(separator: ",") + "]"])
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        var frames: [Int64: [Int64]] = [:]
        var parsed: [Int64] = []
        try Self.step(raw, db) {
            Self.parseFrames(sqlite3_column_text($0, 1), into: &parsed)
            frames[sqlite3_column_int64($0, 0)] = parsed
        }
        return frames
    }

    /// A stack's frame text ("12,7,301", function ids root first) into `frames`, in place, without a String.
    static func parseFrames(_ text: UnsafePointer<UInt8>?, into frames: inout [Int64]) {
        frames.removeAll(keepingCapacity: true)
        guard var cursor = text else { return }
        var value: Int64 = 0
        var digits = false
        while true {
            let byte = cursor.pointee
            if byte >= 48 && byte <= 57 {
                value = value &* 10 &+ Int64(byte - 48)
                digits = true
            } else {
                if digits { frames.append(value) }
                value = 0
                digits = false
                if byte == 0 { return }
            }
            cursor += 1
        }
    }
}

extension Dictionary where Key == Int64, Value == Int64 {
    /// The `count` entries with the largest values, largest first, ties by the larger key (the order of the rollup
    /// index read backwards).
    func heaviest(_ count: Int) -> [(key: Int64, value: Int64)] {
        guard count > 0 else { return [] }
        func before(_ a: (key: Int64, value: Int64), _ b: (key: Int64, value: Int64)) -> Bool {
            a.value != b.value ? a.value > b.value : a.key > b.key
        }
        guard count * 8 < self.count else { return Array(map { ($0.key, $0.value) }.sorted(by: before).prefix(count)) }
        // A sorted window of the best `count`: most entries lose to its last one and cost one comparison.
        var best: [(key: Int64, value: Int64)] = []
        best.reserveCapacity(count + 1)
        for (key, value) in self {
            let entry = (key: key, value: value)
            if best.count == count, !before(entry, best[count - 1]) { continue }
            var low = 0
            var high = best.count
            while low < high {
                let middle = (low + high) / 2
                if before(best[middle], entry) { low = middle + 1 } else { high = middle }
            }
            best.insert(entry, at: low)
            if best.count > count { best.removeLast() }
        }
        return best
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
