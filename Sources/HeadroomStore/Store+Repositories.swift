import Foundation
import GRDB
import HeadroomCore

extension Store {
    /// Registers the repository whose top-level folder is `root` (already resolved by the caller) under `name`.
    /// Registering a registered root again returns it unchanged; a name taken by another root is refused.
    @discardableResult
    public func registerRepository(root: String, name: String, service: String?) throws -> RegisteredRepository {
        guard Self.isValidRepositoryName(name) else {
            throw HeadroomError(.badInput, "repository name '\(name)' must be letters, digits, '.', '_' or '-'")
        }
        return try writing { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM repository WHERE root = ?", arguments: [root]) {
                return Self.repository(from: row)
            }
            if let other = try String.fetchOne(db, sql: "SELECT root FROM repository WHERE name = ?", arguments: [name])
            {
                throw HeadroomError(.badInput, "repository name '\(name)' is already \(other); choose another name")
            }
            try db.execute(
                sql: "INSERT INTO repository (name, root, service, added_at) VALUES (?, ?, ?, ?)",
                arguments: [name, root, service, Timestamps.now()])
            return try Self.repository(
                from: Row.fetchOne(db, sql: "SELECT * FROM repository WHERE name = ?", arguments: [name])!)
        }
    }

    /// Every registered repository, by name.
    public func registeredRepositories() throws -> [RegisteredRepository] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM repository ORDER BY name").map(Self.repository(from:))
        }
    }

    /// Removes a registration (the repository itself is untouched); false when there was none.
    @discardableResult
    public func unregisterRepository(name: String) throws -> Bool {
        try writing { db in
            try db.execute(sql: "DELETE FROM repository WHERE name = ?", arguments: [name])
            return db.changesCount == 1
        }
    }

    public static func isValidRepositoryName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
            && !name.hasPrefix("-") && !name.hasPrefix(".")
    }

    static func repository(from row: Row) -> RegisteredRepository {
        RegisteredRepository(
            name: row["name"], root: row["root"], service: row["service"],
            addedAt: Timestamps.format(row["added_at"] as Int64))
    }

    // MARK: patch owners

    /// Marks patches as worked on by `owner` (a `ProcessLease`), or releases them with nil.
    public func setPatchOwner(_ ids: [Int64], owner: String?) throws {
        guard !ids.isEmpty else { return }
        try writing { db in
            for id in ids { try db.execute(sql: "UPDATE patch SET owner = ? WHERE id = ?", arguments: [owner, id]) }
        }
    }

    /// Patches some process is working on, with that process's lease.
    public func ownedPatches() throws -> [(id: Int64, owner: String, status: PatchRecord.Status)] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT id, owner, status FROM patch WHERE owner IS NOT NULL ORDER BY id").map {
                ($0["id"], $0["owner"], PatchRecord.Status(rawValue: $0["status"]) ?? .failed)
            }
        }
    }

    /// Releases every patch `owner` holds (its run finished).
    public func releasePatches(owner: String) throws {
        try writing { db in try db.execute(sql: "UPDATE patch SET owner = NULL WHERE owner = ?", arguments: [owner]) }
    }

    /// Ends the work of an owner that stopped: its patches still `proposed` become `cancelled` with `reason`, and
    /// every patch it held is released. Returns the ids cancelled.
    @discardableResult
    public func cancelPatches(owner: String, reason: String) throws -> [Int64] {
        try writing { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM patch WHERE owner = ? AND status = 'proposed'", arguments: [owner])
            try db.execute(
                sql: "UPDATE patch SET status = 'cancelled', reason = ? WHERE owner = ? AND status = 'proposed'",
                arguments: [reason, owner])
            try db.execute(sql: "UPDATE patch SET owner = NULL WHERE owner = ?", arguments: [owner])
            return ids
        }
    }
}
