import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// Change history on PostgreSQL: registered repositories, imported commits (each one's fields as the JSON every
/// adapter writes, its identity and what queries select on in columns) and deploys — what root-cause ranking reads
/// in team mode. The semantics are the SQLite store's (`Store+Changes.swift`), query for query.
extension PostgresProfileStore {
    static let changeTables = [
        """
        CREATE TABLE repository (
            name TEXT PRIMARY KEY, root TEXT NOT NULL UNIQUE, service TEXT, added_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE change_commit (
            id BIGSERIAL PRIMARY KEY, repo TEXT NOT NULL, sha TEXT NOT NULL, kind TEXT NOT NULL, time BIGINT NOT NULL,
            parents TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (repo, sha))
        """,
        "CREATE INDEX change_commit_sha ON change_commit (sha)",
        "CREATE INDEX change_commit_config ON change_commit (time) WHERE kind = 'config'",
        """
        CREATE TABLE deploy (
            id BIGSERIAL PRIMARY KEY, service_id BIGINT NOT NULL REFERENCES service(id), commit_sha TEXT NOT NULL,
            time BIGINT NOT NULL, UNIQUE (service_id, commit_sha, time))
        """,
        // A regression's ranking goes with it when detection drops the regression.
        """
        CREATE TABLE rootcause_candidate (
            regression_id BIGINT NOT NULL REFERENCES regression(id) ON DELETE CASCADE, rank INT NOT NULL,
            body TEXT NOT NULL, PRIMARY KEY (regression_id, rank))
        """,
    ]

    // MARK: Repositories

    public func registerRepository(root: String, name: String, service: String?) async throws
        -> RegisteredRepository
    {
        guard Store.isValidRepositoryName(name) else {
            throw HeadroomError(.badInput, "repository name '\(name)' must be letters, digits, '.', '_' or '-'")
        }
        return try await transaction { connection in
            try await connection.query("LOCK TABLE repository IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            if let known = try await Self.repositories(
                connection.query(
                    "SELECT name, root, service, added_at FROM repository WHERE root = \(root)", logger: logger)
            ).first {
                return known
            }
            if let other = try await Self.repositories(
                connection.query(
                    "SELECT name, root, service, added_at FROM repository WHERE name = \(name)", logger: logger)
            ).first {
                throw HeadroomError(
                    .badInput, "repository name '\(name)' is already \(other.root); choose another name")
            }
            let now = Timestamps.now()
            try await connection.query(
                "INSERT INTO repository (name, root, service, added_at) VALUES (\(name), \(root), \(service), \(now))",
                logger: logger)
            return RegisteredRepository(name: name, root: root, service: service, addedAt: Timestamps.format(now))
        }
    }

    public func registeredRepositories() async throws -> [RegisteredRepository] {
        try await Self.repositories(
            client.query(
                "SELECT name, root, service, added_at FROM repository ORDER BY name COLLATE \"C\"", logger: logger))
    }

    public func unregisterRepository(name: String) async throws -> Bool {
        try await !client.query("DELETE FROM repository WHERE name = \(name) RETURNING 1", logger: logger).collect()
            .isEmpty
    }

    private static func repositories(_ rows: PostgresRowSequence) async throws -> [RegisteredRepository] {
        var found: [RegisteredRepository] = []
        for try await (name, root, service, added) in rows.decode((String, String, String?, Int64).self) {
            found.append(
                RegisteredRepository(name: name, root: root, service: service, addedAt: Timestamps.format(added)))
        }
        return found
    }

    // MARK: Commits

