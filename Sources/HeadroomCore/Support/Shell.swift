import Foundation

/// The outcome of one finished child process.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// Standard output decoded as UTF-8 (invalid bytes become U+FFFD, so non-UTF-8 output is never lost wholesale).
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    /// Standard output as bytes.
    public var stdoutData: Data
    public var stderr: String
    public var seconds: Double
    public var timedOut: Bool
    public var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs child processes with a timeout; output goes through temporary files so large outputs never deadlock.
public enum Shell {
    /// Runs `arguments[0]` (looked up on PATH) with the rest as its arguments.
    /// - Parameters:
    ///   - arguments: the command and its arguments; never passed through a shell.
    ///   - directory: the working directory, or the current one.
    ///   - environment: extra variables layered over this process's environment (or, with
    ///     `inheritEnvironment: false`, the child's whole environment).
    ///   - input: bytes for the child's standard input.
    ///   - timeout: seconds before the child (and every process it started) is killed.
    ///   - tracked: whether an interruption of this process (SIGTERM, SIGINT) kills the child too.
    public static func run(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        inheritEnvironment: Bool = true, input: Data? = nil, timeout: Double = 600, tracked: Bool = true
    ) throws -> ProcessResult {
        precondition(!arguments.isEmpty)
        // Once interrupted, no new work starts (the cleanup's own commands are untracked).
        if tracked, ActiveWork.shared.isInterrupted { throw HeadroomError(.process, "interrupted") }
        let scratch = try PrivateTemporary.directory(prefix: "headroom-sh")
        defer { PrivateTemporary.remove(scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        try PrivateTemporary.write(Data(), to: outURL.path)
        try PrivateTemporary.write(Data(), to: errURL.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        if let input {
            let inURL = scratch.appendingPathComponent("in")
            try PrivateTemporary.write(input, to: inURL.path)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let start = Date()
        do {
            try process.run()
        } catch {
            throw HeadroomError(.process, "cannot start \(arguments[0]): \(error)")
        }
        let pid = process.processIdentifier
        if tracked { ActiveWork.shared.addChild(pid) }
        let killer = Killer(process: process)
        let timer = DispatchWorkItem { killer.kill() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        process.waitUntilExit()
        timer.cancel()
        if tracked {
            ActiveWork.shared.removeChild(pid)
            ActiveWork.shared.stopIfInterrupted()
        }
        let out = (try? Data(contentsOf: outURL)) ?? Data()
        let err = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        if process.terminationReason == .exit, process.terminationStatus == 127,
            err.contains("No such file or directory")
        {
            throw HeadroomError(.missingTool, "\(arguments[0]) is not installed or not on PATH")
        }
        return ProcessResult(
            status: process.terminationStatus, stdoutData: out, stderr: err,
            seconds: Date().timeIntervalSince(start), timedOut: killer.fired)
    }

    /// Whether an executable is on PATH.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Kills a process on timeout and remembers that it did.
private final class Killer: @unchecked Sendable {
    private let lock = NSLock()
    private let process: Process
    private var didFire = false
    init(process: Process) { self.process = process }
    /// Kills the child and every process it started (found through the parent links in /proc), so nothing a
    /// timed-out command spawned outlives it. A process that detached itself (double fork) escapes.
    func kill() {
        lock.lock()
        defer { lock.unlock() }
        guard process.isRunning else { return }
        didFire = true
        let root = process.processIdentifier
        for pid in ProcessTree.descendants(of: root).reversed() { Glibc.kill(pid, SIGKILL) }
        Glibc.kill(root, SIGKILL)
    }

    var fired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return didFire
    }
}
