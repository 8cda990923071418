import Foundation
import GRDB
import GRDBSQLite
import HeadroomCore

/// Headroom's embedded store: one SQLite file, migrated on open, every write one transaction.
public final class Store: Sendable {
    /// The default location, relative to the current directory.
    public static let defaultPath = ".headroom/headroom.sqlite"
    /// Width of a time bucket in seconds; profiles are summed per bucket.
    public static let bucketSeconds: Int64 = 60

    let queue: DatabaseQueue
    public let path: String

    private init(queue: DatabaseQueue, path: String) {
        self.queue = queue
        self.path = path
    }

    /// How long a write waits for another process's write lock before giving up, in seconds:
    /// `HEADROOM_STORE_BUSY_TIMEOUT`, default 30.
    public static var busyTimeout: Double {
        ProcessInfo.processInfo.environment["HEADROOM_STORE_BUSY_TIMEOUT"].flatMap(Double.init).map { max(0, $0) } ?? 30
    }

    /// One write transaction; a lock held by another process past `busyTimeout` is one clear error, and nothing
    /// of this transaction is written.
    func writing<T>(_ updates: (Database) throws -> T) throws -> T {
        do { return try queue.write(updates) } catch let error as DatabaseError where Self.isBusy(error) {
            throw Self.busy(path)
        }
    }

    /// One read; a lock held past `busyTimeout` is one clear error.
    func reading<T>(_ value: (Database) throws -> T) throws -> T {
        do { return try queue.read(value) } catch let error as DatabaseError where Self.isBusy(error) {
            throw Self.busy(path)
        }
    }

