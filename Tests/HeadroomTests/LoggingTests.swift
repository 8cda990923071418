import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore
import HeadroomTesting
import Logging
import Testing

/// Keeps what a logger was asked to write, for assertions.
final class CapturedLog: @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }
    private let lock = NSLock()
    private var stored: [Entry] = []
    var entries: [Entry] { lock.withLock { stored } }
    func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }

    func logger(_ label: String, level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.append(Entry(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:]))
        }
    }
}

@Suite("engine logging", .ownThreads)
struct LoggingTests {
    @Test("ingest and detection log their outcome with metadata; the default logger writes nothing")
    func logsOutcomes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.file("s.sqlite"))
        let log = CapturedLog()
        let file = try dir.write("p.folded", "main (m.py:1);hot (m.py:5) 75\nmain (m.py:1);cold (m.py:9) 25\n")
        try ProfileIngestor(store: store, logger: log.logger("headroom.ingest")).ingest(
            file: file, service: "svc", at: 0)
        try ProfileIngestor(store: store, logger: log.logger("headroom.ingest")).ingest(
            file: file, service: "svc", at: 0)
        _ = try DetectionService(store: store, logger: log.logger("headroom.detect")).run()
        let infos = log.entries.filter { $0.level == .info }
        #expect(infos.map(\.message) == ["ingested", "ingested", "detection run"])
        #expect(infos[0].metadata["samples"] == "100" && infos[0].metadata["stacks"] == "2")
        #expect(infos[0].metadata["bucket"] == "1970-01-01T00:00:00Z" && infos[0].metadata["service"] == "svc")
        #expect(infos[1].metadata["duplicate"] == "true")
        #expect(infos[2].metadata["functions"] == "3" && infos[2].metadata["regressions"] == "0")
        #expect(log.entries.contains { $0.level == .debug && $0.message == "ingest stages" })

        // Without a logger nothing is asked to write (and nothing reaches stdout, which a command's JSON owns).
        let silent = ProfileIngestor(store: store)
        #expect(silent.logger.handler is SwiftLogNoOpLogHandler)
        #expect(EngineLog.disabled("x").handler is SwiftLogNoOpLogHandler)
    }
}
