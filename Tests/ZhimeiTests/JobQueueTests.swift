import Fluent
import NIOConcurrencyHelpers
import Vapor
import XCTest
@testable import Zhimei

/// The durable job queue inside one process: retries, backoff, dead letters, idempotency, leases, progress.
final class JobQueueTests: XCTestCase {
    func testBackoffIsExponentialWithJitterAndCapped() {
        for attempt in 1...6 {
            let base = 2 * pow(2, Double(attempt - 1))
            for _ in 0..<50 {
                let d = JobQueue.backoff(attempt: attempt, base: 2)
                XCTAssertGreaterThanOrEqual(d, base * 0.5)
                XCTAssertLessThanOrEqual(d, base)
            }
        }
        XCTAssertLessThanOrEqual(JobQueue.backoff(attempt: 40, base: 2), 3600)
        let samples = Set((0..<20).map { _ in JobQueue.backoff(attempt: 3, base: 2) })
        XCTAssertGreaterThan(samples.count, 1, "jitter spreads retries")
    }

    func testFailingJobRetriesWithGrowingDelaysThenDeadLettersAndCanBeRetriedFromTheAPI() async throws {
        try await withTestApp { t in
            let calls = NIOLockedValueBox(0)
            t.app.zhimei.jobs.register("test.flaky") { _ in
                let n = calls.withLockedValue { $0 += 1; return $0 }
                if n <= 3 { throw AppError.conflict("flaky", zh: "第\(n)次失败", en: "failure \(n)") }
                return "ok on call \(n)"
            }
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
            let liuyang = try await t.tenant("liuyang").requireID()
            let job = try await JobQueue.enqueue(kind: "test.flaky", tenantID: liuyang, maxAttempts: 3, on: t.db)
            var delays: [TimeInterval] = []
            for attempt in 1...3 {
                let before = Date()
                try await XCTAssertTrueAsync(try await pool.runOne(owner: "w1"))
                let row = try await Job.find(job.id, on: t.db)!
                XCTAssertEqual(row.attempts, attempt)
                XCTAssertEqual(row.lastError?.contains("failure \(attempt)"), true)
                if attempt < 3 {
                    XCTAssertEqual(row.state, .queued)
                    delays.append(row.runAt.timeIntervalSince(before))
                    try await XCTAssertFalseAsync(try await pool.runOne(owner: "w1"), "not due yet")
                    row.runAt = Date().addingTimeInterval(-1)
                    try await row.save(on: t.db)
                } else {
                    XCTAssertEqual(row.state, .dead)
                }
            }
            XCTAssertTrue((0.9...2.1).contains(delays[0]), "first retry after 1–2 s, got \(delays[0])")
            XCTAssertTrue((1.9...4.1).contains(delays[1]), "second retry after 2–4 s, got \(delays[1])")

            // The dead letter is listed, retried by an admin, and then succeeds.
            let admin = try await t.token(for: "liuyang-admin")
            struct JobOut: Decodable { var id: UUID; var state: String; var attempts: Int }
            let dead = try await t.send(.GET, "/api/v1/jobs?state=dead", as: admin).json([JobOut].self)
            XCTAssertEqual(dead.map(\.id), [job.id!])
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/jobs/\(job.id!)/retry", as: admin).json(JobOut.self).state, "queued")
            try await XCTAssertTrueAsync(try await pool.runOne(owner: "w1"))
            let done = try await Job.find(job.id, on: t.db)!
            XCTAssertEqual(done.state, .succeeded)
            XCTAssertEqual(done.result, "ok on call 4")
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "job.retry").count(), 1)
        }
    }

    func testDiscardingADeadJob() async throws {
        try await withTestApp { t in
            t.app.zhimei.jobs.register("test.broken") { _ in throw AppError.conflict("broken", zh: "坏了", en: "broken") }
            let job = try await JobQueue.enqueue(kind: "test.broken", tenantID: nil, maxAttempts: 1, on: t.db)
            _ = try await JobWorkerPool(application: t.app, concurrency: 1, lease: 30).runOne(owner: "w")
            let admin = try await t.token(for: "admin")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/jobs/\(job.id!)/discard", as: admin).status, .ok)
            try await XCTAssertEqualAsync(try await Job.find(job.id, on: t.db)?.state, .discarded)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/jobs/\(job.id!)/discard", as: admin).status, .conflict)
        }
    }

    func testIdempotencyKeyReturnsTheSameJob() async throws {
        try await withTestApp(seed: false) { t in
            let a = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: nil, idempotencyKey: "daily-2026-11-22", on: t.db)
            let b = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: nil, idempotencyKey: "daily-2026-11-22", on: t.db)
            XCTAssertEqual(a.id, b.id)
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).count(), 1)
        }
    }

    /// /admin/jobs pages through every job, newest first, 50 at a time, filtered by state and kind (the pager keeps
    /// both); the API pages by offset. Before, the page and the API stopped at the newest 200.
    func testJobsPagePagesByStateAndKind() async throws {
        try await withTestApp { t in
            let start = Date().addingTimeInterval(-100_000)
            for i in 0..<75 {
                let j = try await JobQueue.enqueue(kind: i < 70 ? "review.proofread_batch" : "publishing.deliver", tenantID: nil,
                                                   runAt: Date().addingTimeInterval(86_400), on: t.db)
                j.state = i < 70 ? .succeeded : .dead
                j.lastError = "记号\(i)号"
                j.createdAt = start.addingTimeInterval(Double(i) * 10)
                try await j.save(on: t.db)
            }
            let admin = try await t.session(for: "admin")
            let first = try await t.send(.GET, "/admin/jobs?kind=review.proofread_batch", headers: ["Accept": "text/html"], as: admin)
            XCTAssertEqual(first.status, .ok)
            XCTAssertTrue(first.text.contains("记号69号") && first.text.contains("记号20号") && !first.text.contains("记号19号"), "page 1: the newest 50")
            XCTAssertFalse(first.text.contains("记号70号"), "another kind")
            XCTAssertTrue(first.text.contains("page=2&amp;kind=review.proofread_batch") || first.text.contains("page=2&kind=review.proofread_batch"))
            let second = try await t.send(.GET, "/admin/jobs?kind=review.proofread_batch&page=2", headers: ["Accept": "text/html"], as: admin)
            XCTAssertTrue(second.text.contains("记号0号") && second.text.contains("记号19号") && !second.text.contains("记号20号"))
            let dead = try await t.send(.GET, "/admin/jobs?state=dead&kind=publishing.deliver", headers: ["Accept": "text/html"], as: admin)
            XCTAssertEqual((70..<75).filter { dead.text.contains("记号\($0)号") }.count, 5)
            XCTAssertEqual(dead.text.components(separatedBy: "/retry\"").count - 1, 5, "a retry button each")
            // An unknown kind is no filter.
            let any = try await t.send(.GET, "/admin/jobs?kind=nonsense", headers: ["Accept": "text/html"], as: admin)
            XCTAssertEqual(any.status, .ok)
            XCTAssertTrue(any.text.contains("记号74号"))

            let token = try await t.token(for: "admin")
            struct J: Decodable { var id: UUID }
            var ids: [UUID] = []
            for offset in [0, 30, 60] {
                ids += try await t.send(.GET, "/api/v1/jobs?kind=review.proofread_batch&limit=30&offset=\(offset)", as: token).json([J].self).map(\.id)
            }
            XCTAssertEqual(Set(ids).count, 70, "every job once over the pages")
        }
    }

    /// Finished jobs past their retention are pruned; recent, queued and running ones, and dead ones younger than a month, stay.
    func testHousekeepingPrunesOnlyOldFinishedJobs() async throws {
        try await withTestApp(seed: false) { t in
            let now = Date()
            func job(_ state: Job.State, finishedDaysAgo: Double?) async throws -> UUID {
                let j = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: nil, on: t.db)
                j.state = state
                j.finishedAt = finishedDaysAgo.map { now.addingTimeInterval(-$0 * 86_400) }
                try await j.save(on: t.db)
                return try j.requireID()
            }
            let oldDone = try await job(.succeeded, finishedDaysAgo: 8)
            let oldDiscarded = try await job(.discarded, finishedDaysAgo: 10)
            let recentDone = try await job(.succeeded, finishedDaysAgo: 1)
            let deadTwoWeeks = try await job(.dead, finishedDaysAgo: 14)
            let deadOld = try await job(.dead, finishedDaysAgo: 40)
            let queued = try await job(.queued, finishedDaysAgo: nil)
            try await XCTAssertEqualAsync(try await Housekeeping.run(on: t.db, now: now), 3)
            let left = Set(try await Job.query(on: t.db).all().compactMap(\.id))
            XCTAssertEqual(left, [recentDone, deadTwoWeeks, queued])
            XCTAssertFalse(left.contains(oldDone) || left.contains(oldDiscarded) || left.contains(deadOld))
            try await XCTAssertEqualAsync(try await Housekeeping.run(on: t.db, now: now), 0, "a second run has nothing to do")
        }
    }

    func testExpiredLeaseIsReclaimedAndTheOldOwnerCannotFinish() async throws {
        try await withTestApp(seed: false) { t in
            let job = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: nil, maxAttempts: 3, on: t.db)
            let kinds = t.app.zhimei.jobs.kinds
            let first = try await JobQueue.claim(owner: "dead-worker", lease: 0.3, kinds: kinds, on: t.db)
            XCTAssertEqual(first?.id, job.id)
            let whileLeased = try await JobQueue.claim(owner: "other", lease: 5, kinds: kinds, on: t.db)
            XCTAssertNil(whileLeased, "a live lease is never taken over")
            try await Task.sleep(nanoseconds: 500_000_000)
            let second = try await XCTUnwrapAsync(try await JobQueue.claim(owner: "rescuer", lease: 5, kinds: kinds, on: t.db))
            XCTAssertEqual(second.id, job.id)
            XCTAssertEqual(second.attempts, 2)
            try await XCTAssertFalseAsync(try await JobQueue.finish(first!, owner: "dead-worker", state: .succeeded, error: nil, result: "late", on: t.db))
            try await XCTAssertFalseAsync(try await JobQueue.heartbeat(jobID: job.id!, owner: "dead-worker", lease: 5, on: t.db))
            try await XCTAssertTrueAsync(try await JobQueue.finish(second, owner: "rescuer", state: .succeeded, error: nil, result: "done", on: t.db))
            try await XCTAssertEqualAsync(try await Job.find(job.id, on: t.db)?.result, "done")
        }
    }

    func testJobWhoseLastAttemptDiedIsDeadLettered() async throws {
        try await withTestApp(seed: false) { t in
            let job = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: nil, maxAttempts: 1, on: t.db)
            let kinds = t.app.zhimei.jobs.kinds
            _ = try await JobQueue.claim(owner: "w1", lease: 0.2, kinds: kinds, on: t.db)
            try await Task.sleep(nanoseconds: 400_000_000)
            try await XCTAssertNilAsync(try await JobQueue.claim(owner: "w2", lease: 5, kinds: kinds, on: t.db))
            let row = try await Job.find(job.id, on: t.db)!
            XCTAssertEqual(row.state, .dead)
            XCTAssertTrue(row.lastError?.contains("lease expired") ?? false)
        }
    }

    /// A kind's give-up handler runs once when its job is dead-lettered — after the last attempt threw, and when the
    /// worker of the last attempt died (found by the next claim) — with the reason; not on a retried failure.
    func testGiveUpHandlerRunsOnceWhenAJobIsDeadLettered() async throws {
        try await withTestApp(seed: false) { t in
            actor Calls { var items: [(UUID, String)] = []; func add(_ id: UUID, _ r: String) { items.append((id, r)) } }
            let calls = Calls()
            t.app.zhimei.jobs.register("test.always_fails") { _ in throw AppError.invalid("x", zh: "总是失败", en: "always fails") }
            t.app.zhimei.jobs.onGiveUp("test.always_fails") { ctx, reason in await calls.add(ctx.jobID, reason) }
            let thrown = try await JobQueue.enqueue(kind: "test.always_fails", tenantID: nil, maxAttempts: 2, on: t.db)
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
            try await XCTAssertTrueAsync(try await pool.runOne(owner: "w"))
            try await XCTAssertEqualAsync(await calls.items.count, 0, "a retry is not giving up")
            try await Job.query(on: t.db).filter(\.$id == thrown.id!).set(\.$runAt, to: Date().addingTimeInterval(-1)).update()
            try await XCTAssertTrueAsync(try await pool.runOne(owner: "w"))
            var items = await calls.items
            XCTAssertEqual(items.map(\.0), [thrown.id!])
            XCTAssertTrue(items.first?.1.contains("always fails") ?? false, items.first?.1 ?? "")

            let lost = try await JobQueue.enqueue(kind: "test.always_fails", tenantID: nil, maxAttempts: 1, on: t.db)
            _ = try await JobQueue.claim(owner: "dying-worker", lease: 0.2, kinds: ["test.always_fails"], on: t.db)
            try await Task.sleep(nanoseconds: 400_000_000)
            try await XCTAssertFalseAsync(try await pool.runOne(owner: "w"), "nothing left to run")
            items = await calls.items
            XCTAssertEqual(items.map(\.0), [thrown.id!, lost.id!])
            XCTAssertTrue(items.last?.1.contains("lease expired") ?? false, items.last?.1 ?? "")
            try await XCTAssertEqualAsync(try await Job.find(lost.id, on: t.db)?.state, .dead)
        }
    }

    /// A worker whose lease was taken over while its attempt ran changes nothing when that attempt fails: no retry is
    /// queued over the new holder's run, and its give-up handler does not run (the new holder decides the job's end).
    func testAFailureAfterTheLeaseWasLostChangesNothing() async throws {
        try await withTestApp(seed: false) { t in
            actor Calls { var count = 0; func add() { count += 1 } }
            let calls = Calls()
            let db = t.db
            t.app.zhimei.jobs.register("test.loses_lease") { ctx in
                try await Job.query(on: db).filter(\.$id == ctx.jobID).set(\.$leaseOwner, to: "other-worker").update()
                throw AppError.invalid("x", zh: "失败", en: "failed")
            }
            t.app.zhimei.jobs.onGiveUp("test.loses_lease") { _, _ in await calls.add() }
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
            for maxAttempts in [1, 3] {
                let job = try await JobQueue.enqueue(kind: "test.loses_lease", tenantID: nil, maxAttempts: maxAttempts, on: t.db)
                try await XCTAssertTrueAsync(try await pool.runOne(owner: "w"))
                let row = try await XCTUnwrapAsync(try await Job.find(job.id, on: t.db))
                XCTAssertEqual(row.state, .running, "max \(maxAttempts): the other worker still holds it")
                XCTAssertEqual(row.leaseOwner, "other-worker")
                XCTAssertNil(row.lastError)
                let failed = try await JobQueue.fail(row, owner: "w", error: "late", on: t.db)
                XCTAssertNil(failed, "a lost lease is reported as such")
            }
            try await XCTAssertEqualAsync(await calls.count, 0, "only the worker that dead-letters a job gives up")
        }
    }

    func testProgressIsStreamedAsServerSentEvents() async throws {
        try await withTestApp(extra: ["ZHIMEI_DIAGNOSTIC_JOBS": "1"]) { t in
            let admin = try await t.token(for: "admin")
            let verify = try await t.send(.POST, "/api/v1/audit/verify", as: admin)
            XCTAssertEqual(verify.status, .accepted)
            struct JobOut: Decodable { var id: UUID }
            let id = try verify.json(JobOut.self).id
            try await XCTAssertTrueAsync(try await JobWorkerPool(application: t.app, concurrency: 1, lease: 30).runOne(owner: "w"))
            let stream = try await t.send(.GET, "/api/v1/jobs/\(id)/events", as: admin)
            XCTAssertEqual(stream.headers.contentType?.subType, "event-stream")
            XCTAssertTrue(stream.text.contains("event: progress"))
            XCTAssertTrue(stream.text.contains(#""state":"succeeded""#), stream.text)
            XCTAssertTrue(stream.text.contains(#""progress_percent":100"#))
            XCTAssertTrue(stream.text.contains("audit") || stream.text.contains("ok:"), stream.text)
            XCTAssertTrue(stream.text.hasSuffix("event: end\ndata: {}\n\n"))
        }
    }
    /// A browser that leaves the jobs page mid-stream closes the connection; the stream must end cleanly. An unended
    /// stream trips Vapor's assertion and kills the (debug) server — this test process would crash with it.
    func testClientLeavingAProgressStreamDoesNotKillTheServer() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            let job = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: nil, runAt: Date().addingTimeInterval(3600), on: t.db)
            // Port 0: the system picks a free one (a random port in the ephemeral range collided once in CI).
            t.app.http.server.configuration.hostname = "127.0.0.1"
            t.app.http.server.configuration.port = 0
            try await t.app.server.start(address: .hostname("127.0.0.1", port: 0))
            guard let port = t.app.http.server.shared.localAddress?.port else { throw TestError("test server has no port") }
            do {
                let request = "GET /api/v1/jobs/\(job.id!)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(admin.bearer!)\r\n\r\n"
                let first = try RawHTTP.sendAndReadOnce(port: port, request)
                XCTAssertTrue(first.contains("200") && first.contains("event-stream"), first)
                // The socket is closed now; the server's next write (within a second) fails and must end the stream.
                try await Task.sleep(nanoseconds: 1_800_000_000)
                let again = try RawHTTP.sendAndReadOnce(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                XCTAssertTrue(again.contains("200"), again)
            } catch {
                await t.app.server.shutdown()
                throw error
            }
            await t.app.server.shutdown()
        }
    }
}

/// A bare TCP client: send a request, read what arrives first, close — like a browser tab that is closed.
enum RawHTTP {
    static func sendAndReadOnce(port: Int, _ request: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw TestError("connect failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw TestError("send failed") }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { throw TestError("nothing received") }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
