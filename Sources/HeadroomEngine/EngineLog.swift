import Foundation
import Logging

/// Loggers for the engine's services. A service logs through the `Logger` it is given; the default logs nothing, so
/// a library user or a test sees no output unless it asks for some (the CLI and the servers pass one that writes to
/// stderr at the level of `HEADROOM_LOG_LEVEL`).
public enum EngineLog {
    /// A logger that drops everything.
    public static func disabled(_ label: String) -> Logger {
        Logger(label: label) { _ in SwiftLogNoOpLogHandler() }
    }

    /// Standard error at `level`; nil `level` means disabled.
    public static func standardError(_ label: String, level: Logger.Level?) -> Logger {
        guard let level else { return disabled(label) }
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    /// The level named by `HEADROOM_LOG_LEVEL` (trace, debug, info, notice, warning, error, critical), else nil.
    public static var environmentLevel: Logger.Level? {
        ProcessInfo.processInfo.environment["HEADROOM_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
    }

    /// Seconds since `start`, as log metadata.
    static func seconds(since start: ContinuousClock.Instant) -> Logger.MetadataValue {
        let elapsed = ContinuousClock.now - start
        let value = elapsed.seconds
        return .string(String(format: "%.3f", value))
    }
}
