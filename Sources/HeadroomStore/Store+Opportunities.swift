import Foundation
import GRDB
import HeadroomCore

extension Store {
    /// Replaces a scan's opportunities for `service` in `repository` in one transaction: found ones are inserted or
    /// updated in place (ids stay stable across scans); ones no longer found are removed unless a patch refers to
    /// them. Returns the stored opportunities with ids.
    public func replaceOpportunities(service: String, repository: String, with found: [Opportunity]) throws
        -> [Opportunity]
    {
        try writing { db in
            var kept: [Int64] = []
            var saved: [Opportunity] = []
            for var opportunity in found {
                try db.execute(
                    sql: """
                        INSERT INTO opportunity (service, function, file, line, pattern, skill, share, share_basis, cores,
                          watts, savings_cores, savings_watts, detail, blocked, repo, evidence, criteria, found_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (service, file, function, pattern) DO UPDATE SET line = excluded.line,
                          skill = excluded.skill, share = excluded.share, share_basis = excluded.share_basis,
                          cores = excluded.cores, watts = excluded.watts, savings_cores = excluded.savings_cores,
                          savings_watts = excluded.savings_watts, detail = excluded.detail, blocked = excluded.blocked,
                          repo = excluded.repo, evidence = excluded.evidence, criteria = excluded.criteria,
                          found_at = excluded.found_at
                        """,
                    arguments: [
                        opportunity.service, opportunity.function, opportunity.file, opportunity.line,
                        opportunity.pattern, opportunity.skill, opportunity.share, opportunity.shareBasis,
                        opportunity.cores, opportunity.watts, opportunity.savingsCores,
                        opportunity.savingsWatts, opportunity.detail, opportunity.blocked,
                        opportunity.repository, try JSONCoding.string(opportunity.evidence),
                        try JSONCoding.string(opportunity.validationCriteria), Timestamps.now(),
                    ])
                opportunity.id = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM opportunity WHERE service = ? AND file = ? AND function = ? AND pattern = ?
                        """,
                    arguments: [opportunity.service, opportunity.file, opportunity.function, opportunity.pattern])
                kept.append(opportunity.id!)
                saved.append(opportunity)
            }
            let placeholders = kept.isEmpty ? "NULL" : kept.map { _ in "?" }.joined(separator: ",")
            try db.execute(
                sql: """
                    DELETE FROM opportunity WHERE service = ? AND repo = ? AND id NOT IN (\(placeholders))
                      AND id NOT IN (SELECT opportunity_id FROM patch WHERE opportunity_id IS NOT NULL)
                      AND share_basis != 'sweep'
                    """,
                arguments: StatementArguments(
                    [service, repository] + kept.map { $0 as (any DatabaseValueConvertible) }))
            return saved
        }
    }

    /// Adds opportunities a learning sweep found (share basis `sweep`: look-alikes of an accepted fix, not yet
    /// measured by a profile) in one transaction; one already stored for the same service, file, function and pattern
    /// (a measured one, or an earlier sweep's) is kept as it is. Returns the ones added, with ids.
    public func addSweepOpportunities(_ found: [Opportunity]) throws -> [Opportunity] {
        try writing { db in
            var added: [Opportunity] = []
            for var opportunity in found {
                try db.execute(
                    sql: """
                        INSERT INTO opportunity (service, function, file, line, pattern, skill, share, share_basis, cores,
                          watts, savings_cores, savings_watts, detail, blocked, repo, evidence, criteria, found_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'sweep', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (service, file, function, pattern) DO NOTHING
                        """,
                    arguments: [
                        opportunity.service, opportunity.function, opportunity.file, opportunity.line,
                        opportunity.pattern, opportunity.skill, opportunity.share, opportunity.cores,
                        opportunity.watts, opportunity.savingsCores, opportunity.savingsWatts, opportunity.detail,
                        opportunity.blocked, opportunity.repository, try JSONCoding.string(opportunity.evidence),
                        try JSONCoding.string(opportunity.validationCriteria), Timestamps.now(),
                    ])
                guard db.changesCount > 0 else { continue }
                opportunity.id = db.lastInsertedRowID
                opportunity.shareBasis = "sweep"
                added.append(opportunity)
            }
            return added
        }
    }

    /// Stored opportunities ranked by estimated savings.
    public func opportunities(service: String? = nil) throws -> [Opportunity] {
        try reading { db in
            let filter = service == nil ? "" : "WHERE service = ?"
            return try Row.fetchAll(
                db, sql: "SELECT * FROM opportunity \(filter) ORDER BY blocked IS NULL DESC, savings_cores DESC, id",
                arguments: service.map { [$0] } ?? []
            ).map(Self.opportunity(from:))
        }
    }

    public func opportunity(id: Int64) throws -> Opportunity {
        let row = try reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM opportunity WHERE id = ?", arguments: [id])
        }
        guard let row else { throw HeadroomError(.notFound, "no opportunity \(id) (see `headroom opportunities`)") }
        return Self.opportunity(from: row)
    }

    static func opportunity(from row: Row) -> Opportunity {
        let evidence: String = row["evidence"]
        let criteria: String = row["criteria"]
        return Opportunity(
            id: row["id"], service: row["service"], function: row["function"], file: row["file"], line: row["line"],
            pattern: row["pattern"], skill: row["skill"], share: row["share"], shareBasis: row["share_basis"],
            cores: row["cores"], watts: row["watts"], savingsCores: row["savings_cores"],
            savingsWatts: row["savings_watts"], detail: row["detail"], blocked: row["blocked"], repository: row["repo"],
            evidence: (try? JSONCoding.decode([String].self, evidence)) ?? [],
            validationCriteria: (try? JSONCoding.decode([String].self, criteria)) ?? [])
    }
}
