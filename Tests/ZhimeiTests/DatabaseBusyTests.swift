import Fluent
import NIOCore
import SQLKit
import Vapor
import XCTVapor
import XCTest
@testable import Zhimei

/// Counts connections taken and tells their holders when to let go.
private actor Holders {
    var taken = 0
    var released = false
    func take() { taken += 1 }
    func release() { released = true }
}

/// Overload: when every pooled database connection stays busy past `ZHIMEI_DB_WAIT_SECONDS`, a request is answered
/// 503 "busy" (bilingual, `Retry-After`) instead of an internal error, and is served normally once connections free up.
final class DatabaseBusyTests: XCTestCase {
    func testExhaustedPoolAnswersBusyThenRecovers() async throws {
        try await withTestApp(extra: ["ZHIMEI_DB_WAIT_SECONDS": "0.5"]) { t in
            let editor = try await t.token(for: "liuyang-editor")
            let perLoop = DatabaseSetup.connectionsPerEventLoop(postgres: TestApp.postgresURL != nil)
            let loops = Array(t.app.eventLoopGroup.makeIterator())
            let holders = Holders()
            let app = t.app
            var tasks: [Task<Void, any Error>] = []
            for loop in loops {
                for _ in 0..<perLoop {
                    tasks.append(Task {
                        guard let db = app.databases.database(nil, logger: app.logger, on: loop) else { throw TestError("no database") }
                        try await db.withConnection { _ in
                            await holders.take()
                            while !(await holders.released) { try await Task.sleep(for: .milliseconds(10)) }
                        }
                    })
                }
            }
            let all = loops.count * perLoop
            for _ in 0..<500 where await holders.taken < all { try await Task.sleep(for: .milliseconds(10)) }
            let taken = await holders.taken
            XCTAssertEqual(taken, all, "every pooled connection is held")

            let started = ContinuousClock.now
            let busy = try await t.send(.GET, "/api/v1/search?q=%E5%AA%92%E4%BD%93", as: editor)
            XCTAssertEqual(busy.status, .serviceUnavailable)
            XCTAssertEqual(busy.headers.first(name: .retryAfter), "5")
            XCTAssertEqual(try busy.error().code, "busy")
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "the configured wait applies, not the 30 s default")

            await holders.release()
            for task in tasks { try await task.value }
            let served = try await t.send(.GET, "/api/v1/search?q=%E5%AA%92%E4%BD%93", as: editor)
            XCTAssertEqual(served.status, .ok)
        }
    }

    /// On SQLite, searches read through a pool of their own (`sqliteSearch`) on the event loop with the fewest searches
    /// running: a search is answered while every connection of the main pool is held (a long write) and while a long
    /// search holds the search connection of the caller's own loop. Before, it waited for the main connection of
    /// whichever loop the caller happened to be on.
    func testSearchesRunOnTheLeastBusyLoopsOwnConnection() async throws {
        guard TestApp.postgresURL == nil else { throw XCTSkip("PostgreSQL searches on the main pool (four connections per loop)") }
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
        try await withTestApp(extra: ["ZHIMEI_DB_WAIT_SECONDS": "0.5"]) { t in
            let app = t.app
            let loops = Array(app.eventLoopGroup.makeIterator())
            guard loops.count >= 2 else { throw XCTSkip("one event loop: nothing to spread over") }
            let liuyang = try await t.tenant("liuyang").requireID()
            let doc = SearchDocument(kind: "story", sourceID: UUID(), tenantID: liuyang, title: "防汛演练在浏阳举行", lead: "", body: "全市防汛演练。",
                                     tags: [], category: "时政", author: "张三", state: "draft", language: "zh-Hans", date: Date(), updatedAt: Date())
            try await SearchService.index([doc], analyzer: try await SearchService.analyzer(app), on: t.db)

            let holders = Holders()
            var tasks: [Task<Void, any Error>] = []
            for loop in loops {
                tasks.append(Task {
                    guard let db = app.databases.database(nil, logger: app.logger, on: loop) else { throw TestError("no database") }
                    try await db.withConnection { _ in
                        await holders.take()
                        while !(await holders.released) { try await Task.sleep(for: .milliseconds(10)) }
                    }
                })
            }
            for _ in 0..<500 where await holders.taken < loops.count { try await Task.sleep(for: .milliseconds(10)) }
            // A long search: it takes the least busy loop, the first, and holds its search connection.
            tasks.append(Task {
                try await app.zhimei.searchConnections.run(app, fallback: app.db) { db in
                    try await db.withConnection { _ in
                        await holders.take()
                        while !(await holders.released) { try await Task.sleep(for: .milliseconds(10)) }
                    }
                }
            })
            for _ in 0..<500 where await holders.taken < loops.count + 1 { try await Task.sleep(for: .milliseconds(10)) }
            let taken = await holders.taken
            XCTAssertEqual(taken, loops.count + 1, "every main connection and the first loop's search connection are held")
            XCTAssertEqual(app.zhimei.searchConnections.inFlight, [1] + Array(repeating: 0, count: loops.count - 1))

            var r = SearchRequest()
            r.query = SearchQuery.parse("防汛")
            guard let onFirstLoop = app.databases.database(nil, logger: app.logger, on: loops[0]) else { throw TestError("no database") }
            for _ in 0..<3 {
                let (outcome, _) = try await SearchService.search(r, visibility: .everything(["story"]), app: app, on: onFirstLoop)
                XCTAssertEqual(outcome.hits.map(\.title), ["防汛演练在浏阳举行"])
            }
            await holders.release()
            for task in tasks { try await task.value }
            XCTAssertEqual(app.zhimei.searchConnections.inFlight, Array(repeating: 0, count: loops.count))
        }
    }

    func testWaitSettingIsBounded() {
        XCTAssertEqual(Settings.load(environment: [:]).databaseWait, 30)
        XCTAssertEqual(Settings.load(environment: ["ZHIMEI_DB_WAIT_SECONDS": "2.5"]).databaseWait, 2.5)
        XCTAssertEqual(Settings.load(environment: ["ZHIMEI_DB_WAIT_SECONDS": "0"]).databaseWait, 0.1)
        XCTAssertEqual(Settings.load(environment: ["ZHIMEI_DB_WAIT_SECONDS": "nonsense"]).databaseWait, 30)
    }
}

