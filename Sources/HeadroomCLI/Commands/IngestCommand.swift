import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Add profiles (pprof, folded stacks, perf script, py-spy) to a service's timeline.",
        discussion: """
            The format is detected from the content (gzip or raw pprof protobuf, `perf script` text, folded stacks);
            --profile-format forces one. Re-ingesting a file already stored for the service changes nothing.
            With --database (team mode) the profiles go to the shared PostgreSQL database instead.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @Argument(help: "Profile files.") var files: [String]
    @Option(help: "The service the profiles belong to.") var service: String
    @Option(help: "When the profiles were taken (ISO-8601 or Unix seconds); default: the profile's own time, else now.")
    var at: String?
    @Option(name: .customLong("profile-format"), help: "Force the format: pprof, folded or perf.") var profileFormat:
        String?
    @Option(
        name: .customLong("sample-type"),
        help:
            "Which sample type to read: pprof e.g. cpu or cpu/nanoseconds; perf an event, e.g. cycles (default: the first)."
    )
    var sampleType: String?
    @Option(name: .customLong("max-profile-mb"), help: "The most MiB a profile may decompress to (default 1024).")
    var maxProfileMB: Int64 = 1024
    @Option(
        name: .customLong("sample-rate"),
        help: "Samples per second per core the profiler took (py-spy --rate, perf -F), when the file does not say.")
    var sampleRate: Double?
    @Option(help: "Seconds of wall time the profile covers, when the file does not say (for measured cores).")
    var duration: Double?
    @Option(
        name: .customLong("label"),
        help:
            "KEY=VALUE put on every sample (repeatable), e.g. version=canary: the arms 'headroom experiment' compares.")
    var labels: [String] = []

    func run() async throws {
        guard !service.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw HeadroomError(.badInput, "--service must not be empty")
        }
        let time = try parseTime(at, option: "at")
        guard maxProfileMB > 0 else { throw HeadroomError(.badInput, "--max-profile-mb must be positive") }
        guard (sampleRate ?? 1) > 0, (sampleRate ?? 1).isFinite, (duration ?? 1) > 0, (duration ?? 1).isFinite else {
            throw HeadroomError(.badInput, "--sample-rate and --duration must be positive")
        }
        let format = try profileFormat.map { name -> ProfileFormat in
            guard let format = ProfileFormat(rawValue: name) else {
                let known = ProfileFormat.allCases.map(\.rawValue).joined(separator: ", ")
                throw HeadroomError(.badInput, "--profile-format: unknown format '\(name)' (known: \(known))")
            }
            return format
        }
        let parsedLabels = try labels.map { text -> Label in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw HeadroomError(.badInput, "--label '\(text)': expected KEY=VALUE")
            }
            return Label(key: parts[0], value: parts[1])
        }
        if let url = databaseOptions.url {
            var options = ProfileReadOptions(format: format, sampleType: sampleType)
            options.maximumBytes = maxProfileMB << 20
            options.sampleRate = sampleRate
            options.duration = duration
            let (files, service, labels, read) = (files, service, parsedLabels, options)
            let reports = try await TeamDatabase.with(url: url) { database in
                try await database.ingest(files: files, service: service, at: time, labels: labels, options: read)
            }
            for (file, report) in zip(files, reports) { summarize(file, report) }
            return
        }
        let path = storeOptions.path
        let existed = FileManager.default.fileExists(atPath: path)
        let folderExisted = FileManager.default.fileExists(atPath: (path as NSString).deletingLastPathComponent)
        let store = try storeOptions.open(create: true)
        let ingestor = ProfileIngestor(store: store, logger: cliLogger("headroom.ingest"))
        var ingested = false
        defer {
            // A store this command created and put nothing in (the first file was refused) is not left behind.
            if !existed && !ingested {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                let folder = (path as NSString).deletingLastPathComponent
                if !folderExisted, !folder.isEmpty { rmdir(folder) }
            }
        }
        for file in files {
            let bar = ProgressBar(label: "ingesting \((file as NSString).lastPathComponent)")
            var options = ProfileReadOptions(format: format, sampleType: sampleType)
            options.maximumBytes = maxProfileMB << 20
            options.sampleRate = sampleRate
            options.duration = duration
            options.progress = { done, total in bar.update(done: done, total: total) }
            let report: ProfileIngestor.Report
            do {
                report = try ingestor.ingest(
                    file: file, service: service, at: time, labels: parsedLabels, options: options)
                ingested = true
                bar.finish()
            } catch {
                bar.finish()
                throw error
            }
            summarize(file, report)
        }
    }

    /// The lines a stored (or skipped) file gets: notes on stderr, the summary on stdout.
    func summarize(_ file: String, _ report: ProfileIngestor.Report) {
        if !report.droppedLabels.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "headroom: note: \(file): labels \(report.droppedLabels.joined(separator: ", ")) have too many values to keep\n"
                        .utf8))
        }
        if !report.skippedSampleTypes.isEmpty {
            let others = report.skippedSampleTypes.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
            FileHandle.standardError.write(
                Data(
                    "headroom: note: \(file): also has \(others.joined(separator: ", ")), not ingested; --sample-type EVENT reads one of them\n"
                        .utf8))
        }
        switch report.outcome {
        case .ingested(let bucket):
            var measured = ""
            if let cpu = report.cpuSeconds, let wall = report.wallSeconds, wall > 0 {
                measured = String(
                    format: "; %.2f cores (%.1f CPU seconds over %.1f s)", cpu / wall, cpu, wall)
            }
            print(
                "ingested \(file) into \(service) at \(Timestamps.format(bucket)): \(report.format.rawValue), \(report.totalSamples) \(report.sampleType) in \(report.uniqueStacks) stacks\(measured)"
            )
        case .duplicate: print("skipped \(file): already ingested for \(service)")
        }
    }
}
