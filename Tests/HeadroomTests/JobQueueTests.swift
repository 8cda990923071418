import Foundation
import HeadroomCore
import HeadroomPostgres
import HeadroomStore
import HeadroomTesting
import Logging
import Testing

/// The durable job queue on both engines: the embedded SQLite store and PostgreSQL (a throwaway cluster per test).
@Suite("job queue, SQLite and PostgreSQL", .ownThreads)
struct JobQueueTests {
    enum Engine: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// Runs `body` with an empty queue on `engine`, then tears it down.
    static func withQueue(_ engine: Engine, _ body: @Sendable (any JobQueue) async throws -> Void) async throws {
        switch engine {
        case .sqlite:
            try await body(try Store.open(path: ":memory:"))
        case .postgres:
            let cluster = try PostgresCluster()
            defer { cluster.stop() }
            let queue = PostgresJobQueue(location: try PostgresLocation(cluster.url))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await queue.run() }
                defer { group.cancelAll() }
                try await queue.migrate()
                try await queue.migrate()  // a second server starting on the same database changes nothing
                try await body(queue)
            }
        }
    }

    @Test(
        "enqueue is idempotent per kind and subject; claim takes the oldest under a lease; finish needs the owner",
        arguments: Engine.allCases)
    func lifecycle(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            let first = try await queue.enqueueJob(
                kind: "fix", subject: "a", regressionID: 7, state: .queued, reason: "", at: 100)
            #expect(first.isNew && first.job.state == .queued && first.job.regressionID == 7)
            let again = try await queue.enqueueJob(
                kind: "fix", subject: "a", regressionID: 7, state: .queued, reason: "", at: 101)
            #expect(!again.isNew && again.job.id == first.job.id && again.job.createdAt == 100)
            _ = try await queue.enqueueJob(
                kind: "fix", subject: "b", regressionID: nil, state: .queued, reason: "", at: 102)
            _ = try await queue.enqueueJob(
                kind: "fix", subject: "c", regressionID: nil, state: .held, reason: "policy", at: 103)
            #expect(try await queue.claimJob(kind: "scan", owner: "w1", until: 200, at: 110) == nil)

            let taken = try #require(try await queue.claimJob(kind: "fix", owner: "w1", until: 200, at: 110))
            #expect(taken.id == first.job.id && taken.state == .running && taken.attempts == 1)
            #expect(taken.leaseOwner == "w1" && taken.leaseUntil == 200)
            #expect(try await queue.renewJobLease(taken.id, owner: "w1", until: 300))
            #expect(try await !queue.renewJobLease(taken.id, owner: "w2", until: 400))

            try await queue.finishJob(taken.id, owner: "w2", state: .done, reason: "not mine", result: nil, at: 120)
            #expect(try await queue.jobs(state: .running, limit: 10).map(\.id) == [taken.id])
            try await queue.finishJob(taken.id, owner: "w1", state: .done, reason: "delivered", result: "{}", at: 121)
            let done = try await queue.jobs(state: .done, limit: 10)
            #expect(done.map(\.reason) == ["delivered"] && done.first?.result == "{}" && done.first?.leaseOwner == nil)

            // The held job is never taken; the next queued one is.
            let next = try #require(try await queue.claimJob(kind: "fix", owner: "w1", until: 200, at: 130))
            #expect(next.subject == "b")
            #expect(try await queue.claimJob(kind: "fix", owner: "w1", until: 200, at: 131) == nil)
            #expect(try await queue.jobs(state: nil, limit: 10).map(\.subject) == ["c", "b", "a"])
        }
    }

    @Test(
        "a lease that runs out is taken back: queued again, then failed with the reason once out of attempts",
        arguments: Engine.allCases)
    func expiry(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            let job = try await queue.enqueueJob(
                kind: "fix", subject: "poison", regressionID: nil, state: .queued, reason: "", at: 0
            ).job
            for attempt in 1...3 {
                let taken = try #require(
                    try await queue.claimJob(kind: "fix", owner: "w\(attempt)", until: Int64(attempt * 100), at: 0))
                #expect(taken.id == job.id && taken.attempts == attempt)
                // Not yet expired: nothing is taken back.
                #expect(try await queue.reclaimExpiredJobs(at: Int64(attempt * 100) - 1, maximumAttempts: 3).isEmpty)
                let reclaimed = try await queue.reclaimExpiredJobs(at: Int64(attempt * 100) + 1, maximumAttempts: 3)
                #expect(reclaimed.map(\.id) == [job.id])
                #expect(reclaimed.first?.state == (attempt < 3 ? .queued : .failed))
                #expect(reclaimed.first?.reason.contains("attempt \(attempt) stopped renewing its lease") == true)
                #expect(reclaimed.first?.leaseOwner == nil)
                // The dead worker's late finish changes nothing: it no longer holds the job.
                try await queue.finishJob(job.id, owner: "w\(attempt)", state: .done, reason: "", result: nil, at: 1)
            }
            let failed = try await queue.jobs(state: .failed, limit: 10)
            #expect(failed.count == 1 && failed.first?.attempts == 3)
            #expect(failed.first?.reason.contains("given up after 3 attempts") == true)
            #expect(try await queue.claimJob(kind: "fix", owner: "w9", until: 999, at: 500) == nil)
        }
    }

    @Test(
        "a claim can leave jobs out; a released job goes back untried, with its reason, and only its holder releases it",
        arguments: Engine.allCases)
    func passOver(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            let a = try await queue.enqueueJob(
                kind: "scan", subject: "a", regressionID: nil, state: .queued, reason: "", at: 0
            ).job
            let b = try await queue.enqueueJob(
                kind: "scan", subject: "b", regressionID: nil, state: .queued, reason: "", at: 1
            ).job
            let taken = try #require(
                try await queue.claimJob(kind: "scan", owner: "w1", until: 100, at: 2, excluding: [a.id]))
            #expect(taken.id == b.id && taken.attempts == 1)
            #expect(try await queue.claimJob(kind: "scan", owner: "w1", until: 100, at: 2, excluding: [a.id]) == nil)
            // Another worker cannot release it; its holder can.
            try await queue.releaseJob(b.id, owner: "w2", reason: "not mine", at: 3)
            #expect(try await queue.jobs(state: .running, limit: 10).map(\.id) == [b.id])
            try await queue.releaseJob(b.id, owner: "w1", reason: "passed on by w1: no folder", at: 3)
            let back = try #require(try await queue.jobs(state: .queued, limit: 10).first { $0.id == b.id })
            #expect(back.attempts == 0 && back.reason == "passed on by w1: no folder" && back.leaseOwner == nil)
            // Without the exclusion, the oldest again; then the released one, its first attempt.
            #expect(try await queue.claimJob(kind: "scan", owner: "w2", until: 100, at: 4)?.id == a.id)
            let again = try #require(try await queue.claimJob(kind: "scan", owner: "w2", until: 100, at: 4))
            #expect(again.id == b.id && again.attempts == 1)
        }
    }

    @Test("workers racing for jobs: every job is taken exactly once", arguments: Engine.allCases)
    func race(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            for index in 0..<60 {
                _ = try await queue.enqueueJob(
                    kind: "scan", subject: "s\(index)", regressionID: nil, state: .queued, reason: "", at: 0)
            }
            let taken = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [Int64] = []
                        while let job = try await queue.claimJob(kind: "scan", owner: "w\(worker)", until: 99, at: 0) {
                            mine.append(job.id)
                        }
                        return mine
                    }
                }
                var all: [Int64] = []
                for try await ids in group { all += ids }
                return all
            }
            #expect(taken.count == 60)
            #expect(Set(taken).count == 60)
            #expect(try await queue.jobs(state: .running, limit: 100).allSatisfy { $0.attempts == 1 })
        }
    }

    @Test("a database URL: TCP, a socket directory, and one clear error for anything else")
    func location() throws {
        let tcp = try PostgresLocation("postgres://carol:secret@db.internal:6543/fleet")
        #expect(tcp.user == "carol" && tcp.password == "secret" && tcp.host == "db.internal" && tcp.port == 6543)
        #expect(tcp.database == "fleet" && tcp.socketDirectory == nil)
        let socket = try PostgresLocation("postgres://headroom@/headroom?host=/tmp/pg")
        #expect(socket.socketDirectory == "/tmp/pg" && socket.host == nil && socket.port == 5432)
        #expect(throws: HeadroomError.self) { try PostgresLocation("mysql://x@y/z") }
        #expect(throws: HeadroomError.self) { try PostgresLocation("postgres://x@y/") }
        do {
            _ = try PostgresLocation("postgres://carol:secret@db/")
        } catch {
            #expect(!"\(error)".contains("secret"))
        }
    }
}
