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
        let stackIDs = try stackIDs(db, contribution: contribution, frameIDs: frameIDs)
        var rows: [(stack: Int64, labelSet: Int64, samples: Int64)] = []
        rows.reserveCapacity(contribution.stacks.count)
        for stack in contribution.stacks where stack.samples > 0 {
            rows.append((stackIDs[stack.stack], labelSetIDs[stack.labelSet], stack.samples))
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

    /// The ids of the contribution's distinct stacks that carry samples (-1 for the others), adding the new ones.
    /// A stack is stored as its function ids, root first, comma-separated, and found by a 64-bit hash of that text
    /// (an integer index is far cheaper than one on long text); the text is compared, so a hash collision makes a
    /// second row rather than merging two stacks. The texts are built into one buffer and looked up in hash order,
    /// so the hash index is walked and grown in order instead of at random pages.
    private func stackIDs(_ db: Database, contribution: ProfileContribution, frameIDs: [Int64]) throws -> [Int64] {
        var used = [Bool](repeating: false, count: contribution.uniqueStacks.count)
        for stack in contribution.stacks where stack.samples > 0 { used[stack.stack] = true }
        // Each function id's digits once; a stack's text is then copies of them, written into one buffer sized
        // up front.
        var digits: [UInt8] = []
        var digitEnd = [Int](repeating: 0, count: frameIDs.count)
        for (frame, id) in frameIDs.enumerated() {
            Self.appendDecimal(id, to: &digits)
            digitEnd[frame] = digits.count
        }
        var size = 0
        for (index, frames) in contribution.uniqueStacks.enumerated() where used[index] {
            size += max(0, frames.count - 1)
            for frame in frames {
                let frame = Int(frame)
                size += digitEnd[frame] - (frame == 0 ? 0 : digitEnd[frame - 1])
            }
        }
        var ranges = [Range<Int>](repeating: 0..<0, count: used.count)
        var order: [(hash: Int64, stack: Int)] = []
        order.reserveCapacity(used.count)
        let text = [UInt8](unsafeUninitializedCapacity: size) { buffer, written in
            digits.withUnsafeBufferPointer { digits in
                var end = 0
                for (index, frames) in contribution.uniqueStacks.enumerated() where used[index] {
                    let start = end
                    for (position, frame) in frames.enumerated() {
                        if position > 0 {
                            buffer[end] = UInt8(ascii: ",")
                            end += 1
                        }
                        let frame = Int(frame)
                        let from = frame == 0 ? 0 : digitEnd[frame - 1]
                        for offset in from..<digitEnd[frame] {
                            buffer[end] = digits[offset]
                            end += 1
                        }
                    }
                    ranges[index] = start..<end
                    order.append(
                        (
                            Self.stackHash(
                                UnsafeBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[start..<end]))), index
                        ))
                }
                written = end
            }
        }
        order.sort { $0.hash < $1.hash }
        let find = try db.cachedStatement(sql: "SELECT id, frames FROM stack WHERE hash = ?").sqliteStatement
        let add = try db.cachedStatement(sql: "INSERT INTO stack (hash, frames) VALUES (?, ?)").sqliteStatement
        sqlite3_reset(find)
        sqlite3_reset(add)
        var ids = [Int64](repeating: -1, count: used.count)
        try text.withUnsafeBytes { raw in
            for (hash, index) in order {
                let range = ranges[index]
                let bytes = UnsafeRawBufferPointer(rebasing: raw[range])
                // Bound and stepped directly: GRDB's per-call bookkeeping costs more than SQLite's own work here.
                sqlite3_bind_int64(find, 1, hash)
                var id: Int64?
                while id == nil, sqlite3_step(find) == SQLITE_ROW {
                    let stored = sqlite3_column_blob(find, 1)
                    let count = Int(sqlite3_column_bytes(find, 1))
                    if count == bytes.count, UnsafeRawBufferPointer(start: stored, count: count).elementsEqual(bytes) {
                        id = sqlite3_column_int64(find, 0)
                    }
                }
                sqlite3_reset(find)
                if id == nil {
                    sqlite3_bind_int64(add, 1, hash)
                    sqlite3_bind_text(
                        add, 2, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
                    let status = sqlite3_step(add)
                    sqlite3_reset(add)
                    guard status == SQLITE_DONE else {
                        throw DatabaseError(
                            resultCode: ResultCode(rawValue: status),
                            message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                    id = sqlite3_last_insert_rowid(db.sqliteConnection)
                }
                ids[index] = id!
            }
        }
        return ids
    }

    /// Appends `value`'s decimal digits.
    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
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
        // The full batch's statement text is built once, not per batch.
        let full = count >= batch ? try statement(batch).sqliteStatement : nil
        var start = 0
        while start < count {
            let size = min(batch, count - start)
            let raw = try size == batch ? full! : statement(size).sqliteStatement
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
    static func stackHash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
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
