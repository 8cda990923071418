import Foundation
import HeadroomCore

/// A temporary folder removed when the value is dropped by `cleanup()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "headroom-test") throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes text to a file inside the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    public func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// The Headroom checkout and its built binary, for end-to-end tests.
public enum Checkout {
    /// The package root (found from this file's path at build time).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The `headroom` binary: `$HEADROOM_BIN`, else the debug build in the checkout.
    public static var binary: String {
        ProcessInfo.processInfo.environment["HEADROOM_BIN"]
            ?? (root as NSString).appendingPathComponent(".build/debug/headroom")
    }

    /// Runs the built binary.
    public static func headroom(_ arguments: [String], in directory: String? = nil, timeout: Double = 600) throws
        -> ProcessResult
    {
        try Shell.run([binary] + arguments, in: directory, timeout: timeout)
    }
}

/// A scratch git repository with a deterministic identity.
public struct ScratchRepository: Sendable {
    public let directory: TemporaryDirectory
    public var path: String { directory.path }

    public init() throws {
        directory = try TemporaryDirectory(prefix: "headroom-repo")
        try git(["init", "-q", "-b", "main"])
        try git(["config", "commit.gpgsign", "false"])
    }

    /// Writes files and commits them as `author` at `time` (Unix seconds); returns the sha.
    @discardableResult
    public func commit(
        _ files: [String: String], message: String, author: String = "Test Author",
        time: Int64 = 1_793_606_400
    ) throws -> String {
        for (name, text) in files { try directory.write(name, text) }
        try git(["add", "-A"])
        let email = author.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com"
        let env = [
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": "\(time) +0000", "GIT_COMMITTER_DATE": "\(time) +0000",
        ]
        try git(["commit", "-q", "-m", message], environment: env)
        return try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    public func git(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let result = try Shell.run(["git", "-C", path] + arguments, environment: environment)
        guard result.succeeded else { throw HeadroomError(.git, "git \(arguments): \(result.stderr)") }
        return result.stdout
    }
}

/// Seeded binomial draws for detector tests.
public struct BinomialSampler: Sendable {
    var rng: SplitMix64
    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// k ~ Binomial(n, p) through the normal approximation (n·p·(1−p) is large in these tests), clamped to [0, n].
    public mutating func draw(n: Int64, p: Double) -> Int64 {
        let mean = Double(n) * p
        let sd = (mean * (1 - p)).squareRoot()
        let z = rng.normal()
        return min(max(Int64((mean + sd * z).rounded()), 0), n)
    }

    /// A uniform double in [0, 1).
    public mutating func uniform() -> Double { rng.uniform() }
}

/// A TCP listener on 127.0.0.1 in a child Python process, for tests of what may or may not reach it: it accepts
/// connections and holds them (`answering: false`, a server that never answers) or closes them at once, and stops
/// by itself after `seconds`.
public final class LoopbackListener: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public init(holding: Bool, seconds: Int = 30) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import socket, time
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16); s.settimeout(0.5)
            print(s.getsockname()[1], flush=True)
            held, end = [], time.time() + \(seconds)
            while time.time() < end:
                try:
                    c = s.accept()[0]
                    held.append(c) if \(holding ? "True" : "False") else c.close()
                except socket.timeout:
                    pass
            """,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw HeadroomError(.process, "the loopback listener did not start: '\(line)'")
        }
        self.port = port
    }

    /// Stops the listener.
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    deinit { stop() }
}

/// The code of the `HeadroomError` a call throws, or nil when it throws none (or another error): tests assert the
/// kind of failure, not only that there was one.
public func errorCode(_ body: () throws -> Void) -> HeadroomError.Code? {
    do {
        try body()
        return nil
    } catch let error as HeadroomError {
        return error.code
    } catch {
        return nil
    }
}
