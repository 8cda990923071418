import Foundation
import HeadroomCore
import HeadroomStore
import Logging

/// Offense on a schedule: every `interval` (and once shortly after the server starts), each registered repository
/// whose service has profiles is scanned against that service's recent profiles, as `headroom opportunities --repo
/// DIR --service S` would, so the opportunities list (API, MCP, dashboard) follows the code and the load.
public struct OpportunityRescan: Sendable {
    /// The store of repositories and opportunities.
    public let store: Store
    /// Time between passes.
    public var interval: Duration
    /// Where each pass's scans and failures are logged.
    public var logger: Logger
    /// Scans one service's repository; returns how many opportunities it found.
    public typealias Scan = @Sendable (_ service: String, _ root: String) throws -> Int

    /// A rescan over `store` every `interval`.
    public init(store: Store, interval: Duration, logger: Logger = EngineLog.disabled("headroom.rescan")) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// The scanner with the server's cost model and skills.
    public static func scanner(_ context: ToolContext) -> Scan {
        let skills = try? context.catalog()
        return { service, root in
            try OpportunityScanner(store: context.store, costModel: context.costModel).scan(
                service: service, repository: root, skills: skills
            ).count
        }
    }

    /// One pass over the registered repositories; returns (service, found) for each scanned, nil where it failed.
    @discardableResult
    public func pass(scan: Scan) -> [(service: String, found: Int?)] {
        let services = Set((try? store.serviceSummaries().map(\.service)) ?? [])
        var done: [(String, Int?)] = []
        for repository in (try? store.registeredRepositories()) ?? [] {
            guard let service = repository.service, services.contains(service) else { continue }
            do {
                let found = try scan(service, repository.root)
                logger.info("opportunities rescanned", metadata: ["service": "\(service)", "found": "\(found)"])
                done.append((service, found))
            } catch {
                logger.warning(
                    "opportunity scan failed",
                    metadata: ["service": "\(service)", "error": "\(HeadroomError.oneLine(error))"])
                done.append((service, nil))
            }
        }
        return done
    }

    /// Scans `startDelay` after the start, then every `interval`, until cancelled.
    public func run(startDelay: Duration = .seconds(10), scan: @escaping Scan) async {
        do { try await Task.sleep(for: startDelay) } catch { return }
        while !Task.isCancelled {
            _ = try? await AsyncBridge.offPool { self.pass(scan: scan) }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
