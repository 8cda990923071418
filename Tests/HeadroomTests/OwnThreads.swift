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
///
/// Running every test at once on such threads overloaded the machine instead (the next run's timeouts and A/B noise:
/// a py-spy recording, a Python helper and a fix job's wait all ran out of time), so at most
/// `TestPermits.shared.limit` test cases run at a time (`HEADROOM_TEST_PARALLELISM`, default cores + 1, at least 3);
/// the others wait for a permit suspended, holding no thread.
struct OwnThreads: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // A suite's scope holds no permit: its tests each take one (once, whatever the nesting of suites).
        guard testCase != nil, !TestPermits.held else {
            try await withTaskExecutorPreference(TestThreads.shared) { try await function() }
            return
        }
        await TestPermits.shared.acquire()
        do {
            try await TestPermits.$held.withValue(true) {
                try await withTaskExecutorPreference(TestThreads.shared) { try await function() }
            }
        } catch {
            await TestPermits.shared.release()
            throw error
        }
        await TestPermits.shared.release()
    }
}

/// How many test cases run at once, and the ones waiting for their turn.
actor TestPermits {
    static let shared = TestPermits(
        limit: ProcessInfo.processInfo.environment["HEADROOM_TEST_PARALLELISM"].flatMap(Int.init)
            ?? max(3, ProcessInfo.processInfo.activeProcessorCount + 1))

    /// Whether the current task runs under a permit already.
    @TaskLocal static var held = false

    let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    /// Returns once this caller may run (at once while fewer than `limit` run).
    func acquire() async {
        guard running >= limit else {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the permit to the longest waiting caller, or frees it.
    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
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
