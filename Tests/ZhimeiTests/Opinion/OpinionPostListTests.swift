import Fluent
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// The post list (信息列表): the API and the page filter alike — text, sentiment, platform, source, scheme, time —
/// page through everything, and show only the person's tenant.
final class OpinionPostListTests: XCTestCase {
    struct Page: Decodable { struct Item: Decodable { var externalId: String; var platform: String; var sentiment: String }; var items: [Item]; var total: Int }

    func testFiltersPagesAndTenancy() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            let posts: [[String: Any]] = [
                ["id": "w1", "author": "网友甲", "platform": "weibo", "time": "2026-11-01T08:00:00+08:00", "text": "浏阳河畔步道修好了，散步很舒服，点赞！"],
                ["id": "w2", "author": "网友乙", "platform": "weibo", "time": "2026-11-02T09:00:00+08:00", "text": "集里街道停电一上午，冰箱里的东西都坏了，太气人了。"],
                ["id": "n1", "author": "浏阳日报", "platform": "news", "time": "2026-11-03T10:00:00+08:00", "text": "我市召开防汛工作会议，部署近期防汛工作。",
                 "url": "javascript:alert(1)"],
                ["id": "n2", "author": "<script>x</script>", "platform": "news", "time": "2026-11-04T10:00:00+08:00", "text": "集里街道恢复供电，供电公司连夜抢修。",
                 "url": "https://example.com/n2"],
            ]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["posts": posts]), as: UTF8.self)
            let ingest = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: chief)
            XCTAssertEqual(ingest.status, .created, ingest.text)
            let other = #"{"posts":[{"id":"x1","author":"宁乡网友","platform":"weibo","text":"宁乡集里街道也停电了吗"}]}"#
            _ = try await t.send(.POST, "/api/v1/opinion/posts", raw: other, as: try await t.token(for: "ningxiang-chief"))

            func api(_ query: String) async throws -> Page {
                let res = try await t.send(.GET, "/api/v1/opinion/posts?" + query, as: chief)
                XCTAssertEqual(res.status, .ok, "\(query): \(res.text)")
                return try res.json(Page.self)
            }
            try await XCTAssertEqualAsync(try await api("platform=news").items.map(\.externalId).sorted(), ["n1", "n2"])
            try await XCTAssertEqualAsync(try await api("platform=WEIBO&q=集里").items.map(\.externalId), ["w2"], "case of the code; other tenant not listed")
            try await XCTAssertEqualAsync(try await api("from=2026-11-02&to=2026-11-03").items.map(\.externalId), ["n1", "w2"], "a day's end is included")
            try await XCTAssertEqualAsync(try await api("to=2026-11-01T12:00:00%2B08:00").items.map(\.externalId), ["w1"])
            let total = try await api("limit=1&offset=1")
            XCTAssertEqual(total.total, 4)
            XCTAssertEqual(total.items.map(\.externalId), ["n1"], "newest first")
            for bad in ["from=2026-13-01", "to=yesterday", "platform=" + String(repeating: "x", count: 41), "source_id=nope"] {
                let res = try await t.send(.GET, "/api/v1/opinion/posts?" + bad, as: chief)
                XCTAssertEqual(res.status, .unprocessableEntity, bad)
            }

            let session = try await t.session(for: "liuyang-chief")
            let html: HTTPHeaders = ["Accept": "text/html"]
            let all = try await t.send(.GET, "/opinion/posts", headers: html, as: session)
            XCTAssertEqual(all.status, .ok)
            XCTAssertTrue(all.text.contains("共 4 条"), "this tenant's posts only")
            XCTAssertFalse(all.text.contains("宁乡网友"))
            XCTAssertFalse(all.text.contains("<script>x</script>"), "text from outside is escaped")
            XCTAssertFalse(all.text.contains("javascript:alert"), "only web addresses are linked")
            XCTAssertTrue(all.text.contains("href=\"https://example.com/n2\""))
            let negative = try await t.send(.GET, "/opinion/posts?sentiment=negative&platform=weibo", headers: html, as: session).text
            XCTAssertTrue(negative.contains("共 1 条") && negative.contains("冰箱里的东西都坏了"), negative)
            XCTAssertTrue(negative.contains(#"<option value="negative" selected>"#))
            XCTAssertTrue(negative.contains("/api/v1/opinion/posts/export?sentiment=negative&amp;platform=weibo"), "the export keeps the filters")

            // The export: the same filters, a spreadsheet CSV (BOM, a header, one row per post, formulas defused).
            let csv = try await t.send(.GET, "/api/v1/opinion/posts/export?platform=news", as: chief)
            XCTAssertEqual(csv.status, .ok, csv.text)
            XCTAssertEqual(csv.headers.contentType?.subType, "csv")
            let lines = csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            XCTAssertEqual(lines.count, 3, csv.text)
            XCTAssertTrue(lines[0].hasPrefix("\u{FEFF}时间 Time,平台 Platform,作者 Author,内容 Text"))
            XCTAssertTrue(lines[1].contains("<script>x</script>") && lines[1].contains("集里街道恢复供电") && lines[1].contains("https://example.com/n2"))
            XCTAssertTrue(lines[2].contains("浏阳日报") && lines[2].contains("新闻网站"))
            let formula = String(decoding: try JSONSerialization.data(withJSONObject: ["posts": [["id": "f1", "author": "=HYPERLINK(\"http://x\")",
                                                                                       "platform": "forum", "text": "+1 支持，集里街道供电恢复得很快"]]]), as: UTF8.self)
            let stored = try await t.send(.POST, "/api/v1/opinion/posts", raw: formula, as: chief)
            XCTAssertTrue(stored.text.contains(#""imported":1"#), stored.text)
            let defused = try await t.send(.GET, "/api/v1/opinion/posts/export?platform=forum", as: chief).text
            XCTAssertTrue(defused.contains(#""'=HYPERLINK(""http://x"")""#) && defused.contains("'+1 支持"), defused)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/posts/export?from=bad", as: chief).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/posts/export", as: try await t.token(for: "ningxiang-chief")).text
                .contains("集里街道恢复供电"), false, "another centre exports only its own")
            // More than an export holds is a 422 asking to narrow the filters (a route with a limit of 3 for the test).
            t.app.get("test-export") { req in try await OpinionAPI.exportPosts(req, limit: 3) }
            let over = try await t.send(.GET, "/test-export?platform=news", as: chief)
            XCTAssertEqual(over.status, .ok, "two news posts fit")
            let refused = try await t.send(.GET, "/test-export", as: chief)
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(try refused.error().message.contains("超过单次导出上限 3 条"), refused.text)
            // Fifty a page; the pager keeps the filters.
            var many: [[String: Any]] = []
            for i in 0..<60 { many.append(["id": "m\(i)", "author": "批量", "platform": "weibo", "text": "批量信息第\(i)条：花炮产业园区开放日。"]) }
            _ = try await t.send(.POST, "/api/v1/opinion/posts", raw: String(decoding: try JSONSerialization.data(withJSONObject: ["posts": many]), as: UTF8.self), as: chief)
            let first = try await t.send(.GET, "/opinion/posts?q=%E6%89%B9%E9%87%8F", headers: html, as: session).text
            XCTAssertTrue(first.contains("共 60 条"))
            XCTAssertTrue(first.contains("/opinion/posts?page=2&amp;q=%E6%89%B9%E9%87%8F\" rel=\"next\""), "the next page keeps the text filter")
            let second = try await t.send(.GET, "/opinion/posts?page=2&q=%E6%89%B9%E9%87%8F", headers: html, as: session).text
            XCTAssertEqual(second.components(separatedBy: "园区开放日。").count - 1, 10, "ten posts on the second page (their event title has no 。)")
        }
    }
}
