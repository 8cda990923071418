import GRDB
import HeadroomCore

/// Where delivered patches were published (one pull/merge request per patch).
extension Store {
    /// Records (or updates) a patch's publication; the first publication time is kept.
    public func savePublication(_ publication: Publication) throws {
        try writing { db in
            try db.execute(
                sql: """
                    INSERT INTO publication (patch_id, forge, repo, number, url, reviewer, published_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (patch_id) DO UPDATE SET forge = excluded.forge, repo = excluded.repo,
                        number = excluded.number, url = excluded.url,
                        reviewer = coalesce(excluded.reviewer, publication.reviewer), updated_at = excluded.updated_at
                    """,
                arguments: [
                    publication.patchID, publication.forge, publication.repo, publication.number, publication.url,
                    publication.reviewer, publication.publishedAt, publication.updatedAt,
                ])
        }
    }

    /// A patch's publication, if it was published.
    public func publication(patch id: Int64) throws -> Publication? {
        try reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM publication WHERE patch_id = ?", arguments: [id]).map(
                Self.publication)
        }
    }

    /// Every publication, newest first.
    public func publications() throws -> [Publication] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM publication ORDER BY updated_at DESC, patch_id DESC").map(
                Self.publication)
        }
    }

    static func publication(_ row: Row) -> Publication {
        Publication(
            patchID: row["patch_id"], forge: row["forge"], repo: row["repo"], number: row["number"], url: row["url"],
            reviewer: row["reviewer"], publishedAt: row["published_at"], updatedAt: row["updated_at"])
    }
}
