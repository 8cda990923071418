import Foundation
import GRDB

/// The schema every migration in `Schema` builds, as one script: a new store is created from it in one transaction
/// and its migrations are recorded as applied. `SchemaSnapshotTests` checks it against the migrations and rewrites
/// `SchemaSnapshot+Statements.swift` when run with `HEADROOM_WRITE_SCHEMA_SNAPSHOT=1`.
enum SchemaSnapshot {
    /// Creates the snapshot's tables, indexes and rows in an empty database and marks its migrations applied.
    static func create(_ db: Database) throws {
        for statement in statements { try db.execute(sql: statement) }
        for identifier in migrations {
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
        }
    }

    /// The schema's objects as SQLite stores them (`sqlite_master.sql`), tables before indexes, then the rows the
    /// migrations insert into an empty store.
    static func dump(_ db: Database) throws -> (statements: [String], migrations: [String]) {
        let objects = try Row.fetchAll(
            db,
            sql: """
                SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
                ORDER BY type = 'index', name
                """)
        var statements = objects.map { $0["sql"] as String }
        for table in objects where table["type"] == "table" {
            let name: String = table["name"]
            guard name != "grdb_migrations" else { continue }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier) ORDER BY 1") {
                let values = row.databaseValues.map(literal).joined(separator: ", ")
                statements.append("INSERT INTO \(name.quotedDatabaseIdentifier) VALUES (\(values))")
            }
        }
        let migrations = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        return (statements, migrations)
    }

    /// A value as an SQL literal.
    private static func literal(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "NULL"
        case .int64(let number): String(number)
        case .double(let number): "\(number)"
        case .string(let text): "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob(let data): "X'" + data.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }
}
