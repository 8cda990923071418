import GRDB
import HeadroomCore

extension Store {
    /// Records (or replaces, for a patch validated again) one predicted-against-measured point.
    public func recordCalibration(_ point: CalibrationPoint) throws {
        try writing { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO calibration (patch_id, opportunity_id, pattern, share, share_basis, predicted,
                        speedup, measured, significant, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    point.patchID, point.opportunityID, point.pattern, point.share, point.shareBasis, point.predicted,
                    point.speedup, point.measured, point.significant, point.recordedAt,
                ])
        }
    }

    /// Every recorded point, oldest first.
    public func calibration(pattern: String? = nil) throws -> [CalibrationPoint] {
        try reading { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT * FROM calibration \(pattern == nil ? "" : "WHERE pattern = ?") ORDER BY recorded_at, patch_id",
                arguments: pattern.map { [$0] } ?? []
            ).map { row in
                var point = CalibrationPoint(
                    patchID: row["patch_id"], opportunityID: row["opportunity_id"], pattern: row["pattern"],
                    share: row["share"], shareBasis: row["share_basis"], predicted: row["predicted"],
                    speedup: row["speedup"], significant: row["significant"], recordedAt: row["recorded_at"])
                point.measured = row["measured"]
                return point
            }
        }
    }
}
