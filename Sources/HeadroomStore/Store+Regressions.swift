import Foundation
import GRDB
import HeadroomCore

extension Store {
    /// Replaces the service's detected regressions with a new set, in one transaction, and returns them with ids.
    ///
    /// A regression already stored for the same function, metric and bucket keeps its id (so ids users have seen
    /// stay valid across re-runs).
    public func replaceRegressions(service: String, with regressions: [Regression]) throws -> [Regression] {
        try writing { db in
            let serviceID = try serviceID(db, name: service, create: true)!
            var kept: [Int64] = []
            var result: [Regression] = []
            for var regression in regressions {
                let function = try functionID(db, regression.function)
                let members = try JSONCoding.string(regression.members)
                if let existing = try Int64.fetchOne(
                    db,
                    sql:
                        "SELECT id FROM regression WHERE service_id = ? AND function_id = ? AND metric = ? AND bucket = ?",
                    arguments: [serviceID, function, regression.metric.rawValue, regression.timestamp])
                {
                    try db.execute(
                        sql: """
                            UPDATE regression SET idx = ?, previous_bucket = ?, before = ?, after = ?, p_value = ?,
                              confidence = ?, kind = ?, members = ?, mde = ?, effect = ? WHERE id = ?
                            """,
                        arguments: [
                            regression.index, regression.previousTimestamp, regression.before,
                            regression.after, regression.pValue, regression.confidence,
                            regression.kind.rawValue, members, regression.mde, regression.effect, existing,
                        ])
                    regression.id = existing
                } else {
                    try db.execute(
                        sql: """
                            INSERT INTO regression (service_id, function_id, metric, idx, bucket, previous_bucket, before,
                              after, p_value, confidence, kind, members, detected_at, mde, effect)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            serviceID, function, regression.metric.rawValue, regression.index,
                            regression.timestamp, regression.previousTimestamp, regression.before,
                            regression.after, regression.pValue, regression.confidence,
                            regression.kind.rawValue, members, Timestamps.now(), regression.mde,
                            regression.effect,
                        ])
                    regression.id = db.lastInsertedRowID
                }
                kept.append(regression.id!)
                result.append(regression)
            }
            let stale = try Int64.fetchAll(
                db, sql: "SELECT id FROM regression WHERE service_id = ?", arguments: [serviceID]
            ).filter { !kept.contains($0) }
            for id in stale {
                // Patches keep their history; only their link to a regression that no longer holds is cleared.
                try db.execute(sql: "UPDATE patch SET regression_id = NULL WHERE regression_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM regression WHERE id = ?", arguments: [id])
            }
            return result
        }
    }

    /// Stored regressions, largest change first (`Regression.bySeverity`, the order every adapter lists them in).
    public func regressions(service: String? = nil) throws -> [Regression] {
        try reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.*, s.name AS service, f.name, f.file, \(Self.triageColumns) FROM regression r
                    JOIN service s ON s.id = r.service_id JOIN function f ON f.id = r.function_id
                    \(Self.triageJoin)
                    WHERE ? IS NULL OR s.name = ? ORDER BY r.id
                    """, arguments: [service, service]
            ).map(Self.regression(from:))
        }.sorted(by: Regression.bySeverity)
    }

    /// One regression by id.
    public func regression(id: Int64) throws -> Regression {
        let found = try reading { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT r.*, s.name AS service, f.name, f.file, \(Self.triageColumns) FROM regression r
                    JOIN service s ON s.id = r.service_id JOIN function f ON f.id = r.function_id
                    \(Self.triageJoin) WHERE r.id = ?
                    """, arguments: [id]
            ).map(Self.regression(from:))
        }
        guard let found else { throw HeadroomError(.notFound, "no regression with id \(id)") }
        return found
    }

    /// The verdict columns a regression query selects (`triageJoin` names the table).
    static let triageColumns = """
        t.verdict AS triage_verdict, t.note AS triage_note, t.decided_at AS triage_at, \
        t.snooze_until AS triage_snooze_until
        """
    static let triageJoin = """
        LEFT JOIN regression_triage t ON t.service_id = r.service_id AND t.function_id = r.function_id
          AND t.metric = r.metric AND t.bucket = r.bucket
        """

    private static func regression(from row: Row) throws -> Regression {
        var regression = try plainRegression(from: row)
        if let verdict = (row["triage_verdict"] as String?).flatMap(Triage.Verdict.init(rawValue:)) {
            regression.triage = Triage(
                verdict: verdict, note: row["triage_note"] ?? "", decidedAt: row["triage_at"] ?? 0,
                snoozeUntil: row["triage_snooze_until"])
        }
        return regression
    }

    private static func plainRegression(from row: Row) throws -> Regression {
        Regression(
            id: row["id"], service: row["service"], function: FunctionRef(row: row),
            metric: CostMetric(rawValue: row["metric"]) ?? .selfShare, index: row["idx"], timestamp: row["bucket"],
            previousTimestamp: row["previous_bucket"], before: row["before"], after: row["after"],
            pValue: row["p_value"], confidence: row["confidence"],
            kind: Regression.Kind(rawValue: row["kind"]) ?? .regression,
            members: try JSONCoding.decode([RegressionMember].self, row["members"]), mde: row["mde"],
            effect: row["effect"])
    }

    /// Replaces a regression's ranked candidates.
    public func saveCandidates(_ candidates: [RootCauseCandidate], regression: Int64) throws {
        try writing { db in
            try db.execute(sql: "DELETE FROM rootcause_candidate WHERE regression_id = ?", arguments: [regression])
            for (rank, candidate) in candidates.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO rootcause_candidate (regression_id, rank, kind, ref, author, email, message, score,
                          evidence, functions, confidence, features, live_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        regression, rank, candidate.kind.rawValue, candidate.ref, candidate.author,
                        candidate.email, candidate.message, candidate.score,
                        try JSONCoding.string(candidate.evidence), try JSONCoding.string(candidate.functions),
                        candidate.confidence, try JSONCoding.string(candidate.features), candidate.liveAt,
                    ])
            }
        }
    }

    /// A regression's stored candidates, best first.
    public func candidates(regression: Int64) throws -> [RootCauseCandidate] {
        try reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM rootcause_candidate WHERE regression_id = ? ORDER BY rank",
                arguments: [regression]
            ).map {
                RootCauseCandidate(
                    kind: RootCauseCandidate.Kind(rawValue: $0["kind"]) ?? .commit, ref: $0["ref"],
                    author: $0["author"], email: $0["email"], message: $0["message"], score: $0["score"],
                    confidence: $0["confidence"], evidence: try JSONCoding.decode([String].self, $0["evidence"]),
                    functions: try JSONCoding.decode([ChangedFunction].self, $0["functions"]),
                    features: try JSONCoding.decode([String: Double].self, $0["features"]), liveAt: $0["live_at"])
            }
        }
    }
}

extension Store {
    /// One function's samples in every bucket of its service, oldest first, with each bucket's total (0 where the
    /// function had none): the series a regression page draws.
    public func functionSeries(service: String, function: FunctionRef) throws
        -> [(bucket: Int64, total: Int64, selfSamples: Int64, totalSamples: Int64)]
    {
        try reading { db in
            let serviceID = try knownServiceID(db, name: service)
            guard
                let functionID = try Int64.fetchOne(
                    db, sql: "SELECT id FROM function WHERE name = ? AND file = ?",
                    arguments: [function.name, function.file ?? ""])
            else { return [] }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT t.bucket, t.total_samples, COALESCE(f.self_samples, 0) AS self,
                           COALESCE(f.total_samples, 0) AS total
                    FROM bucket_total t LEFT JOIN function_bucket f
                      ON f.service_id = t.service_id AND f.bucket = t.bucket AND f.function_id = ?
                    WHERE t.service_id = ? ORDER BY t.bucket
                    """, arguments: [functionID, serviceID]
            ).map { ($0["bucket"], $0["total_samples"], $0["self"], $0["total"]) }
        }
    }
}

extension Store {
    /// Changes whenever a profile of the service is stored (count and newest id): a key for caches of figures
    /// computed from its samples.
    public func profileVersion(service: String) throws -> String {
        try reading { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, COALESCE(MAX(p.id), 0) AS newest FROM profile p
                    JOIN service s ON s.id = p.service_id WHERE s.name = ?
                    """, arguments: [service])
            return "\(row?["n"] ?? 0)/\(row?["newest"] ?? 0)"
        }
    }
}
