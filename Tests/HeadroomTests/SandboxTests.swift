import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomTesting
import Testing

/// The validation sandbox: what a repository's test and bench commands can and cannot reach.
@Suite("validation sandbox", .ownThreads)
struct SandboxTests {
    @Test("commands see no secret from Headroom's environment, but keep PATH and HOME")
    func scrubbedEnvironment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let sandbox = ValidationSandbox()
        let env = sandbox.environment([
            "PATH": "/usr/bin", "HOME": "/root", "OPENAI_API_KEY": "sk-x", "GITHUB_TOKEN": "t",
            "HEADROOM_MCP_TOKEN": "m", "AWS_SECRET_ACCESS_KEY": "a",
        ])
        #expect(env == ["PATH": "/usr/bin", "HOME": "/root"])
        setenv("HEADROOM_TEST_SANDBOX_SECRET", "do-not-leak", 1)
        defer { unsetenv("HEADROOM_TEST_SANDBOX_SECRET") }
        let run = try sandbox.run(
            "echo ${HEADROOM_TEST_SANDBOX_SECRET:-absent}; command -v python3 >/dev/null && echo python",
            in: dir.path, timeout: 30)
        #expect(run.stdout == "absent\npython\n", "\(run.stdout) \(run.stderr)")
    }

    @Test("scratch folders holding repository content are private to the user (0700)")
    func privateScratch() throws {
        let url = try PrivateTemporary.directory(prefix: "headroom-test-private")
        defer { try? FileManager.default.removeItem(at: url) }
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)
        // Files in it are the owner's only too (0600), whatever the umask; so is the owner's lease.
        let file = url.appendingPathComponent("out").path
        try PrivateTemporary.write("repository text", to: file)
        for path in [file, url.appendingPathComponent(ProcessLease.fileName).path] {
            let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(fileMode?.intValue == 0o600, "\(path)")
        }
    }

    @Test("a timed-out command is killed with everything it started")
    func processGroupKilled() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let started = Date()
        // The child is found by a tag in its command line: inside a PID namespace, `$!` is not a host pid.
        let tag = "headroom-timeout-\(UUID().uuidString.prefix(8))"
        let run = try ValidationSandbox().run("sh -c 'sleep 60; echo \(tag)' & wait", in: dir.path, timeout: 1)
        #expect(run.timedOut)
        #expect(Date().timeIntervalSince(started) < 10)
        let deadline = Date().addingTimeInterval(5)
        while Self.running(tag) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!Self.running(tag), "the background child outlived the timeout")
    }

    /// Whether a live (not zombie) process has `tag` in its command line.
    static func running(_ tag: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                String(decoding: data, as: UTF8.self).contains(tag),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)
            else { return false }
            return !stat.contains(") Z ")
        }
    }

    @Test("nothing a command starts outlives it, a double fork (setsid) included")
    func detachedChildrenDie() throws {
        let sandbox = ValidationSandbox()
        try #require(sandbox.isolatesProcesses, "PID namespaces are not available here")
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let tag = "headroom-escape-\(UUID().uuidString.prefix(8))"
        // Ends normally, and on timeout.
        _ = try sandbox.run("setsid sh -c 'sleep 60; echo \(tag)' >/dev/null 2>&1 & echo ok", in: dir.path, timeout: 30)
        _ = try sandbox.run(
            "setsid sh -c 'sleep 60; echo \(tag)-t' >/dev/null 2>&1 & sleep 30", in: dir.path, timeout: 1)
        let deadline = Date().addingTimeInterval(5)
        while (Self.running(tag) || Self.running(tag + "-t")) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(!Self.running(tag) && !Self.running(tag + "-t"), "a detached child outlived its command")
    }

    @Test("commands run under memory and file-size limits they cannot raise")
    func resourceLimits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var sandbox = ValidationSandbox(environment: [
            "HEADROOM_VALIDATION_MEMORY_MB": "512", "HEADROOM_VALIDATION_FILE_MB": "1",
        ])
        try #require(ValidationSandbox.limitsWork, "prlimit is not available here")
        // A 2 MB file stops at the 1 MB limit; a 1 GB allocation fails; raising the limits is refused.
        let big = try sandbox.run("head -c 2000000 /dev/zero > big; wc -c < big", in: dir.path, timeout: 30)
        #expect(
            big.status != 0 || big.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1048576",
            "\(big.stdout) \(big.stderr)")
        #expect(
            (try FileManager.default.attributesOfItem(atPath: dir.file("big"))[.size] as? NSNumber)?.intValue ?? 0 <= 1
                << 20)
        let memory = try sandbox.run(
            "python3 -c \"b = bytearray(1 << 30); print('allocated')\"", in: dir.path, timeout: 60)
        #expect(!memory.stdout.contains("allocated") && memory.stderr.contains("MemoryError"), "\(memory.stderr)")
        let raise = try sandbox.run("ulimit -f unlimited && echo raised", in: dir.path, timeout: 30)
        #expect(!raise.stdout.contains("raised"))
        sandbox.fileBytes = nil
        sandbox.memoryBytes = nil
        let free = try sandbox.run("head -c 2000000 /dev/zero > big2; wc -c < big2", in: dir.path, timeout: 30)
        #expect(free.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2000000")
    }

    @Test("commands have no network where user namespaces allow it")
    func noNetwork() throws {
        let sandbox = ValidationSandbox()
        try #require(
            sandbox.isolatesNetwork, "unprivileged user namespaces are not available here: \(sandbox.isolation)")
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // A listener outside the sandbox, bounded to 20 s.
        let server = try LoopbackListener(holding: false, seconds: 20)
        defer { server.stop() }
        let port = server.port
        let connect =
            "python3 -c \"import socket; socket.create_connection(('127.0.0.1', \(port)), 2); print('connected')\""
        let outside = try Shell.run(["sh", "-c", connect], in: dir.path, timeout: 30)
        #expect(outside.stdout.contains("connected"), "sanity: the listener is reachable outside (\(outside.stderr))")
        let inside = try sandbox.run(connect, in: dir.path, timeout: 30)
        #expect(inside.status != 0 && !inside.stdout.contains("connected"), "\(inside.stdout) \(inside.stderr)")
        #expect(ValidationSandbox(environment: ["HEADROOM_VALIDATION_NETWORK": "1"]).isolatesNetwork == false)
    }
}
