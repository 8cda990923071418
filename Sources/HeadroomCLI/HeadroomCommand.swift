import ArgumentParser
import Foundation
import HeadroomCore
import Logging
import HeadroomEngine

/// The `headroom` command tree.
public struct HeadroomCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "headroom",
        abstract: "Find, root-cause and fix performance regressions from continuous-profiling data.",
        version: HeadroomVersion.string,
        subcommands: [
            DemoCommand.self, IngestCommand.self, TopCommand.self, DetectCommand.self, RootCauseCommand.self,
            ChangesCommand.self, DeploysCommand.self, DiffCommand.self, FlameGraphCommand.self, RecordCommand.self,
            ChangepointsCommand.self,
            SimulateCommand.self, OpportunitiesCommand.self, FixCommand.self, ResolveCommand.self, ReviewCommand.self,
            SkillsCommand.self, ToolsCommand.self, McpCommand.self, AskCommand.self, ReposCommand.self,
            DoctorCommand.self, ServeCommand.self, TriageCommand.self, ExportCommand.self, LspCommand.self,
            MetricsCommand.self, PlanCommand.self, ExperimentCommand.self, DigestCommand.self, InboxCommand.self,
            InvestigateCommand.self, WorkerCommand.self,
        ])

    public init() {}

    /// Parses and runs; Headroom errors print as one line on stderr with exit status 1. Commands that wait on
    /// network or protocol I/O (`ask`, `mcp`) are async; the others run to completion on this task.
    public static func runMain(_ arguments: [String]? = nil) async -> Int32 {
        // SIGTERM/SIGINT undo what is under way (child processes, worktrees, held patches) and exit 128 + signal.
        Interruption.install()
        do {
            var command = try parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            ActiveWork.shared.stopIfInterrupted()
            return 0
        } catch let error as HeadroomError {
            ActiveWork.shared.stopIfInterrupted()
            FileHandle.standardError.write(Data("headroom: error: \(HeadroomError.oneLine(error))\n".utf8))
            return 1
        } catch let error as CocoaError {
            // A file-system failure from Foundation: one line with the path and the system's reason.
            ActiveWork.shared.stopIfInterrupted()
            FileHandle.standardError.write(Data("headroom: error: \(fileSystemMessage(error))\n".utf8))
            return 1
        } catch {
            ActiveWork.shared.stopIfInterrupted()
            let code = exitCode(for: error).rawValue
            if code == 0 {
                print(fullMessage(for: error))
            } else {
                let message = fullMessage(for: error)
                FileHandle.standardError.write(Data("headroom: \(message)\n".utf8))
            }
            return code
        }
    }
}

/// The engine's logger for a command: standard error at `HEADROOM_LOG_LEVEL` (trace … critical), else silent.
func cliLogger(_ label: String) -> Logger {
    EngineLog.standardError(label, level: EngineLog.environmentLevel)
}

/// Options shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store (SQLite): default $HEADROOM_STORE, else the nearest .headroom/headroom.sqlite from here up.",
            valueName: "path"))
    var store: String?

    /// Where the store is, by the one rule every command follows.
    var location: StoreLocation { StoreLocation.resolve(explicit: store) }
    /// The store's path.
    var path: String { location.path }

    /// Opens the store; only commands that bring data in create one.
    func open(create: Bool = false) throws -> StoreHandle { try location.open(create: create) }
}

/// Team mode's shared PostgreSQL database, instead of the SQLite store.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Team mode: the shared PostgreSQL database (postgres://USER@HOST[:PORT]/DB, or ?host=/socket/dir); default $HEADROOM_DATABASE. Without it, the SQLite store.",
            valueName: "url"))
    var database: String?

    /// The database URL, if team mode is on.
    var url: String? { TeamDatabase.url(explicit: database) }
}

/// Output format of read commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text (for people) or json (for scripts and agents).")
    var format: OutputFormat = .text
}

/// Parses a time option (ISO-8601 or Unix seconds).
func parseTime(_ text: String?, option: String) throws -> Int64? {
    guard let text else { return nil }
    guard let value = Timestamps.parse(text) else {
        throw HeadroomError(.badInput, "--\(option): '\(text)' is not an ISO-8601 time or Unix seconds")
    }
    return value
}

/// Writes a JSON document to stdout with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Prints a progress line to stderr when it is a terminal.
@Sendable func progressLine(_ line: String) {
    guard isatty(STDERR_FILENO) != 0 else { return }
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// "PATH: reason" for a Foundation file-system error (the POSIX reason when there is one).
func fileSystemMessage(_ error: CocoaError) -> String {
    let path = error.filePath ?? error.url?.path ?? "a file"
    let underlying = (error.userInfo[NSUnderlyingErrorKey] as? NSError).map { nsError -> String in
        nsError.domain == NSPOSIXErrorDomain
            ? String(cString: strerror(Int32(nsError.code))) : nsError.localizedDescription
    }
    let reason =
        underlying
        ?? {
            switch error.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileWriteOutOfSpace: return "no space left on the device"
            default: return "file operation failed (\(error.code.rawValue))"
            }
        }()
    return "\(path): \(reason)"
}

extension DatabaseOptions {
    /// Runs `body` over the program's records: team mode's shared database with --database, else the SQLite store.
    func program<T: Sendable>(
        _ storeOptions: StoreOptions, _ body: @escaping @Sendable (any ProgramStore) throws -> T
    ) async throws -> T {
        if let url { return try await TeamDatabase.with(url: url) { try await $0.synchronously { try body($0) } } }
        return try body(try storeOptions.open())
    }
}
