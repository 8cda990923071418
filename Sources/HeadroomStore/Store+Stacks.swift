import GRDB
import HeadroomCore

/// One stored stack with its samples, as a query returns it.
public struct StoredStack: Sendable {
    /// Root first.
    public var frames: [FunctionRef]
    public var samples: Int64
}

extension Store {
    /// The first profile fixes a service's sample type; later ones must match it.
    func checkSampleType(_ db: Database, service: Int64, contribution: ProfileContribution) throws {
        let current = try String.fetchOne(db, sql: "SELECT sample_type FROM service WHERE id = ?", arguments: [service])
        if let current, current != contribution.sampleType {
            throw HeadroomError(
                .badInput,
                "\(contribution.source): its samples are \(contribution.sampleType), but service '\(contribution.service)' holds \(current) profiles (choose another with --sample-type)")
        }
        if current == nil {
            try db.execute(sql: "UPDATE service SET sample_type = ? WHERE id = ?", arguments: [contribution.sampleType, service])
        }
    }

    func insertStacks(
        _ db: Database, service: Int64, bucket: Int64, contribution: ProfileContribution, ids: inout [FunctionRef: Int64]
    ) throws {
        guard !contribution.stacks.isEmpty else { return }
        var frameIDs: [Int64] = []
        for frame in contribution.frames {
            if let id = ids[frame] { frameIDs.append(id); continue }
            let id = try functionID(db, frame)
            ids[frame] = id
            frameIDs.append(id)
        }
        let labelSetIDs = try contribution.labelSets.map { try labelSetID(db, $0) }
        let addStack = try db.cachedStatement(sql: """
            INSERT INTO stack (frames) VALUES (?) ON CONFLICT (frames) DO UPDATE SET frames = excluded.frames RETURNING id
            """)
        let addSamples = try db.cachedStatement(sql: """
            INSERT INTO stack_bucket (service_id, bucket, stack_id, label_set_id, samples) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (service_id, bucket, stack_id, label_set_id) DO UPDATE SET samples = samples + excluded.samples
            """)
        for stack in contribution.stacks where stack.samples > 0 {
            let text = stack.frames.map { String(frameIDs[Int($0)]) }.joined(separator: ",")
            guard let stackID = try Int64.fetchOne(addStack, arguments: [text]) else { continue }
            try addSamples.execute(arguments: [service, bucket, stackID, labelSetIDs[stack.labelSet], stack.samples])
        }
    }

    private func labelSetID(_ db: Database, _ labels: [(key: String, value: String)]) throws -> Int64 {
        guard !labels.isEmpty else { return 0 }
        let text = labels.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM label_set WHERE text = ?", arguments: [text]) { return id }
        try db.execute(sql: "INSERT INTO label_set (text) VALUES (?)", arguments: [text])
        let id = db.lastInsertedRowID
        for label in labels {
            try db.execute(
                sql: "INSERT OR REPLACE INTO label_entry (label_set_id, key, value) VALUES (?, ?, ?)",
                arguments: [id, label.key, label.value])
        }
        return id
    }

    /// A service's stacks over a time range, summed over buckets; with `label`, only samples carrying it.
    /// Also returns the range's total samples under the same filter (the denominator of every share).
    public func stacks(service: String, from: Int64? = nil, to: Int64? = nil, label: (key: String, value: String)? = nil)
        throws -> (totalSamples: Int64, stacks: [StoredStack])
    {
        try queue.read { db in
            guard let id = try serviceID(db, name: service, create: false) else {
                throw HeadroomError(.notFound, "unknown service '\(service)'")
            }
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
            let rows = try Row.fetchCursor(
                db, sql: """
                    SELECT s.frames, SUM(b.samples) AS samples FROM stack_bucket b JOIN stack s ON s.id = b.stack_id
                    WHERE b.service_id = ? AND b.bucket BETWEEN ? AND ? \(filter) GROUP BY b.stack_id
                    """, arguments: arguments)
            var stacks: [StoredStack] = []
            var stackTotal: Int64 = 0
            while let row = try rows.next() {
                let text: String = row["frames"]
                let frames = text.isEmpty ? [] : text.split(separator: ",").compactMap { Int64($0).flatMap { names[$0] } }
                let samples: Int64 = row["samples"]
                stackTotal += samples
                stacks.append(StoredStack(frames: frames, samples: samples))
            }
            guard label == nil else { return (stackTotal, stacks) }
            let total = try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(total_samples), 0) FROM bucket_total WHERE service_id = ? AND bucket BETWEEN ? AND ?",
                arguments: [id, from ?? Int64.min, to ?? Int64.max]) ?? 0
            return (total, stacks)
        }
    }

    /// The sample type a service's profiles count (`samples/count` for folded, perf and py-spy).
    public func sampleType(service: String) throws -> String? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT sample_type FROM service WHERE name = ?", arguments: [service])
        }
    }
}
