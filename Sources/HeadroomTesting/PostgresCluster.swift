import Foundation
import HeadroomCore

/// A throwaway PostgreSQL 15 cluster for tests: `initdb` into a temporary directory, the server listening on a
/// unix socket in that directory only (no TCP port), trust authentication for the role `headroom`, fsync off (the
/// tests do not survive power loss, and do not need to). `stop()` shuts it down and removes the directory. As root
/// (CI), the server runs as the `postgres` system user the Debian package creates, as PostgreSQL requires.
public final class PostgresCluster: @unchecked Sendable {
    /// The directory holding the data and the socket.
    public let directory: URL
    /// The URL to pass as `--database`: the `headroom` database over the socket.
    public var url: String { "postgres://headroom@/headroom?host=\(directory.path)" }

    static let binaries = "/usr/lib/postgresql/15/bin"

    /// Whether PostgreSQL 15's server programs are installed (scripts/ensure-tools.sh installs them).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "\(binaries)/initdb") }

    /// Creates and starts a cluster with an empty `headroom` database; first stops the clusters that processes
    /// which died without `stop()` (a crash, a failed precondition, kill -9) left running.
    public init() throws {
        Self.reapOrphans()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "headroom-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Whose cluster this is: a later cluster reaps it if this process dies without stopping it.
        try ProcessLease.current.write(
            to: directory.appendingPathComponent(ProcessLease.fileName), atomically: true, encoding: .utf8)
        if getuid() == 0 {
            try Self.run(["/usr/bin/chown", "postgres", directory.path], asServer: false)
        }
        let data = directory.appendingPathComponent("data").path
        try Self.run(
            ["\(Self.binaries)/initdb", "-D", data, "-U", "headroom", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try Self.run([
            "\(Self.binaries)/pg_ctl", "-D", data, "-l", directory.appendingPathComponent("log").path, "-w", "-o",
            "-k \(directory.path) -c listen_addresses='' -c fsync=off -c max_connections=50", "start",
        ])
        try Self.run([
            "\(Self.binaries)/psql", "-h", directory.path, "-U", "headroom", "-d", "postgres", "-q", "-c",
            "CREATE DATABASE headroom",
        ])
    }

    /// Stops the server (fast shutdown) and removes its directory.
    public func stop() {
        try? Self.run([
            "\(Self.binaries)/pg_ctl", "-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop",
        ])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops and removes the clusters under the temporary directory whose creating process no longer runs.
    /// Returns how many. Several tests start clusters at once, so each orphan is first claimed by renaming its folder:
    /// one reaper stops and removes it, and the others leave it alone (two reapers once removed one folder while the
    /// other's stop still wrote into it, and the folder stayed).
    @discardableResult
    public static func reapOrphans() -> Int {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        var reaped = 0
        for name in names where name.hasPrefix("headroom-pg-") && !name.contains(".reaping") {
            let folder = temporary.appendingPathComponent(name)
            let owner = folder.appendingPathComponent(ProcessLease.fileName)
            guard let lease = try? String(contentsOf: owner, encoding: .utf8), !ProcessLease.isAlive(lease) else {
                continue
            }
            let claimed = temporary.appendingPathComponent("\(name).reaping-\(getpid())")
            guard rename(folder.path, claimed.path) == 0 else { continue }  // another reaper has it
            try? run([
                "\(binaries)/pg_ctl", "-D", claimed.appendingPathComponent("data").path, "-m", "immediate", "-w",
                "stop",
            ])
            try? FileManager.default.removeItem(at: claimed)
            reaped += 1
        }
        return reaped
    }

    /// Runs a PostgreSQL program (as `postgres` when we are root); throws with its output when it fails. Spawned
    /// and reaped directly (posix_spawn, waitpid): the server `pg_ctl start` leaves running keeps what it inherits,
    /// and Foundation's `Process` can wait on that forever.
    static func run(_ arguments: [String], asServer: Bool = true) throws {
        let command = asServer && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments : arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-pg-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PostgresClusterError(message: "\(command[0]) could not start (errno \(spawned))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Exited normally with status 0: the low 7 bits are 0 and the exit code is in bits 8-15.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw PostgresClusterError(message: "\(arguments[0]) failed: \(text.suffix(400))")
        }
    }
}

/// A cluster that would not start or stop.
public struct PostgresClusterError: Error, CustomStringConvertible {
    /// What failed, with the program's last output.
    public let message: String
    /// The message.
    public var description: String { message }
}
