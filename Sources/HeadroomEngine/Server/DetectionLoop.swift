import Foundation
import HeadroomCore
import HeadroomStore
import Logging

/// Detection without anyone running a command: every `interval`, each service with profiles ingested since its last
/// run, and none for `debounce` (a backfill or a burst of pushes settles first), is detected again and its stored
/// regressions replaced, as `headroom detect --service S` would; then each regression is root-caused against the
/// deploys and changes recorded for it (`headroom rootcause ID`), where there are any.
public struct DetectionLoop: Sendable {
    /// The detection each pass runs, per service.
    public var detection: DetectionService
    /// Ranks each new regression's culprits; nil: detection only.
    public var rootCause: RootCauseService?
    /// How often the loop looks for closed buckets.
    public var interval: Duration
    /// How long a service's ingest must be quiet before its detection runs (a backfill is one run).
    public var debounce: Duration
    /// Where each pass and its outcome are logged.
    public var logger: Logger
    /// Records `regression.detected` and `regression.root_caused` in the notification outbox; nil: no events.
    public var events: EventRecorder?
    /// Decides, for each ranked regression, whether a fix is attempted by itself (queued) or held for a person;
    /// nil: no fix jobs.
    public var fixes: FixQueue?
    /// Told of each service's run: seconds, whether it succeeded, regressions found (for /metrics).
    public var onRun: (@Sendable (_ seconds: Double, _ succeeded: Bool, _ regressions: Int) -> Void)?

    /// A loop over `detection`.
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
                if let fixes {
                    let culprit = ranked.first
                    _ = try await AsyncBridge.offPool { try fixes.consider(regression, culprit: culprit) }
                }
                if let top = ranked.first {
                    if let events { _ = try await AsyncBridge.offPool { try events.rootCaused(regression, top: top) } }
                    logger.notice(
                        "root cause ranked",
                        metadata: [
                            "regression": "\(id)", "function": "\(regression.function.name)", "culprit": "\(top.ref)",
                            "author": "\(top.author)", "confidence": "\(String(format: "%.2f", top.confidence))",
                        ])
                }
            } catch let error as HeadroomError where error.code == .notFound {
                // Nothing to rank against: a person decides (the policy holds it with the reason).
                if let fixes { _ = try? await AsyncBridge.offPool { try fixes.consider(regression, culprit: nil) } }
                logger.info(
                    "nothing to rank", metadata: ["regression": "\(id)", "why": "\(HeadroomError.oneLine(error))"])
            } catch {
                logger.warning(
                    "root cause failed", metadata: ["regression": "\(id)", "error": "\(HeadroomError.oneLine(error))"])
            }
        }
    }

    /// The job kind of one service's detection when workers run it (`enqueueOnly`); the subject is
    /// `SERVICE@T`, T the newest ingest it covers, so each round of new profiles is one job.
    public static let jobKind = "detect-service"

    /// When set, a pass queues a `detect-service` job per service instead of detecting it here: `headroom worker`
    /// processes (on this machine or others sharing the store) take them.
    public var enqueueOnly = false

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
            // Accepted pushes still in the ingest log are counted first (the server's batcher compacts it within
            // a second under load; this makes detection independent of that timing).
            _ = try? await AsyncBridge.offPool { try store.compactIngestLog() }
            guard let latest = try? await AsyncBridge.offPool({ try store.lastIngest() }) else { continue }
            let quiet = debounce.components.seconds
            for (service, last) in latest.sorted(by: { $0.key < $1.key })
            where last > (detectedUpTo[service] ?? Int64.min) && now - last >= quiet {
                if enqueueOnly {
                    do {
                        let (job, isNew) = try await AsyncBridge.offPool {
                            try store.enqueueJob(
                                kind: Self.jobKind, subject: "\(service)@\(last)", regressionID: nil, at: now)
                        }
                        if isNew {
                            logger.info("detection queued", metadata: ["service": "\(service)", "job": "\(job.id)"])
                        }
                    } catch {
                        logger.warning(
                            "detection not queued",
                            metadata: ["service": "\(service)", "error": "\(HeadroomError.oneLine(error))"])
                        continue
                    }
                } else {
                    _ = try? await detect(service: service)
                }
                detectedUpTo[service] = last
            }
        }
    }

    /// Detects one service again (its stored regressions replaced), announces and ranks the open regressions, and
    /// hands them to the fix queue: one round of the loop, or one `detect-service` job. Returns the regressions
    /// found; a failure is logged and rethrown.
    @discardableResult
    public func detect(service: String) async throws -> Int {
        let detection = self.detection
        let started = ContinuousClock.now
        func seconds() -> Double {
            let elapsed = ContinuousClock.now - started
            return elapsed.seconds
        }
        var reported = false
        do {
            let found = try await AsyncBridge.offPool { try detection.run(service: service) }
            let count = found.filter { $0.kind == .regression }.count
            onRun?(seconds(), true, count)
            reported = true
            let store = self.detection.store
            // As stored, with people's verdicts: a triaged regression is neither announced nor ranked again.
            let regressions = try await AsyncBridge.offPool {
                try found.filter { $0.kind == .regression }.compactMap { $0.id }.map {
                    try store.regression(id: $0)
                }
            }.filter { $0.isOpen() }
            if let events {
                for regression in regressions {
                    _ = try await AsyncBridge.offPool { try events.detected(regression) }
                }
            }
            if !regressions.isEmpty {
                logger.notice(
                    "regressions detected",
                    metadata: [
                        "service": "\(service)",
                        "functions": "\(regressions.map(\.function.name).joined(separator: ", "))",
                    ])
            }
            await rank(regressions)
            return count
        } catch {
            if !reported { onRun?(seconds(), false, 0) }
            logger.warning(
                "detection failed", metadata: ["service": "\(service)", "error": "\(HeadroomError.oneLine(error))"])
            throw error
        }
    }
}
