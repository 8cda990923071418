import Foundation

/// Names this process so that what it leaves behind (scratch folders, worktrees, patch rows it is working on) can be
/// told apart, later, from what a live process still holds: `host:pid:start`, where `start` is the process's start
/// time in clock ticks since boot (from /proc), so a reused pid is not mistaken for the owner.
public enum ProcessLease {
    /// This process's lease.
    public static let current: String = {
        let pid = getpid()
        return "\(host):\(pid):\(startTime(of: pid) ?? 0)"
    }()

    /// This machine's name.
    public static let host: String = ProcessInfo.processInfo.hostName

    /// Whether the process a lease names still runs. A lease from another machine is taken to be alive: only its own
    /// machine can tell.
    public static func isAlive(_ lease: String) -> Bool {
        let parts = lease.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), let start = UInt64(parts[parts.count - 1])
        else {
            return false
        }
        guard parts.dropLast(2).joined(separator: ":") == host else { return true }
        guard let now = startTime(of: pid) else { return false }
        return start == 0 || now == start
    }

    /// A process's start time (field 22 of /proc/PID/stat), or nil when it does not exist.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": field 3 (state) is the first; the start time is field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// The name of the lease file in a scratch folder.
    public static let fileName = ".headroom-owner"
}
