import Fluent
import NIOCore
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

    func testWaitSettingIsBounded() {
        XCTAssertEqual(Settings.load(environment: [:]).databaseWait, 30)
        XCTAssertEqual(Settings.load(environment: ["ZHIMEI_DB_WAIT_SECONDS": "2.5"]).databaseWait, 2.5)
        XCTAssertEqual(Settings.load(environment: ["ZHIMEI_DB_WAIT_SECONDS": "0"]).databaseWait, 0.1)
        XCTAssertEqual(Settings.load(environment: ["ZHIMEI_DB_WAIT_SECONDS": "nonsense"]).databaseWait, 30)
    }
}
