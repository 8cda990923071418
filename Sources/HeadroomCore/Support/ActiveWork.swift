import Foundation

/// What this process has under way that an interruption must undo: child processes, scratch folders, git
/// worktrees, and store rows it is working on. `Interruption` drains it on SIGTERM/SIGINT; what a SIGKILL leaves
/// behind carries this process's `ProcessLease`, so the next command (or `headroom doctor`) can reap it.
public final class ActiveWork: @unchecked Sendable {
    public static let shared = ActiveWork()

    private let lock = NSLock()
    private var children: Set<Int32> = []
    private var scratch: Set<String> = []
    private var worktrees: [String: String] = [:]  // worktree path → repository
    private var handlers: [UUID: @Sendable () -> String?] = [:]
    private var interrupted = false

    /// Whether an interruption has begun: work that sees it should stop instead of starting more.
    public var isInterrupted: Bool { locked { interrupted } }

    /// Once interrupted, the thread that was working waits here for the cleanup to end the process, so it cannot
    /// report a half-done step (a killed benchmark as "failed") or exit with its own status first.
    public func stopIfInterrupted() {
        guard isInterrupted else { return }
        while true { sleep(60) }
    }

    public func addChild(_ pid: Int32) { locked { _ = children.insert(pid) } }
    public func removeChild(_ pid: Int32) { locked { _ = children.remove(pid) } }
    public func addScratch(_ path: String) { locked { _ = scratch.insert(path) } }
    public func removeScratch(_ path: String) { locked { _ = scratch.remove(path) } }
    public func addWorktree(_ path: String, repository: String) { locked { worktrees[path] = repository } }
    public func removeWorktree(_ path: String) { locked { _ = worktrees.removeValue(forKey: path) } }

    /// Registers an action for an interruption (it returns what it did, for the one line printed); returns the key
    /// that removes it.
    public func onInterrupt(_ handler: @escaping @Sendable () -> String?) -> UUID {
        let key = UUID()
        locked { handlers[key] = handler }
        return key
    }
    public func removeHandler(_ key: UUID) { locked { _ = handlers.removeValue(forKey: key) } }

    /// Undoes everything registered, once: kills child process trees, removes worktrees, runs the handlers (rows
    /// marked cancelled, their branches deleted), removes scratch folders. Returns a summary of what it did.
    public func interrupt() -> [String] {
        let (pids, actions, trees, folders): ([Int32], [@Sendable () -> String?], [String: String], [String]) = locked {
            guard !interrupted else { return ([], [], [:], []) }
            interrupted = true
            return (Array(children), Array(handlers.values), worktrees, Array(scratch))
        }
        var done: [String] = []
        var killed = 0
        for pid in pids {
            for child in ProcessTree.descendants(of: pid).reversed() { if kill(child, SIGKILL) == 0 { killed += 1 } }
            if kill(pid, SIGKILL) == 0 { killed += 1 }
        }
        if killed > 0 { done.append("stopped \(killed) process\(killed == 1 ? "" : "es")") }
        for (path, repository) in trees {
            _ = try? Shell.run(
                ["git", "-C", repository, "worktree", "remove", "--force", path], timeout: 30, tracked: false)
        }
        for repository in Set(trees.values) {
            _ = try? Shell.run(["git", "-C", repository, "worktree", "prune"], timeout: 30, tracked: false)
        }
        if !trees.isEmpty { done.append("removed \(trees.count) worktree\(trees.count == 1 ? "" : "s")") }
        for action in actions { if let said = action() { done.append(said) } }
        // Folders made while this ran (the interrupted thread may have gone on for a moment) go too.
        for folder in Set(folders).union(locked { scratch }) { try? FileManager.default.removeItem(atPath: folder) }
        return done
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// SIGTERM and SIGINT end a command cleanly: `ActiveWork` is undone, one line says what was cleaned, and the exit
/// status is 128 + the signal, as a shell expects.
public enum Interruption {
    private static let sources = Locked<[DispatchSourceSignal]>([])

    /// Installs the handlers (once per process).
    public static func install() {
        sources.withValue { installed in
            guard installed.isEmpty else { return }
            for signal in [SIGTERM, SIGINT] {
                Glibc.signal(signal, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
                source.setEventHandler { handle(signal) }
                source.resume()
                installed.append(source)
            }
        }
    }

    /// Hands SIGTERM/SIGINT to someone else (a server's service group, which drains and returns): Headroom's own
    /// handlers stop; the signals stay ignored by default, so the new owner's handlers are the only ones.
    public static func uninstall() {
        sources.withValue { installed in
            for source in installed { source.cancel() }
            installed.removeAll()
        }
    }

    static func handle(_ signal: Int32) {
        let done = ActiveWork.shared.interrupt()
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        let line = "headroom: interrupted (\(name))" + (done.isEmpty ? "" : ": " + done.joined(separator: ", "))
        FileHandle.standardError.write(Data((line + "\n").utf8))
        exit(128 + signal)
    }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withValue<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// The processes below a process, from the parent links in /proc.
public enum ProcessTree {
    /// Every process below `root`, parents before children.
    public static func descendants(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for (pid, parent) in parents() { children[parent, default: []].append(pid) }
        var found: [Int32] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] where !found.contains(child) {
                found.append(child)
                queue.append(child)
            }
        }
        return found
    }

    /// Every process's parent, from /proc/PID/stat.
    static func parents() -> [(pid: Int32, parent: Int32)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm)": state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = Int32(fields[1]) else { return nil }
            return (pid, parent)
        }
    }

    /// Processes whose working folder is `folder` or inside it (children left running by a killed run).
    public static func working(inside folder: String) -> [Int32] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry), pid != getpid(),
                let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd")
            else { return nil }
            return cwd == folder || cwd.hasPrefix(prefix) ? pid : nil
        }
    }
}