/// A connection that finds the database locked by another connection's write transaction sleeps until the lock is
/// free (SQLiteBusyWait) instead of SQLiteNIO's retry-at-once, which spun a thread at full speed for as long as the
/// other transaction lasted.
final class SQLiteBusyWaitTests: XCTestCase {
    func testAWriterWaitingForAnotherTransactionSleepsAndThenWrites() async throws {
        try XCTSkipIf(TestApp.postgresURL != nil, "SQLite's lock wait")
        try await withTestApp(seed: false) { t in
            let loops = Array(t.app.eventLoopGroup.makeIterator())
            XCTAssertGreaterThanOrEqual(loops.count, 2)
            let holder = try Self.connection(t.app, on: loops[0]), waiter = try Self.connection(t.app, on: loops[1])
            try await holder.raw("CREATE TABLE busy_wait_test (x INTEGER)").run()
            let holding = Self.holdWrite(on: holder, table: "busy_wait_test")
            try await Task.sleep(nanoseconds: 200_000_000)
            let cpuBefore = Self.processCPUSeconds()
            let write = Task { try await waiter.raw("INSERT INTO busy_wait_test VALUES (2)").run() }
            try await Task.sleep(nanoseconds: 1_000_000_000)
            let cpuWhileWaiting = Self.processCPUSeconds() - cpuBefore
            try await holding.value
            try await write.value
            let n = try await waiter.raw("SELECT COUNT(*) AS n FROM busy_wait_test").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(n, 2, "the waiting write went in after the commit")
            // Spinning used a whole core for that second (~1 s of CPU); sleeping uses a few milliseconds.
            XCTAssertLessThan(cpuWhileWaiting, 0.3, "CPU while one connection waited 1 s for another's transaction")
        }
    }

