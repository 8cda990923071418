import Foundation
import HeadroomCore
import HeadroomStore
import PostgresNIO

/// What the web dashboard reads beyond the regressions: a service's profile version (the key of cached flame
/// graphs) and one function's share series.
extension PostgresProfileStore {
    /// Changes whenever a profile of the service is stored (count and newest id), as on SQLite.
    public func profileVersion(service: String) async throws -> String {
        let row = try await client.query(
            """
            SELECT COUNT(*), COALESCE(MAX(p.id), 0) FROM profile p JOIN service s ON s.id = p.service_id
            WHERE s.name = \(service)
            """, logger: logger
        ).collect().first
        guard let row else { return "0/0" }
        let (count, newest) = try row.decode((Int64, Int64).self)
        return "\(count)/\(newest)"
    }

    /// One function's samples in every bucket of its service, oldest first, with each bucket's total (0 where the
    /// function had none); an unknown service is a not-found error.
    public func functionSeries(service: String, function: FunctionRef) async throws
        -> [(bucket: Int64, total: Int64, selfSamples: Int64, totalSamples: Int64)]
    {
        let (serviceID, known) = try await ids(service: service, function: function)
        guard let functionID = known else { return [] }
        var costs: [Int64: (Int64, Int64)] = [:]
        for try await (bucket, blob) in try await client.query(
            "SELECT bucket, costs FROM function_bucket_set WHERE service_id = \(serviceID)", logger: logger
        ).decode((Int64, Data).self) {
            if let cost = try FunctionCostSet.decode(blob).first(where: { $0.function == functionID }) {
                costs[bucket] = (cost.selfSamples, cost.totalSamples)
            }
        }
        var series: [(bucket: Int64, total: Int64, selfSamples: Int64, totalSamples: Int64)] = []
        for try await (bucket, total) in try await client.query(
            "SELECT bucket, total_samples FROM bucket_total WHERE service_id = \(serviceID) ORDER BY bucket",
            logger: logger
        ).decode((Int64, Int64).self) {
            let cost = costs[bucket] ?? (0, 0)
            series.append((bucket, total, cost.0, cost.1))
        }
        return series
    }

    /// A service's id (an unknown service is a not-found error) and a function's, nil when no profile named it.
    func ids(service: String, function: FunctionRef) async throws -> (service: Int64, function: Int64?) {
        guard
            let serviceID = try await client.query("SELECT id FROM service WHERE name = \(service)", logger: logger)
                .collect().first?.decode(Int64.self)
        else { throw HeadroomError(.notFound, "unknown service '\(service)'") }
        let functionID = try await client.query(
            "SELECT id FROM function WHERE name = \(function.name) AND file = \(function.file ?? "")", logger: logger
        ).collect().first?.decode(Int64.self)
        return (serviceID, functionID)
    }
}
