import Fluent
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// The dashboard's event list: every open event of the tenant, 50 a page, in the chosen order (before, only the 50
/// riskiest could be seen).
final class OpinionEventListPageTests: XCTestCase {
    func testEveryOpenEventIsReachablePageByPageInEachOrder() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let now = Date()
            func event(_ tenant: UUID, _ i: Int, status: String = "open") -> OpinionEvent {
                let e = OpinionEvent()
                e.tenantID = tenant; e.title = "测试事件\(String(format: "%03d", i))"; e.terms = []
                e.postCount = 1_000 - i; e.positive = 0; e.neutral = 0; e.negative = 0
                e.firstAt = now.addingTimeInterval(-86_400); e.lastAt = now.addingTimeInterval(Double(-i) * 60)
                e.status = status; e.risk = Double(i % 97); e.heat = Double(i); e.createdAt = now; e.updatedAt = now
                return e
            }
            for i in 0..<120 { try await event(liuyang, i).create(on: t.db) }
            try await event(liuyang, 500, status: "merged").create(on: t.db)
            for i in 0..<30 { try await event(ningxiang, 200 + i).create(on: t.db) }

            let html: HTTPHeaders = ["Accept": "text/html"]
            let session = try await t.session(for: "liuyang-editor")
            func titles(_ page: String) -> [String] {
                page.components(separatedBy: "测试事件").dropFirst().map { String($0.prefix(3)) }
            }
            var seen: [String] = []
            for n in 1...3 {
                let page = try await t.send(.GET, "/opinion?sort=size&page=\(n)", headers: html, as: session)
                XCTAssertEqual(page.status, .ok)
                XCTAssertTrue(page.text.contains("进行中 120"), "open events of the tenant only")
                seen += titles(page.text)
                XCTAssertEqual(page.text.contains("rel=\"next\""), n < 3)
                if n == 2 { XCTAssertTrue(page.text.contains("href=\"/opinion?page=3&amp;sort=size\" rel=\"next\"")) }
            }
            // by size: event 0 has the most posts; every open event once, none of the other tenant, not the merged one
            XCTAssertEqual(seen, (0..<120).map { String(format: "%03d", $0) })
            // by risk (the default): the riskiest first, ties the most recent first
            let risky = titles(try await t.send(.GET, "/opinion", headers: html, as: session).text)
            XCTAssertEqual(risky.count, 50)
            XCTAssertEqual(Array(risky.prefix(2)), ["096", "095"])
            // a page past the end shows the last; an unknown order falls back to risk
            let beyond = try await t.send(.GET, "/opinion?sort=bogus&page=999", headers: html, as: session)
            XCTAssertEqual(beyond.status, .ok)
            XCTAssertEqual(titles(beyond.text).count, 20)
            // the API pages the same way
            let api = try await t.send(.GET, "/api/v1/opinion/events?sort=size&limit=50&offset=100", as: try await t.token(for: "liuyang-editor"))
            XCTAssertEqual(try api.json([OpinionEventDTO].self).map(\.title).map { String($0.suffix(3)) }, (100..<120).map { String(format: "%03d", $0) })
        }
    }
}
