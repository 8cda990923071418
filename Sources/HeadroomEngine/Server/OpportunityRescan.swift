import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomStore
import Logging

/// Offense on a schedule: every `interval` (and once shortly after the server starts), published patches are followed
/// on their forges (with `reviews`), then each registered repository whose service has profiles is scanned against that service's recent profiles, as `headroom opportunities --repo
/// DIR --service S` would, so the opportunities list (API, MCP, dashboard) follows the code and the load.
public struct OpportunityRescan: Sendable {
    /// The store of repositories and opportunities.
    public let store: Store
    /// Time between passes.
    public var interval: Duration
    /// Where each pass's scans and failures are logged.
    public var logger: Logger
    /// With a catalog, each pass first asks the forges about published patches (`PublishService.sync`): a merged
    /// one becomes applied and is swept for look-alikes, a closed one rejected.
    public var reviews: (publisher: PublishService, catalog: SkillCatalog)?
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

    /// Follows published patches on their forges: merged ones are recorded as applied and swept, closed ones as
    /// rejected. Returns what each published patch awaiting review was found to be.
    @discardableResult
    public func followReviews() async -> [PublishService.SyncOutcome] {
        guard let reviews else { return [] }
        do {
            let (outcomes, sweeps) = try await reviews.publisher.sync(sweeping: reviews.catalog)
            for outcome in outcomes where outcome.action != "waiting" {
                logger.info(
                    "published patch reviewed on the forge",
                    metadata: [
                        "patch": "\(outcome.patch)", "action": "\(outcome.action)", "error": "\(outcome.error ?? "")",
                    ])
            }
            for sweep in sweeps {
                logger.info("learning sweep", metadata: ["patch": "\(sweep.patch)", "filed": "\(sweep.filed.count)"])
            }
            return outcomes
        } catch {
            logger.warning("forge review sync failed", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            return []
        }
    }

    /// Scans `startDelay` after the start, then every `interval`, until cancelled.
    public func run(startDelay: Duration = .seconds(10), scan: @escaping Scan) async {
        do { try await Task.sleep(for: startDelay) } catch { return }
        while !Task.isCancelled {
            await followReviews()
            _ = try? await AsyncBridge.offPool { self.pass(scan: scan) }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
