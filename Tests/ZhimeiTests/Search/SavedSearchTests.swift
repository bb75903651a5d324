import Fluent
import Foundation
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// 我保存的搜索: a saved search keeps its filters (the alert and the link honour them), can be renamed, its alert
/// switched and deleted by its owner only, and is listed on its own page.
final class SavedSearchTests: XCTestCase {
    struct Saved: Decodable { var id: UUID; var name: String; var query: String; var types: [String]; var filters: [String: String]; var alert: Bool; var link: String }

    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    func save(_ t: TestApp, _ body: [String: Any], as actor: TestActor) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/search/saved", raw: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), as: actor)
    }

    func testTheFiltersAreKeptAndTheAlertHonoursThem() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let drafts = try await save(t, ["name": "防汛草稿", "query": "防汛", "types": ["story"], "filters": ["state": "draft", "recency": "true", "author": " "]], as: reporter)
            XCTAssertEqual(drafts.status, .created, drafts.text)
            let kept = try drafts.json(Saved.self)
            XCTAssertEqual(kept.filters, ["state": "draft", "recency": "true"], "blank filters are dropped")
            XCTAssertEqual(kept.link, "/search?q=%E9%98%B2%E6%B1%9B&type=story&state=draft&recency=true")
            let published = try await save(t, ["name": "防汛已发", "query": "防汛", "types": ["story"], "filters": ["state": "published"]], as: reporter)
            XCTAssertEqual(published.status, .created, published.text)
            let leads = try await save(t, ["name": "防汛线索", "query": "防汛", "types": ["lead"]], as: reporter)
            XCTAssertEqual(leads.status, .created, leads.text)

            // A new draft about 防汛 matches the first only.
            let editor = try await t.token(for: "liuyang-editor")
            let story = try await t.send(.POST, "/api/v1/stories", raw: #"{"headline":"浏阳防汛应急响应","body":[{"type":"paragraph","spans":[{"text":"全市启动防汛四级应急响应。"}]}]}"#, as: editor)
            XCTAssertEqual(story.status, .created, story.text)
            try await SearchService.sync(app: t.app, on: t.db)
            try await XCTAssertEqualAsync(try await SavedSearchService.runAlerts(app: t.app, on: t.db), 1)
            let user = try await t.user("liuyang-reporter").requireID()
            let notes = try await AppNotification.query(on: t.db).filter(\.$userID == user).filter(\.$kind == "search.alert").all()
            XCTAssertEqual(notes.map(\.title), ["保存的搜索「防汛草稿」有 1 条新结果：浏阳防汛应急响应 / Saved search “防汛草稿”: 1 new result: 浏阳防汛应急响应"])
            XCTAssertEqual(NotificationPages.title(notes[0].title, "zh"), "保存的搜索「防汛草稿」有 1 条新结果：浏阳防汛应急响应")
            XCTAssertEqual(notes.first?.link, "/search?q=%E9%98%B2%E6%B1%9B&type=story&state=draft&sort=time&recency=true",
                           "the alert opens the search with its filters, newest first")

            // Switched off, it stays quiet; switched on again, it starts from then (the earlier draft is not news).
            let off = try await t.send(.PATCH, "/api/v1/search/saved/\(kept.id)", raw: #"{"alert":false}"#, as: reporter)
            XCTAssertEqual(try off.json(Saved.self).alert, false, off.text)
            _ = try await t.send(.POST, "/api/v1/stories", raw: #"{"headline":"防汛物资清点","body":[{"type":"paragraph","spans":[{"text":"清点防汛物资。"}]}]}"#, as: editor)
            try await SearchService.sync(app: t.app, on: t.db)
            try await XCTAssertEqualAsync(try await SavedSearchService.runAlerts(app: t.app, on: t.db), 0)
            let on = try await t.send(.PATCH, "/api/v1/search/saved/\(kept.id)", raw: #"{"alert":true,"name":" 防汛（草稿） "}"#, as: reporter)
            XCTAssertEqual(try on.json(Saved.self).name, "防汛（草稿）", on.text)
            try await XCTAssertEqualAsync(try await SavedSearchService.runAlerts(app: t.app, on: t.db), 0)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "search.saved_update").count()
            XCTAssertEqual(audit, 2)
        }
    }

    func testBadFiltersDuplicatesAndOtherPeople() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            for (filters, field) in [(["colour": "red"], "filters"), (["from": "昨天"], "from"), (["sort": "random"], "sort"), (["tenant_id": "x"], "tenant_id")] {
                let bad = try await save(t, ["name": "坏", "query": "防汛", "filters": filters], as: reporter)
                XCTAssertEqual(bad.status, .unprocessableEntity, "\(filters): \(bad.text)")
                XCTAssertTrue(bad.text.contains(field), bad.text)
            }
            let first = try await save(t, ["name": "一", "query": "防汛", "filters": ["from": "2026-01-01"]], as: reporter)
            XCTAssertEqual(first.status, .created, first.text)
            let again = try await save(t, ["name": "二", "query": "防汛", "filters": ["from": "2026-01-01"]], as: reporter)
            XCTAssertEqual(again.status, .conflict, again.text)
            XCTAssertTrue(again.text.contains("「一」"), again.text)
            // The same search saved three times at once is saved once.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<3 {
                    group.addTask { try await t.send(.POST, "/api/v1/search/saved", raw: #"{"name":"同时\#(i)","query":"抗旱"}"#, as: reporter).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            XCTAssertEqual(statuses.filter { $0 == .created }.count, 1, "\(statuses)")
            XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 2, "\(statuses)")
            let otherDate = try await save(t, ["name": "三", "query": "防汛", "filters": ["from": "2026-02-01"]], as: reporter)
            XCTAssertEqual(otherDate.status, .created, "other filters are another search")
            let id = try first.json(Saved.self).id

            let other = try await t.token(for: "liuyang-editor")
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/search/saved/\(id)", raw: #"{"name":"我的"}"#, as: other).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/search/saved/\(id)", as: other).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/search/saved/\(id)", raw: #"{"name":"  "}"#, as: reporter).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/search/saved/\(id)", as: reporter).status, .noContent)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/search/saved", as: reporter).json([Saved].self).map(\.name).filter { !$0.hasPrefix("同时") }, ["三"])
        }
    }

    func testThePagesListAndSaveTheFilters() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let created = try await save(t, ["name": "防汛动态", "query": "防汛", "types": ["story", "lead"],
                                             "filters": ["state": "draft,published", "from": "2026-06-01", "tag": "应急", "sort": "time"]], as: reporter)
            XCTAssertEqual(created.status, .created, created.text)
            let session = try await t.session(for: "liuyang-reporter")
            let html: HTTPHeaders = ["Accept": "text/html"]
            let page = try await t.send(.GET, "/search/saved", headers: html, as: session)
            XCTAssertEqual(page.status, .ok)
            for text in ["防汛动态", "类型：稿件、线索", "状态：草稿、已发布", "标签：应急", "日期：2026-06-01 起", "按时间排序", "提醒已开", "关闭提醒",
                         "href=\"/search?q=%E9%98%B2%E6%B1%9B&amp;type=story,lead&amp;state=draft,published&amp;tag=%E5%BA%94%E6%80%A5&amp;from=2026-06-01&amp;sort=time\""] {
                XCTAssertTrue(page.text.contains(text), "\(text) in \(page.text)")
            }
            let empty = try await t.send(.GET, "/search/saved", headers: html, as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(empty.text.contains("还没有保存的搜索"), "another person's searches are not listed")
            XCTAssertFalse(empty.text.contains("防汛动态"))

            // The search page's save form carries the filters in force.
            let search = try await t.send(.GET, "/search?q=%E9%98%B2%E6%B1%9B&type=lead&state=new&from=2026-06-01", headers: html, as: session)
            for text in [#"name="types" value="lead""#, #"name="filters.state" value="new""#, #"name="filters.from" value="2026-06-01""#, #"name="name" value="防汛""#] {
                XCTAssertTrue(search.text.contains(text), "\(text) in the save form")
            }
            XCTAssertFalse(search.text.contains(#"name="filters.to""#), "filters not in force are not saved")
            let byAuthor = try await t.send(.GET, "/search?q=%E9%98%B2%E6%B1%9B&author=%E5%BC%A0&tag=%E5%BA%94%E6%80%A5", headers: html, as: session).text
            for text in [#"name="author" value="张""#, #"name="tag" value="应急""#, #"name="filters.author" value="张""#, #"name="filters.tag" value="应急""#] {
                XCTAssertTrue(byAuthor.contains(text), "\(text): the author and tag fields show and save their filters")
            }
            // A hit's tags are links that narrow the search to the tag.
            let editor = try await t.token(for: "liuyang-editor")
            let story = try await t.send(.POST, "/api/v1/stories", raw: #"{"headline":"防汛演练","tags":["应急","汛期"],"body":[{"type":"paragraph","spans":[{"text":"开展防汛演练。"}]}]}"#, as: editor)
            XCTAssertEqual(story.status, .created, story.text)
            try await SearchService.sync(app: t.app, on: t.db)
            let tagged = try await t.send(.GET, "/search?q=%E9%98%B2%E6%B1%9B", headers: html, as: try await t.session(for: "liuyang-editor")).text
            XCTAssertTrue(tagged.contains(#"<a href="/search?q=%E9%98%B2%E6%B1%9B&amp;tag=%E6%B1%9B%E6%9C%9F">汛期</a>"#), tagged)
        }
    }
}