    /// A statement waiting for another connection's lock holds its thread while it waits. Two such waits must not take
    /// every thread from the connection they wait for: here a checkpoint (`wal_checkpoint(TRUNCATE)`, as a search
    /// bulk load ends) waits for a search connection's read transaction to end, a write waits for the checkpoint, and
    /// the search then needs a thread for its next statement. With NIO's default pool of one thread per core (two on
    /// CI) that search had none, and everything stopped until the lock wait ran out (then 10 minutes; a CI hang, 2026-12-06).
    func testWaitingStatementsLeaveAThreadForTheConnectionTheyWaitFor() async throws {
        try XCTSkipIf(TestApp.postgresURL != nil, "SQLite's lock wait")
        try await withTestApp(seed: false) { t in
            let app = t.app
            let loops = Array(app.eventLoopGroup.makeIterator())
            XCTAssertGreaterThanOrEqual(loops.count, 2)
            XCTAssertTrue(app.databases.threadPool === app.threadPool, "the pools' connections run on the application's thread pool")
            let checkpointer = try Self.connection(app, on: loops[0]), writer = try Self.connection(app, on: loops[1])
            let search = try Self.connection(app, .sqliteSearch, on: loops[0])
            try await writer.raw("CREATE TABLE thread_wait_test (x INTEGER)").run()
            // Frames in the WAL, so that the reader's snapshot reads from it and a TRUNCATE checkpoint waits for it;
            // written by the checkpointing connection, as a bulk load's own connection ends with the checkpoint.
            try await checkpointer.raw("INSERT INTO thread_wait_test VALUES (1)").run()
            let started = ContinuousClock.now
            let reading = Task {
                try await (search as! any Database).transaction { tx in
                    let sql = tx as! any SQLDatabase
                    _ = try await sql.raw("SELECT COUNT(*) AS n FROM thread_wait_test").first()
                    try await Task.sleep(nanoseconds: 600_000_000)
                    // the next statement: it needs a thread while the other two wait
                    return try await sql.raw("SELECT COUNT(*) AS n FROM thread_wait_test").first()?.decode(column: "n", as: Int.self)
                }
            }
            try await Task.sleep(nanoseconds: 150_000_000)
            let checkpoint = Task { try await checkpointer.raw("PRAGMA wal_checkpoint(TRUNCATE)").all() }
            try await Task.sleep(nanoseconds: 150_000_000)
            let write = Task { try await writer.raw("INSERT INTO thread_wait_test VALUES (2)").run() }
            let seen = try await reading.value
            XCTAssertEqual(seen, 1, "the reader kept its snapshot")
            _ = try await checkpoint.value
            try await write.value
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "the three finished in about the reader's 0.6 s")
            let n = try await writer.raw("SELECT COUNT(*) AS n FROM thread_wait_test").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(n, 2)
        }
    }

    /// A write that waits longer than the lock wait gives up with SQLITE_BUSY, which a request answers as 503 "busy"
    /// (bilingual, Retry-After) rather than a 500; the holder's transaction is unharmed.
    func testAWriteWaitingPastTheLockWaitIsAnsweredBusy() async throws {
        try XCTSkipIf(TestApp.postgresURL != nil, "SQLite's lock wait")
        let saved = SQLiteBusyWait.timeout.load(ordering: .relaxed)
        SQLiteBusyWait.timeout.store(300, ordering: .relaxed)
        defer { SQLiteBusyWait.timeout.store(saved, ordering: .relaxed) }
        try await withTestApp(seed: false) { t in
            let loops = Array(t.app.eventLoopGroup.makeIterator())
            let holder = try Self.connection(t.app, on: loops[0]), waiter = try Self.connection(t.app, on: loops[1])
            try await holder.raw("CREATE TABLE lock_wait_test (x INTEGER)").run()
            let holding = Self.holdWrite(on: holder, table: "lock_wait_test")
            try await Task.sleep(nanoseconds: 200_000_000)
            let started = ContinuousClock.now
            do {
                try await waiter.raw("INSERT INTO lock_wait_test VALUES (2)").run()
                XCTFail("the write should have given up")
            } catch {
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(1.2), "gave up after about the 0.3 s wait, not when the holder finished")
                let answer = BilingualErrorMiddleware.translate(error)
                XCTAssertEqual(answer.status, .serviceUnavailable, "\(error)")
                XCTAssertEqual(answer.code, "busy")
            }
            try await holding.value
            let n = try await waiter.raw("SELECT COUNT(*) AS n FROM lock_wait_test").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(n, 1, "the holder's write went in, the one that gave up did not")
        }
    }

    func testPausesGrowToTenMilliseconds() {
        XCTAssertEqual((0..<12).map { SQLiteBusyWait.pause(afterRetries: $0) / 1_000 }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10])
    }

    /// The application's pooled connection of `id` on `loop` (one per event loop).
    static func connection(_ app: Application, _ id: DatabaseID = .sqlite, on loop: any EventLoop) throws -> any SQLDatabase {
        guard let db = app.databases.database(id, logger: app.logger, on: loop) as? any SQLDatabase else { throw TestError("no database") }
        return db
    }

    /// A write transaction on `db` that inserts a row into `table` and holds the lock for 1.5 s.
    static func holdWrite(on db: any SQLDatabase, table: String) -> Task<Void, any Error> {
        Task {
            try await (db as! any Database).transaction { tx in
                try await (tx as! any SQLDatabase).raw("INSERT INTO \(unsafeRaw: table) VALUES (1)").run()
                try await Task.sleep(nanoseconds: 1_500_000_000)
            }
        }
    }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
