import Foundation
import HeadroomCore
import HeadroomStore
import Logging

/// The weekly digest, delivered: regressions the triage policy left for the digest (below `notify_min_cores` and
/// `notify_min_share`) notified nobody when they were found, so once per window (a week by default, from Monday
/// 00:00 UTC) the server records one `digest.weekly` event listing them, which the webhooks deliver like any other.
/// A window with nothing for the digest sends nothing; a restart never sends a window twice.
public struct DigestSchedule: Sendable {
    /// The store it reads.
    public let store: Store
    /// Cores where the profiles do not measure them (the fleet size), and watts per core.
    public let costs: CostModel
    /// The window, in seconds.
    public var interval: Int64
    /// Where each pass is logged.
    public var logger: Logger

    /// Windows start on Monday 00:00 UTC (the Unix epoch was a Thursday).
    static let offset: Int64 = 4 * 86_400

    /// A value from its fields.
    public init(
        store: Store, costs: CostModel = CostModel(), interval: Int64 = 7 * 86_400,
        logger: Logger = EngineLog.disabled("headroom.digest")
    ) {
        precondition(interval > 0, "a positive window")
        self.store = store
        self.costs = costs
        self.interval = interval
        self.logger = logger
    }

    /// The last window that has ended by `now`: `[start, end)`.
    func window(endingBy now: Int64) -> (start: Int64, end: Int64) {
        let shifted = now - Self.offset
        let end = (shifted >= 0 ? shifted / interval : (shifted - interval + 1) / interval) * interval + Self.offset
        return (end - interval, end)
    }

    /// Records the digest of the last ended window, once; returns whether it was recorded now.
    @discardableResult
    public func pass(at now: Int64 = Timestamps.now()) throws -> Bool {
        let (start, end) = window(endingBy: now)
        let report = try TriageRouter(store: store, costs: costs).digest(since: start, until: end - 1)
        let waiting = report.regressions.filter { $0.route == .digest }
        guard !waiting.isEmpty else { return false }
        let lines = waiting.prefix(10).map { item in
            String(
                format: "%@ in %@ (%@ %.2f%% → %.2f%%, %.3f cores)", item.regression.function,
                item.regression.service, item.regression.metric.rawValue, item.regression.before * 100,
                item.regression.after * 100, item.regression.cores)
        }
        let more = waiting.count > lines.count ? "; and \(waiting.count - lines.count) more" : ""
        var payload = EventPayload(
            event: "digest.weekly", createdAt: now,
            text: "Headroom digest \(Timestamps.format(start)) – \(Timestamps.format(end)): \(waiting.count) small "
                + "regression\(waiting.count == 1 ? "" : "s") nobody was notified of: "
                + lines.joined(separator: "; ") + more)
        payload.digest = report
        let id = try store.recordEvent(
            kind: payload.event, subject: "digest/\(end)", payload: try payload.json(), at: now)
        if id != nil {
            logger.notice(
                "digest recorded",
                metadata: ["window_end": "\(Timestamps.format(end))", "regressions": "\(waiting.count)"])
        }
        return id != nil
    }

    /// Checks every hour (and shortly after the start) whether a window has ended, until cancelled.
    public func run(startDelay: Duration = .seconds(15)) async {
        do { try await Task.sleep(for: startDelay) } catch { return }
        while !Task.isCancelled {
            do {
                _ = try await AsyncBridge.offPool { try self.pass() }
            } catch {
                logger.warning("digest failed", metadata: ["error": "\(HeadroomError.oneLine(error))"])
            }
            do { try await Task.sleep(for: .seconds(min(interval, 3600))) } catch { return }
        }
    }
}
