import Foundation
import GRDB
import Testing

@testable import HeadroomStore

/// A new store is created from `SchemaSnapshot`; every migration replayed on an empty database must give the same
/// schema, rows and migration record, so a store made new and one upgraded through every version are alike.
@Suite(.ownThreads) struct SchemaSnapshotTests {
    @Test func snapshotMatchesTheMigrations() throws {
        let migrated = try DatabaseQueue()
        try Schema.migrator().migrate(migrated)
        let expected = try migrated.read { try SchemaSnapshot.dump($0) }
        if ProcessInfo.processInfo.environment["HEADROOM_WRITE_SCHEMA_SNAPSHOT"] == "1" {
            try write(expected)
        }
        #expect(
            SchemaSnapshot.statements == expected.statements && SchemaSnapshot.migrations == expected.migrations,
            "the schema snapshot is out of date: run HEADROOM_WRITE_SCHEMA_SNAPSHOT=1 swift test --filter SchemaSnapshotTests"
        )
        let snapshot = try DatabaseQueue()
        try snapshot.write { try SchemaSnapshot.create($0) }
        let made = try snapshot.read { try SchemaSnapshot.dump($0) }
        #expect(made.statements == expected.statements)
        #expect(made.migrations == expected.migrations)
        #expect(try snapshot.read { try Schema.migrator().hasCompletedMigrations($0) })
    }

    @Test func newStoresAreMadeFromTheSnapshotAndStillMigrate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = try Store.open(path: path)
        #expect(try store.queue.read { try Int32.fetchOne($0, sql: "PRAGMA application_id") } == Store.applicationID)
        let made = try store.queue.read { try SchemaSnapshot.dump($0) }
        #expect(made.migrations == SchemaSnapshot.migrations)
        #expect(try store.queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }

    private func write(_ dump: (statements: [String], migrations: [String])) throws {
        func literal(_ text: String) -> String {
            "        #\"\"\"\n"
                + text.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }
                .joined(separator: "\n") + "\n        \"\"\"#"
        }
        let source = """
            // Written by SchemaSnapshotTests (HEADROOM_WRITE_SCHEMA_SNAPSHOT=1); do not edit by hand.

            extension SchemaSnapshot {
                static let statements: [String] = [
            \(dump.statements.map { literal($0) + "," }.joined(separator: "\n"))
                ]
                static let migrations: [String] = [
            \(dump.migrations.map { "        \"\($0)\"," }.joined(separator: "\n"))
                ]
            }

            """
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/HeadroomStore/SchemaSnapshot+Statements.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
    }
}
