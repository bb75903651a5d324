import Fluent
import Foundation
import XCTest
@testable import Zhimei

/// A scheme's daily report counts the scheme's posts of the day, however busy the tenant: it used to read the day's
/// first 50,000 posts of the whole tenant and keep the scheme's among them. The post list filters by scheme likewise.
final class OpinionReportTests: XCTestCase {
    func testDailyReportCountsTheSchemesPostsOfABusyDay() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let created = try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "停水监测", "rule": "停水"], as: editor)
            XCTAssertEqual(created.status, .created, created.text)
            struct S: Decodable { var id: UUID }
            let scheme = try created.json(S.self).id
            let tenant = try await t.tenant("liuyang").requireID()
            let now = Date()
            var posts: [OpinionPost] = []
            // 50,050 other posts early in the day, then 300 of the scheme; one of the scheme's two days ago.
            for i in 0..<50_050 {
                posts.append(OpinionDashboardTests.post(tenant, "o\(i)", sentiment: "neutral", at: now.addingTimeInterval(-80_000 + Double(i) / 10), keywords: []))
            }
            let sentiments = ["negative", "negative", "positive", "neutral"], platforms = ["weibo", "weibo", "douyin"]
            for i in 0..<300 {
                let p = OpinionDashboardTests.post(tenant, "s\(i)", sentiment: sentiments[i % 4], at: now.addingTimeInterval(-3_000 + Double(i)), keywords: ["停水", i % 2 == 0 ? "小区" : "抢修"])
                p.schemeIDs = [scheme.uuidString]; p.platform = platforms[i % 3]; p.eventID = i < 100 ? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)) : nil
                p.author = "通讯员\(i)"; p.reposts = i == 250 ? 500 : 0; p.text = "第\(i)条停水信息"
                posts.append(p)
            }
            let old = OpinionDashboardTests.post(tenant, "old", sentiment: "negative", at: now.addingTimeInterval(-2 * 86_400), keywords: ["停水"])
            old.schemeIDs = [scheme.uuidString]
            posts.append(old)
            let toStore = posts
            try await t.db.transaction { tx in try await OpinionIngest.insert(toStore, on: tx) }

            let res = try await t.send(.GET, "/api/v1/opinion/schemes/\(scheme)/report?period=daily&format=html", as: editor)
            XCTAssertEqual(res.status, .ok, res.text)
            let html = res.text
            XCTAssertTrue(html.contains("信息 300 条 posts · 事件 1 events · 正面 positive 75 · 负面 negative 150"), String(html.prefix(600)))
            XCTAssertTrue(html.contains("通讯员250"), "the most reposted post is a key post")
            XCTAssertTrue(html.contains("停水") && html.contains("抢修"))
            let d = try await OpinionReport.load(try await XCTUnwrapAsync(try await OpinionScheme.find(scheme, on: t.db)), period: "daily", now: now, on: t.db)
            XCTAssertEqual(d.sources.map(\.name), ["weibo", "douyin"])
            XCTAssertEqual(d.sources.map(\.count), [200, 100])
            XCTAssertEqual(d.keywords.first.map { [$0.word: $0.weight] }, ["停水": 300])
            XCTAssertEqual(d.keyPosts.first?.externalID, "s250")
            XCTAssertEqual(d.keyPosts.count, 10)
            let weekly = try await OpinionReport.load(try await XCTUnwrapAsync(try await OpinionScheme.find(scheme, on: t.db)), period: "weekly", now: now, on: t.db)
            XCTAssertEqual(weekly.posts, 301)

            // The scheme's posts page by page, the oldest too (the list used to filter the newest 5,000 in memory).
            struct Page: Decodable { var items: [Item]; var total: Int }
            struct Item: Decodable { var externalId: String }
            let page = try await t.send(.GET, "/api/v1/opinion/posts?scheme_id=\(scheme)&limit=10&offset=295", as: editor).json(Page.self)
            XCTAssertEqual(page.total, 301)
            XCTAssertEqual(page.items.map(\.externalId), ["s4", "s3", "s2", "s1", "s0", "old"])
            let all = try await t.send(.GET, "/api/v1/opinion/posts?limit=1", as: editor).json(Page.self)
            XCTAssertEqual(all.total, 50_351)
        }
    }
}