    public func saveCommits(_ commits: [Commit], repository: String) async throws -> Int {
        // The last copy of a sha wins, as replacing it one commit at a time would.
        var latest: [String: Int] = [:]
        for (index, commit) in commits.enumerated() { latest[commit.sha] = index }
        let unique = commits.indices.filter { latest[commits[$0].sha] == $0 }.map { commits[$0].asStored }
        return try await transaction { connection in
            // Two imports of one repository at once: one after the other.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(727003, hashtext(\(repository)))", logger: logger)
            var added = 0
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = unique[start..<min(start + 500, unique.count)]
                let shas = chunk.map(\.sha)
                let kinds = chunk.map(\.kind.rawValue)
                let times = chunk.map(\.time)
                let parents = chunk.map { $0.parents.joined(separator: " ") }
                let bodies = try chunk.map(Self.json)
                // A known commit is replaced by a new row, as on SQLite: it sorts after older ties from now on.
                let replaced = try await connection.query(
                    "DELETE FROM change_commit WHERE repo = \(repository) AND sha = ANY(\(shas)) RETURNING 1",
                    logger: logger
                ).collect().count
                try await connection.query(
                    """
                    INSERT INTO change_commit (repo, sha, kind, time, parents, body)
                    SELECT \(repository), c.sha, c.kind, c.time, c.parents, c.body
                    FROM unnest(\(shas)::TEXT[], \(kinds)::TEXT[], \(times)::BIGINT[], \(parents)::TEXT[],
                                \(bodies)::TEXT[]) WITH ORDINALITY AS c(sha, kind, time, parents, body, n)
                    ORDER BY c.n
                    """, logger: logger)
                added += chunk.count - replaced
            }
            return added
        }
    }

    /// The repository folders whose history was imported, in name order.
    public func repositories() async throws -> [String] {
        var found: [String] = []
        for try await repository in try await client.query(
            "SELECT DISTINCT repo FROM change_commit ORDER BY repo", logger: logger
        ).decode(String.self) {
            found.append(repository)
        }
        return found
    }

    public func knownCommits(repository: String) async throws -> Set<String> {
        var shas = Set<String>()
        for try await sha in try await client.query(
            "SELECT sha FROM change_commit WHERE repo = \(repository)", logger: logger
        ).decode(String.self) {
            shas.insert(sha)
        }
        return shas
    }

    public func commitGraph() async throws -> [String: [String]] {
        var graph: [String: [String]] = [:]
        for try await (sha, parents) in try await client.query(
            "SELECT sha, parents FROM change_commit ORDER BY id", logger: logger
        ).decode((String, String).self) {
            graph[sha] = parents.split(separator: " ").map(String.init)
        }
        return graph
    }

    public func commits(shas: [String]) async throws -> [Commit] {
        guard !shas.isEmpty else { return [] }
        return try await commits(
            client.query("SELECT body FROM change_commit WHERE sha = ANY(\(shas)) ORDER BY time, id", logger: logger)
        ).sorted { ($0.time, $0.sha) < ($1.time, $1.sha) }
    }

    public func configCommits(from: Int64, to: Int64) async throws -> [Commit] {
        try await commits(
            client.query(
                """
                SELECT body FROM change_commit WHERE kind = 'config' AND time BETWEEN \(from) AND \(to)
                ORDER BY time, id
                """, logger: logger))
    }

    public func repository(ofCommit sha: String) async throws -> String? {
        try await client.query("SELECT repo FROM change_commit WHERE sha = \(sha) ORDER BY id LIMIT 1", logger: logger)
            .collect().first?.decode(String.self)
    }

    public func resolveCommit(_ reference: String) async throws -> String {
        let ref = reference.lowercased()
        guard ref.count >= 7, ref.allSatisfy(\.isHexDigit) else {
            throw HeadroomError(.badInput, "'\(reference)' is not a commit sha (7 to 40 hex digits)")
        }
        let matches = try await client.query(
            "SELECT DISTINCT sha FROM change_commit WHERE starts_with(sha, \(ref)) LIMIT 2", logger: logger
        ).collect().map { try $0.decode(String.self) }
        guard let first = matches.first else {
            throw HeadroomError(
                .notFound, "unknown commit \(reference) (import its repository with headroom changes import)")
        }
        guard matches.count == 1 else { throw HeadroomError(.badInput, "commit prefix \(reference) is ambiguous") }
        return first
    }

    private func commits(_ rows: PostgresRowSequence) async throws -> [Commit] {
        var found: [Commit] = []
        for try await body in rows.decode(String.self) {
            do {
                found.append(try JSONDecoder().decode(Commit.self, from: Data(body.utf8)))
            } catch {
                throw HeadroomError(.store, "a stored commit does not decode: \(HeadroomError.oneLine(error))")
            }
        }
        return found
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: Deploys

    public func addDeploys(_ deploys: [Deploy]) async throws -> Int {
        try await transaction { connection in
            let shas = Array(Set(deploys.map(\.commit)))
            var known = Set<String>()
            for row in try await connection.query(
                "SELECT DISTINCT sha FROM change_commit WHERE sha = ANY(\(shas))", logger: logger
            ).collect() {
                known.insert(try row.decode(String.self))
            }
            if let unknown = deploys.first(where: { !known.contains($0.commit) }) {
                throw HeadroomError(
                    .notFound, "unknown commit \(unknown.commit) (import it with headroom changes import)")
            }
            var services: [String: Int64] = [:]
            var added = 0
            for deploy in deploys {
                if services[deploy.service] == nil {
                    services[deploy.service] = try await serviceID(connection, deploy.service)
                }
                let service = services[deploy.service]!
                added += try await connection.query(
                    """
                    INSERT INTO deploy (service_id, commit_sha, time) VALUES (\(service), \(deploy.commit), \(deploy.time))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger
                ).collect().count
            }
            return added
        }
    }

    public func deploys(service: String) async throws -> [Deploy] {
        var found: [Deploy] = []
        for try await (sha, time) in try await client.query(
            """
            SELECT d.commit_sha, d.time FROM deploy d JOIN service s ON s.id = d.service_id
            WHERE s.name = \(service) ORDER BY d.time, d.id
            """, logger: logger
        ).decode((String, Int64).self) {
            found.append(Deploy(service: service, commit: sha, time: time))
        }
        return found
    }
}
