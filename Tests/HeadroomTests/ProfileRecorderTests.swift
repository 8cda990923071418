import Foundation
@testable import HeadroomCore
@testable import HeadroomEngine
import Testing

/// How `headroom record` reports a profiler that wrote nothing: the reason, not the last line of a backtrace.
@Suite("profile recorder errors", .ownThreads)
struct ProfileRecorderTests {
    static func result(_ stderr: String, status: Int32 = 1) -> ProcessResult {
        ProcessResult(status: status, stdoutData: Data(), stderr: stderr, seconds: 0.25, timedOut: false)
    }

    @Test("py-spy that could not attach to a program already gone; any other failure gives its Error: line")
    func reasons() {
        // py-spy 0.4's words when the program it started is gone before it attaches (a short run, a busy machine).
        let attach = """
            Error: Failed to get process executable name. Check that the process is running.

            Caused by:
                0: No such file or directory (os error 2)

            Stack backtrace:
               6: std::sys::thread::unix::Thread::new::thread_start
            """
        let missing = "/nonexistent/\(UUID().uuidString)"
        #expect(throws: HeadroomError.self) {
            try ProfileRecorder.check(Self.result(attach), profiler: "py-spy", program: "python3", output: missing)
        }
        do {
            try ProfileRecorder.check(Self.result(attach), profiler: "py-spy", program: "python3", output: missing)
        } catch let error as HeadroomError {
            #expect(
                error.message.contains("py-spy could not attach: python3 had already exited (0.25 s)")
                    && error.message.contains("profile a longer run") && !error.message.contains("thread_start"),
                "\(error.message)")
        } catch { Issue.record("\(error)") }
        do {
            try ProfileRecorder.check(
                Self.result("Error: Permission denied (os error 13)\n   3: backtrace frame"), profiler: "py-spy",
                program: "python3", output: missing)
        } catch let error as HeadroomError {
            #expect(
                error.message == "py-spy recorded nothing: Error: Permission denied (os error 13)", "\(error.message)")
        } catch { Issue.record("\(error)") }
    }
}
