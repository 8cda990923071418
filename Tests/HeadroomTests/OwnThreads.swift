import Foundation
import Testing

/// Runs a suite's tests on `TestThreads` instead of Swift concurrency's cooperative pool.
///
/// The pool has one thread per core: two on CI. Many tests wait synchronously (a subprocess, git, a CLI run, a
/// SQLite write) for seconds or minutes, and each such wait holds one of those threads. Two of them at once stopped
/// every other test in the run: the fresh-clone run of 74382b9 had hundreds of tests, and the PostgreSQL clients
/// beside them, waiting about 450 s for a thread, and some never finished (the runs of 6f511ff and 74382b9 hit CI's
/// limit). With this trait on every suite, a test's body and the tasks it starts (task groups, `async let`) run on
/// threads that are added whenever every existing one is busy, so a blocked test holds only its own.
struct OwnThreads: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(TestThreads.shared) { try await function() }
    }
}

extension Trait where Self == OwnThreads {
    /// The suite's tests run on threads of their own (`TestThreads`), never on the cooperative pool.
    static var ownThreads: Self { OwnThreads() }
}

/// A task executor whose pool grows: a job runs on an idle thread, or on a new one when there are more jobs waiting
/// than idle threads (a blocked test keeps its thread; nothing waits behind it). Idle threads stay for later jobs.
final class TestThreads: TaskExecutor, @unchecked Sendable {
    static let shared = TestThreads()

    /// Guards `jobs` and `idle`; idle threads wait on it.
    private let ready = NSCondition()
    private var jobs: [UnownedJob] = []
    private var idle = 0

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        ready.lock()
        jobs.append(unowned)
        let start = jobs.count > idle
        ready.signal()
        ready.unlock()
        if start {
            let thread = Thread { [self] in work() }
            thread.name = "headroom-test"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func work() {
        while true {
            ready.lock()
            while jobs.isEmpty {
                idle += 1
                ready.wait()
                idle -= 1
            }
            let job = jobs.removeFirst()
            ready.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
