import GRDB
import GRDBSQLite
import HeadroomCore

/// Writes of one ingest: stacks, their per-bucket and all-time samples, label sets, and the batched upsert every
/// per-row table uses.
extension Store {
    /// The first profile fixes a service's sample type; later ones must match it.
    func checkSampleType(_ db: Database, service: Int64, contribution: ProfileContribution) throws {
        let current = try String.fetchOne(db, sql: "SELECT sample_type FROM service WHERE id = ?", arguments: [service])
        if let current, current != contribution.sampleType {
            throw HeadroomError(
                .badInput,
                "\(contribution.source): its samples are \(contribution.sampleType), but service '\(contribution.service)' holds \(current) profiles (choose another with --sample-type)"
            )
        }
        if current == nil {
            try db.execute(
                sql: "UPDATE service SET sample_type = ? WHERE id = ?", arguments: [contribution.sampleType, service])
        }
    }

    func insertStacks(
        _ db: Database, service: Int64, bucket: Int64, contribution: ProfileContribution, frameIDs: [Int64]
    ) throws {
        guard !contribution.stacks.isEmpty else { return }
        let labelSetIDs = try contribution.labelSets.map { try labelSetID(db, $0) }
        // Stacks are found by a 64-bit hash of their text (an integer index is far cheaper than one on long text),
        // and the text is compared, so a hash collision makes a second row rather than merging two stacks.
        let findStack = try db.cachedStatement(sql: "SELECT id, frames FROM stack WHERE hash = ?")
        let addStack = try db.cachedStatement(sql: "INSERT INTO stack (hash, frames) VALUES (?, ?)")
        // Several label sets share one stack: look each distinct stack up once.
        var stackIDs = [Int64](repeating: -1, count: contribution.uniqueStacks.count)
        var rows: [(stack: Int64, labelSet: Int64, samples: Int64)] = []
        rows.reserveCapacity(contribution.stacks.count)
        for stack in contribution.stacks where stack.samples > 0 {
            let stackID: Int64
            if stackIDs[stack.stack] >= 0 {
                stackID = stackIDs[stack.stack]
            } else {
                let frames = contribution.uniqueStacks[stack.stack]
                var text = ""
                text.reserveCapacity(frames.count * 6)
                for (index, frame) in frames.enumerated() {
                    if index > 0 { text += "," }
                    text += String(frameIDs[Int(frame)])
                }
                let hash = Self.stackHash(text)
                var id: Int64?
                // Bound and stepped directly, like the insert below: GRDB's per-call bookkeeping costs more than
                // SQLite's own work for these small statements.
                let find = findStack.sqliteStatement
                sqlite3_bind_int64(find, 1, hash)
                while id == nil, sqlite3_step(find) == SQLITE_ROW {
                    if let bytes = sqlite3_column_text(find, 1), String(cString: bytes) == text {
                        id = sqlite3_column_int64(find, 0)
                    }
                }
                sqlite3_reset(find)
                if id == nil {
                    let add = addStack.sqliteStatement
                    sqlite3_bind_int64(add, 1, hash)
                    let status = text.withCString {
                        sqlite3_bind_text(add, 2, $0, -1, sqliteTransient); return sqlite3_step(add)
                    }
                    sqlite3_reset(add)
                    guard status == SQLITE_DONE else {
                        throw DatabaseError(
                            resultCode: ResultCode(rawValue: status),
                            message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                    id = db.lastInsertedRowID
                }
                stackIDs[stack.stack] = id!
                stackID = id!
            }
            rows.append((stackID, labelSetIDs[stack.labelSet], stack.samples))
        }
        // In key order, so the B-tree grows at its end instead of splitting pages all over.
        rows.sort { ($0.stack, $0.labelSet) < ($1.stack, $1.labelSet) }
        try insertStackSamples(db, service: service, bucket: bucket, rows: rows)
        // The all-time rollup: one row per stack, its label sets summed (rows are in stack order).
        var totals: [(stack: Int64, samples: Int64)] = []
        for row in rows {
            if let last = totals.last, last.stack == row.stack {
                totals[totals.count - 1].samples += row.samples
            } else {
                totals.append((row.stack, row.samples))
            }
        }
        try upsertRows(
            db, table: "stack_total", columns: ["service_id", "stack_id", "samples"], key: ["service_id", "stack_id"],
            add: ["samples"], count: totals.count
        ) { raw, base, index in
            sqlite3_bind_int64(raw, base + 1, service)
            sqlite3_bind_int64(raw, base + 2, totals[index].stack)
            sqlite3_bind_int64(raw, base + 3, totals[index].samples)
        }
    }

    /// The hottest writes of a large ingest: many rows per statement, bound and stepped directly (GRDB's argument
    /// arrays cost more than SQLite's own work here).
    private func insertStackSamples(
        _ db: Database, service: Int64, bucket: Int64, rows: [(stack: Int64, labelSet: Int64, samples: Int64)]
    ) throws {
        try upsertRows(
            db, table: "stack_bucket", columns: ["service_id", "bucket", "stack_id", "label_set_id", "samples"],
            key: ["service_id", "bucket", "stack_id", "label_set_id"], add: ["samples"], count: rows.count
        ) { raw, base, index in
            sqlite3_bind_int64(raw, base + 1, service)
            sqlite3_bind_int64(raw, base + 2, bucket)
            sqlite3_bind_int64(raw, base + 3, rows[index].stack)
            sqlite3_bind_int64(raw, base + 4, rows[index].labelSet)
            sqlite3_bind_int64(raw, base + 5, rows[index].samples)
        }
    }

    /// Inserts `count` rows, 64 per statement; a row whose `key` exists adds to its `add` columns instead. `bind`
    /// binds row `index`'s columns at parameters `base + 1...`.
    func upsertRows(
        _ db: Database, table: String, columns: [String], key: [String], add: [String], count: Int,
        bind: (OpaquePointer, Int32, Int) -> Void
    ) throws {
        let batch = 64
        let row = "(" + columns.map { _ in "?" }.joined(separator: ", ") + ")"
        func statement(_ count: Int) throws -> Statement {
            try db.cachedStatement(
                sql: """
                    INSERT INTO \(table) (\(columns.joined(separator: ", "))) \
                    VALUES \(Array(repeating: row, count: count).joined(separator: ", "))
                    ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(add.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
                    """)
        }
        var start = 0
        while start < count {
            let size = min(batch, count - start)
            let raw = try statement(size).sqliteStatement
            for index in 0..<size { bind(raw, Int32(index * columns.count), start + index) }
            let status = sqlite3_step(raw)
            sqlite3_reset(raw)
            guard status == SQLITE_DONE else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: status),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            start += size
        }
    }

    /// FNV-1a of a stack's text, as a signed 64-bit integer for SQLite.
    static func stackHash(_ text: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int64(bitPattern: hash)
    }

    private func labelSetID(_ db: Database, _ labels: [(key: String, value: String)]) throws -> Int64 {
        guard !labels.isEmpty else { return 0 }
        let text = labels.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM label_set WHERE text = ?", arguments: [text]) {
            return id
        }
        try db.execute(sql: "INSERT INTO label_set (text) VALUES (?)", arguments: [text])
        let id = db.lastInsertedRowID
        for label in labels {
            try db.execute(
                sql: "INSERT OR REPLACE INTO label_entry (label_set_id, key, value) VALUES (?, ?, ?)",
                arguments: [id, label.key, label.value])
        }
        return id
    }
}
