import Fluent
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// An event can be renamed, closed (结案) and reopened: a closed event takes no new posts (the next post about it opens
/// a new event), leaves the open list for the closed one, and every change is audited.
final class OpinionEventStateTests: XCTestCase {
    struct Event: Decodable { var id: UUID; var title: String; var postCount: Int; var status: String }
    struct Ingested: Decodable { var imported: Int; var eventIds: [UUID] }

    func testRenameCloseAndReopen() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            func ingest(_ id: String) async throws -> Ingested {
                let body = #"{"posts":[{"id":"\#(id)","author":"目击者\#(id)","text":"浏阳集里街道一处仓库凌晨发生火灾，消防车赶到扑救，无人员伤亡。"}]}"#
                return try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: chief).json(Ingested.self)
            }
            let first = try await ingest("c1")
            let id = try XCTUnwrap(first.eventIds.first)
            let path = "/api/v1/opinion/events/\(id)"

            var res = try await t.send(.PATCH, path, json: ["title": "  集里仓库火灾  "], as: chief)
            XCTAssertEqual(res.status, .ok, res.text)
            XCTAssertEqual(try res.json(Event.self).title, "集里仓库火灾", "trimmed")
            res = try await t.send(.PATCH, path, json: ["status": "closed"], as: chief)
            XCTAssertEqual(try res.json(Event.self).status, "closed")

            // Closed: out of the open list, in the closed one; the same story again opens a new event.
            let open = try await t.send(.GET, "/api/v1/opinion/events", as: chief).json([Event].self)
            XCTAssertFalse(open.contains { $0.id == id })
            let closed = try await t.send(.GET, "/api/v1/opinion/events?status=closed", as: chief).json([Event].self)
            XCTAssertEqual(closed.map(\.id), [id])
            let again = try await ingest("c2")
            XCTAssertEqual(again.imported, 1)
            XCTAssertNotEqual(again.eventIds, [id], "a closed event takes no new posts")
            try await XCTAssertEqualAsync(try await OpinionEvent.find(id, on: t.db)?.postCount, 1)

            // Reopened: back in the open list, and the next post joins it again.
            res = try await t.send(.PATCH, path, json: ["status": "open"], as: chief)
            XCTAssertEqual(try res.json(Event.self).status, "open")
            let open2 = try await t.send(.GET, "/api/v1/opinion/events", as: chief).json([Event].self)
            XCTAssertTrue(open2.contains { $0.id == id })

            // Every change is audited with what it was and what it became; a request that changes nothing is not.
            try await XCTAssertEqualAsync(try await t.send(.PATCH, path, json: ["title": "集里仓库火灾"], as: chief).status, .ok)
            let entries = try await AuditEntry.query(on: t.db).filter(\.$action == "opinion_event.update").filter(\.$targetID == id.uuidString).all()
            XCTAssertEqual(entries.count, 3)
            XCTAssertTrue(entries.contains { $0.summary.contains("集里仓库火灾") }, entries.map(\.summary).joined(separator: "\n"))

            // Bad input: a bilingual 422; another tenant: 404; a merged event: 409.
            for body in [["title": "  "], ["title": String(repeating: "长", count: 201)], ["status": "merged"], ["status": "bogus"]] {
                let bad = try await t.send(.PATCH, path, json: body, as: chief)
                XCTAssertEqual(bad.status, .unprocessableEntity, "\(body): \(bad.text)")
                XCTAssertFalse(try bad.error().message_en.isEmpty)
            }
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/events?status=merged", as: chief).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.PATCH, path, json: ["status": "closed"], as: try await t.token(for: "ningxiang-chief")).status, .notFound)
            let other = try XCTUnwrap(again.eventIds.first)
            try await XCTAssertEqualAsync(try await t.send(.POST, "\(path)/merge", json: ["event_ids": [other]], as: chief).status, .ok)
            let merged = try await t.send(.PATCH, "/api/v1/opinion/events/\(other)", json: ["status": "open"], as: chief)
            XCTAssertEqual(merged.status, .conflict, merged.text)
            XCTAssertEqual(try merged.error().code, "event_merged")
        }
    }

    /// The dashboard lists open and closed events under two tabs with their counts; a closed event's page offers to
    /// reopen it, an open one's to close it, and both a rename field.
    func testPagesShowTheStateAndItsActions() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let now = Date()
            func event(_ title: String, status: String) async throws -> UUID {
                let e = OpinionEvent()
                e.tenantID = liuyang; e.title = title; e.terms = []; e.postCount = 1; e.positive = 0; e.neutral = 0; e.negative = 0
                e.firstAt = now; e.lastAt = now; e.status = status; e.risk = 0; e.heat = 0; e.createdAt = now; e.updatedAt = now
                try await e.create(on: t.db)
                return try e.requireID()
            }
            let openID = try await event("进行中的测试事件", status: "open")
            let closedID = try await event("已结案的测试事件", status: "closed")
            let html: HTTPHeaders = ["Accept": "text/html"]
            let chief = try await t.session(for: "liuyang-chief")
            let openList = try await t.send(.GET, "/opinion", headers: html, as: chief).text
            XCTAssertTrue(openList.contains("进行中的测试事件") && !openList.contains("已结案的测试事件"))
            XCTAssertTrue(openList.contains("已结案 1"), "the closed tab counts them")
            let closedList = try await t.send(.GET, "/opinion?status=closed&sort=size", headers: html, as: chief).text
            XCTAssertTrue(closedList.contains("已结案的测试事件") && !closedList.contains("进行中的测试事件"))
            XCTAssertTrue(closedList.contains("name=\"status\" value=\"closed\""), "changing the order keeps the tab")

            let closedPage = try await t.send(.GET, "/opinion/events/\(closedID)", headers: html, as: chief).text
            XCTAssertTrue(closedPage.contains(#"data-body='{"status":"open"}'"#))
            XCTAssertTrue(closedPage.contains("id=\"opinion-event-rename\""))
            let openPage = try await t.send(.GET, "/opinion/events/\(openID)", headers: html, as: chief).text
            XCTAssertTrue(openPage.contains(#"data-body='{"status":"closed"}'"#))
        }
    }
}
