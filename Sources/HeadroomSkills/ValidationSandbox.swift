import Foundation
import HeadroomCore

/// Where a repository's test, bench and format commands run during validation, in one sentence: in a detached
/// worktree, killed on timeout together with every process they started, with an environment reduced to
/// `keptVariables` (no inherited secrets), in their own PID namespace (nothing they start — a double fork, `setsid`
/// included — outlives them), and without network (`unshare -rn`: a new user and network namespace with only a down
/// loopback) where the kernel allows unprivileged user namespaces — probed once, and said in `isolation`.
///
/// Resource limits (`prlimit`, soft and hard, so a command cannot raise them): address space
/// `HEADROOM_VALIDATION_MEMORY_MB` (default 8192), size of any file written `HEADROOM_VALIDATION_FILE_MB` (default 1024),
/// open files 4096.
///
/// `HEADROOM_VALIDATION_NETWORK=1` lets commands reach the network (for test suites that need it); it is the
/// operator's choice, never a tool argument's.
public struct ValidationSandbox: Sendable {
    /// The variables a command keeps: what interpreters and toolchains need to start, nothing that names a secret.
    public static let keptVariables = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM",
        "PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV", "PYTHONPATH", "GOPATH", "GOROOT", "GOCACHE", "GOFLAGS",
        "CARGO_HOME", "RUSTUP_HOME", "JAVA_HOME", "NODE_PATH",
    ]

    /// Whether commands run without network.
    public var isolatesNetwork: Bool
    /// Whether commands run in their own PID namespace (when it ends, the kernel kills everything left in it).
    public var isolatesProcesses: Bool
    /// Address-space limit in bytes (nil: none).
    public var memoryBytes: Int?
    /// Largest file a command may write, in bytes (nil: none).
    public var fileBytes: Int?
    public var openFiles = 4096

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        isolatesNetwork = environment["HEADROOM_VALIDATION_NETWORK"] != "1" && Self.namespacesWork
        isolatesProcesses = Self.pidNamespacesWork
        let megabytes = { (key: String, fallback: Int) -> Int? in
            let value = environment[key].flatMap { Int($0) } ?? fallback
            return value > 0 ? value << 20 : nil
        }
        memoryBytes = megabytes("HEADROOM_VALIDATION_MEMORY_MB", 8192)
        fileBytes = megabytes("HEADROOM_VALIDATION_FILE_MB", 1024)
    }

    /// What the sandbox holds here, for logs and the README.
    public var isolation: String {
        let limits =
            (Self.limitsWork ? ", memory/file-size/open-file limits" : "")
            + (isolatesProcesses ? ", own PID namespace" : "")
        return isolatesNetwork
            ? "process tree killed on timeout, scrubbed environment\(limits), no network"
            : "process tree killed on timeout, scrubbed environment\(limits) (network allowed: HEADROOM_VALIDATION_NETWORK=1 or no unprivileged user namespaces)"
    }

    /// Runs `command` through `sh -c` in `directory` inside the sandbox.
    public func run(_ command: String, in directory: String, timeout: Double) throws -> ProcessResult {
        try Shell.run(
            arguments(command), in: directory, environment: environment(), inheritEnvironment: false,
            timeout: timeout)
    }

    func arguments(_ command: String) -> [String] {
        var limits: [String] = []
        if Self.limitsWork {
            limits = ["prlimit", "--nofile=\(openFiles)"]
            if let memoryBytes { limits.append("--as=\(memoryBytes)") }
            if let fileBytes { limits.append("--fsize=\(fileBytes)") }
            limits.append("--")
        }
        var namespaces: [String] = []
        if isolatesNetwork || isolatesProcesses {
            namespaces = ["unshare", "-r"] + (isolatesNetwork ? ["-n"] : []) + (isolatesProcesses ? ["-p", "-f"] : [])
        }
        return namespaces + limits + ["sh", "-c", command]
    }

    /// The kept variables of this process's environment.
    public func environment(_ from: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        from.filter { Self.keptVariables.contains($0.key) }
    }

    /// Whether `prlimit` (util-linux) is here and may set limits.
    public static let limitsWork: Bool = {
        guard Shell.which("prlimit") != nil else { return false }
        return (try? Shell.run(["prlimit", "--nofile=4096", "--", "true"], timeout: 10))?.succeeded ?? false
    }()

    /// Whether `unshare -rpf` (user and PID namespaces) works here.
    public static let pidNamespacesWork: Bool = {
        guard Shell.which("unshare") != nil else { return false }
        return (try? Shell.run(["unshare", "-rpf", "true"], timeout: 10))?.succeeded ?? false
    }()

    /// Whether `unshare -rn` works on this machine (kernel and policy allow unprivileged user namespaces).
    static let namespacesWork: Bool = {
        guard Shell.which("unshare") != nil else { return false }
        return (try? Shell.run(["unshare", "-rn", "true"], timeout: 10))?.succeeded ?? false
    }()
}
