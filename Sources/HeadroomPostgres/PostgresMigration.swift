import HeadroomCore
import Logging
import PostgresNIO

/// One version of the PostgreSQL schema, applied once whichever server or worker starts first: under one
/// transaction-scoped advisory lock (every Headroom migration takes the same one), recorded in `schema_version`.
enum PostgresMigration {
    static func apply(version: String, statements: [String], client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(727001)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                logger: logger)
            let applied = try await connection.query(
                "SELECT 1 FROM schema_version WHERE version = \(version)", logger: logger
            ).collect()
            guard applied.isEmpty else { return }
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO schema_version (version, applied_at) VALUES (\(version), \(Timestamps.now()))",
                logger: logger)
        }
    }
}