    private static func isBusy(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    private static func busy(_ path: String) -> HeadroomError {
        HeadroomError(
            .store,
            String(
                format:
                    "the store %@ is busy: another headroom process held its lock for %.0f s; nothing was written (try again, or raise HEADROOM_STORE_BUSY_TIMEOUT)",
                path, busyTimeout))
    }

    /// Marks a SQLite file as a Headroom store (`PRAGMA application_id`, "HDRM").
    public static let applicationID: Int32 = 0x4844_524D

    /// Opens (and with `create`, creates) the store at `path`; `:memory:` gives a private in-memory store. A file that
    /// is not a Headroom store (another program's SQLite database, or not SQLite at all) is refused and left
    /// untouched. `source` says how the path was chosen, for the not-found message.
    public static func open(path: String, create: Bool = true, source: String? = nil) throws -> Store {
        if path == ":memory:" {
            let queue = try DatabaseQueue()
            try migrate(queue, fresh: true)
            return Store(queue: queue, path: path)
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw HeadroomError(.store, "store \(path) is a directory, not a SQLite file") }
        } else {
            guard create else {
                let how =
                    source.map { source -> String in
                        switch source {
                        case "default": return "; no .headroom/ here or above, HEADROOM_STORE unset"
                        case "--store", "HEADROOM_STORE": return " (from \(source))"
                        default: return ""
                        }
                    } ?? ""
                throw HeadroomError(
                    .store, "no store at \(path)\(how): ingest profiles or run 'headroom demo' first, or pass --store")
            }
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty {
                do {
                    try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
                } catch {
                    throw HeadroomError(.store, "cannot create the store's folder \(parent)")
                }
            }
        }
        do {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.busyMode = .timeout(busyTimeout)
            // A 64 MiB page cache: a large ingest then stays in memory instead of re-reading index pages.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -65536") }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let marked = try checkOwnership(queue, path: path)
            try migrate(queue, fresh: !marked && isEmpty(queue))
            if !marked { try queue.write { db in try db.execute(sql: "PRAGMA application_id = \(applicationID)") } }
            let store = Store(queue: queue, path: path)
            // Profiles a server accepted but had not compacted when it stopped (or that it is still compacting):
            // counted before anyone reads. Best effort - a read-only store, or a damaged log row the server
            // reports, leaves the rest of the store as usable as before.
            if try queue.read({ db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ingest_log)") }) == true
            {
                _ = try? store.compactIngestLog()
            }
            return store
        } catch let error as DatabaseError where isBusy(error) {
            throw busy(path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw HeadroomError(
                .store, "\(path) is not a Headroom store (not a SQLite database); it was left untouched")
        } catch let error as DatabaseError {
            throw HeadroomError(
                .store, "store \(path) is not a usable Headroom store: \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// Brings the schema up to date. A new, empty store gets today's schema in one transaction from
    /// `SchemaSnapshot` (replaying every migration re-parses the growing schema after each change and cost most of a
    /// first ingest's fixed time); the migrator then finds every migration applied, or applies any the snapshot
    /// predates.
    private static func migrate(_ queue: DatabaseQueue, fresh: Bool) throws {
        if fresh { try queue.write { db in try SchemaSnapshot.create(db) } }
        try Schema.migrator().migrate(queue)
    }

    private static func isEmpty(_ queue: DatabaseQueue) throws -> Bool {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0 } == 0
    }

    /// Switches the store to write-ahead logging, for a long-running writer (`headroom serve`): a commit appends the
    /// pages it changed to the log and syncs that (`synchronous = FULL`: a commit that returned is on disk) instead
    /// of copying them to a rollback journal and then into the file, and readers - the API, other `headroom`
    /// commands - no longer wait for writers. The mode stays with the file; every command works on it as before.
    public func useWriteAheadLog() throws {
        guard path != ":memory:" else { return }
        let mode = try queue.inDatabase { db -> String? in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return mode
        }
        guard mode?.lowercased() == "wal" else {
            throw HeadroomError(.store, "store \(path): write-ahead logging unavailable (journal mode \(mode ?? "?"))")
        }
    }

    /// Refuses a database that is not Headroom's: ours carry `applicationID` (or, made before it was set, Headroom's
    /// migration history); an empty file or database is new. Returns whether it is already marked as ours.
    private static func checkOwnership(_ queue: DatabaseQueue, path: String) throws -> Bool {
        try queue.read { db in
            let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            if id == applicationID { return true }
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if tables.isEmpty { return false }
            let migrated =
                tables.contains("grdb_migrations")
                ? try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v1')")
                    ?? false
                : false
            let ours = migrated && tables.contains("function_bucket")
            guard id == 0, ours else {
                let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
                throw HeadroomError(
                    .store,
                    "\(path) is a SQLite database but not a Headroom store (tables: \(shown)); it was left untouched")
            }
            return false
        }
    }

    /// Rounds a time down to its bucket.
    public static func bucket(for time: Int64) -> Int64 {
        let floor = time / bucketSeconds * bucketSeconds
        return floor > time ? floor - bucketSeconds : floor
    }

    func serviceID(_ db: Database, name: String, create: Bool) throws -> Int64? {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM service WHERE name = ?", arguments: [name]) {
            return id
        }
        guard create else { return nil }
        try db.execute(sql: "INSERT INTO service (name) VALUES (?)", arguments: [name])
        return db.lastInsertedRowID
    }

    /// The id of a service the store holds, or a not-found error naming it.
    func knownServiceID(_ db: Database, name: String) throws -> Int64 {
        guard let id = try serviceID(db, name: name, create: false) else {
            throw HeadroomError(.notFound, "unknown service '\(name)'")
        }
        return id
    }

    /// The ids of many distinct functions, in order, adding the new ones: bound and stepped directly (a profile can
    /// name tens of thousands of functions, and GRDB's argument arrays cost more than SQLite's own lookup).
    func functionIDs(_ db: Database, _ functions: [FunctionRef]) throws -> [Int64] {
        let find = try db.cachedStatement(sql: "SELECT id FROM function WHERE name = ? AND file = ?").sqliteStatement
        let add = try db.cachedStatement(sql: "INSERT INTO function (name, file) VALUES (?, ?)").sqliteStatement
        // The cache shares these statements with `functionID(_:_:)`, which GRDB steps and leaves unreset: SQLite
        // refuses new bindings on such a statement (SQLITE_MISUSE) and would run it with stale or cleared ones.
        sqlite3_reset(find)
        sqlite3_reset(add)
        // Looked up and added in (about) index order, by the first 16 bytes of the name: the (name, file) index is
        // then walked and grown page after page instead of at random places (a large profile's functions come in
        // the order its samples met them).
        let order = functions.indices.map { index in
            (prefix: Self.sortPrefix(functions[index].name), index: index)
        }.sorted { $0.prefix < $1.prefix }
        var ids = [Int64](repeating: 0, count: functions.count)
        for (_, index) in order { ids[index] = try functionID(db, functions[index], find: find, add: add) }
        return ids
    }

    /// The first 16 bytes of `text`, big-endian in two words, so that comparing the words compares the bytes.
    private static func sortPrefix(_ text: String) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        var position = 0
        for byte in text.utf8 {
            if position < 8 {
                words.0 |= UInt64(byte) << UInt64(56 - 8 * position)
            } else {
                words.1 |= UInt64(byte) << UInt64(56 - 8 * (position - 8))
            }
            position += 1
            if position == 16 { break }
        }
        return words
    }

    private func functionID(_ db: Database, _ function: FunctionRef, find: OpaquePointer, add: OpaquePointer) throws
        -> Int64
    {
        let file = function.file ?? ""
        var id: Int64?
        function.name.withCString { name in
            file.withCString { file in
                sqlite3_bind_text(find, 1, name, -1, sqliteTransient)
                sqlite3_bind_text(find, 2, file, -1, sqliteTransient)
                if sqlite3_step(find) == SQLITE_ROW { id = sqlite3_column_int64(find, 0) }
                sqlite3_reset(find)
            }
        }
        if id == nil {
            let status = function.name.withCString { name in
                file.withCString { file in
                    sqlite3_bind_text(add, 1, name, -1, sqliteTransient)
                    sqlite3_bind_text(add, 2, file, -1, sqliteTransient)
                    defer { sqlite3_reset(add) }
                    return sqlite3_step(add)
                }
            }
            guard status == SQLITE_DONE else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: status),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            id = sqlite3_last_insert_rowid(db.sqliteConnection)
        }
        return id!
    }

    func functionID(_ db: Database, _ function: FunctionRef) throws -> Int64 {
        let file = function.file ?? ""
        let find = try db.cachedStatement(sql: "SELECT id FROM function WHERE name = ? AND file = ?")
        if let id = try Int64.fetchOne(find, arguments: [function.name, file]) { return id }
        try db.cachedStatement(sql: "INSERT INTO function (name, file) VALUES (?, ?)").execute(arguments: [
            function.name, file,
        ])
        return db.lastInsertedRowID
    }

    /// Names of the services in the store.
    public func services() throws -> [String] {
        try reading { db in try String.fetchAll(db, sql: "SELECT name FROM service ORDER BY name") }
    }

    /// Per service, when its newest profile was ingested (Unix seconds): what a detection loop watches.
    public func lastIngest() throws -> [String: Int64] {
        try reading { db in
            var result: [String: Int64] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT s.name, MAX(p.ingested_at) FROM profile p JOIN service s ON s.id = p.service_id GROUP BY s.name
                    """)
            {
                result[row[0]] = row[1]
            }
            return result
        }
    }

    /// Fails with a clear error when the service is unknown.
    public func requireService(_ name: String) throws {
        let known = try services()
        guard known.contains(name) else { throw Store.unknownService(name, known: known) }
    }
}

extension FunctionRef {
    init(row: Row, nameColumn: String = "name", fileColumn: String = "file") {
        let file: String = row[fileColumn]
        self.init(name: row[nameColumn], file: file.isEmpty ? nil : file)
    }
}

/// One service's extent in the store.
public struct ServiceSummary: Sendable, Equatable {
    public var service: String
    public var samples: Int64
    public var buckets: Int
    public var from: Int64
    public var to: Int64

    /// A summary from its fields.
    public init(service: String, samples: Int64, buckets: Int, from: Int64, to: Int64) {
        self.service = service
        self.samples = samples
        self.buckets = buckets
        self.from = from
        self.to = to
    }
}

extension Store {
    /// Every service with its sample count and the time its buckets cover.
    public func serviceSummaries() throws -> [ServiceSummary] {
        try reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.name AS name, COALESCE(SUM(b.total_samples), 0) AS samples, COUNT(b.bucket) AS buckets,
                           COALESCE(MIN(b.bucket), 0) AS first, COALESCE(MAX(b.bucket), 0) AS last
                    FROM service s LEFT JOIN bucket_total b ON b.service_id = s.id
                    GROUP BY s.id ORDER BY s.name
                    """
            ).map { row in
                ServiceSummary(
                    service: row["name"], samples: row["samples"], buckets: row["buckets"], from: row["first"],
                    to: row["last"])
            }
        }
    }
}
