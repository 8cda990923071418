import Foundation
import HeadroomCore
import HeadroomStore
import Logging

/// Detection without anyone running a command: every `interval`, each service with profiles ingested since its last
/// run, and none for `debounce` (a backfill or a burst of pushes settles first), is detected again and its stored
/// regressions replaced, as `headroom detect --service S` would; then each regression is root-caused against the
/// deploys and changes recorded for it (`headroom rootcause ID`), where there are any.
public struct DetectionLoop: Sendable {
    public var detection: DetectionService
    /// Ranks each new regression's culprits; nil: detection only.
    public var rootCause: RootCauseService?
    public var interval: Duration
    public var debounce: Duration
    public var logger: Logger

    public init(
        detection: DetectionService, interval: Duration = .seconds(60), debounce: Duration = .seconds(30),
        logger: Logger = EngineLog.disabled("headroom.loop")
    ) {
        self.detection = detection
        self.rootCause = RootCauseService(store: detection.store)
        self.interval = interval
        self.debounce = debounce
        self.logger = logger
    }

    /// Ranks culprits for each regression where deploys or changes are recorded around its onset.
    func rank(_ regressions: [Regression]) async {
        guard let rootCause else { return }
        for regression in regressions {
            guard let id = regression.id else { continue }
            do {
                let ranked = try await AsyncBridge.offPool { try rootCause.run(regression: id).candidates }
                if let top = ranked.first {
                    logger.notice(
                        "root cause ranked",
                        metadata: [
                            "regression": "\(id)", "function": "\(regression.function.name)", "culprit": "\(top.ref)",
                            "author": "\(top.author)", "confidence": "\(String(format: "%.2f", top.confidence))",
                        ])
                }
            } catch let error as HeadroomError where error.code == .notFound {
                logger.info(
                    "nothing to rank", metadata: ["regression": "\(id)", "why": "\(HeadroomError.oneLine(error))"])
            } catch {
                logger.warning(
                    "root cause failed", metadata: ["regression": "\(id)", "error": "\(HeadroomError.oneLine(error))"])
            }
        }
    }

    /// Runs until cancelled; a run in progress finishes (its writes are one transaction per service).
    public func run() async {
        var detectedUpTo: [String: Int64] = [:]
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = Timestamps.now()
            let store = detection.store
            guard let latest = try? await AsyncBridge.offPool({ try store.lastIngest() }) else { continue }
            let quiet = debounce.components.seconds
            for (service, last) in latest.sorted(by: { $0.key < $1.key })
            where last > (detectedUpTo[service] ?? Int64.min) && now - last >= quiet {
                let detection = self.detection
                do {
                    let found = try await AsyncBridge.offPool { try detection.run(service: service) }
                    detectedUpTo[service] = last
                    let regressions = found.filter { $0.kind == .regression }
                    if !regressions.isEmpty {
                        logger.notice(
                            "regressions detected",
                            metadata: [
                                "service": "\(service)",
                                "functions": "\(regressions.map(\.function.name).joined(separator: ", "))",
                            ])
                    }
                    await rank(regressions)
                } catch {
                    logger.warning(
                        "detection failed",
                        metadata: ["service": "\(service)", "error": "\(HeadroomError.oneLine(error))"])
                    detectedUpTo[service] = last
                }
            }
        }
    }
}
