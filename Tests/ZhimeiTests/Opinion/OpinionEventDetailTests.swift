import Fluent
import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// An event's page counts all its posts, however many: the figures used to come from its first 5,000 posts only.
final class OpinionEventDetailTests: XCTestCase {
    func testDetailCountsEveryPostOfABigEvent() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            let start = Date(timeIntervalSince1970: 1_796_400_000)   // on the hour
            let event = OpinionIngest.newEvent(tenantID: tenant, title: "大事件", at: start, now: start)
            try await event.create(on: t.db)
            let platforms = ["weibo", "weibo", "douyin", "wechat"], sentiments = ["negative", "neutral", "positive", "negative"]
            var posts: [OpinionPost] = []
            // 5,300 posts one a minute: about 88 hours. The last 300 (after the first 5,000) hold the most engaged
            // original, a new platform and a region.
            for i in 0..<5_300 {
                let p = OpinionDashboardTests.post(tenant, "e\(i)", sentiment: sentiments[i % 4], at: start.addingTimeInterval(Double(i) * 60), keywords: ["停水"])
                p.eventID = event.id
                p.platform = i >= 5_000 && i % 3 == 0 ? "toutiao" : platforms[i % 4]
                // Originals by seven authors, each reposted by another account.
                p.author = i > 0 && i % 2 == 0 ? "转发者\(i % 50)" : "作者\(i % 7)"
                p.region = i >= 5_000 ? "浏阳" : nil
                p.duplicateOf = i % 10 == 9 ? UUID() : nil
                p.likes = i == 5_201 ? 9_999 : i % 5
                if i > 0 && i % 2 == 0 { p.repostOf = "e\(i - 1)" }
                posts.append(p)
            }
            let toStore = posts
            try await t.db.transaction { tx in try await OpinionIngest.insert(toStore, on: tx) }

            let d = try await OpinionAnalysis.detail(event, on: t.db)
            XCTAssertEqual(d.volume.map(\.total).reduce(0, +), 5_300)
            XCTAssertEqual(d.volume.first?.at, start)
            XCTAssertEqual(d.volume.count, 5_299 / 60 + 1)
            XCTAssertEqual(d.volume.last?.total, 5_300 - (5_299 / 60) * 60)
            XCTAssertEqual(d.volume.map(\.negative).reduce(0, +), 2_650)
            XCTAssertEqual(d.volume.map(\.positive).reduce(0, +), 1_325)
            for b in d.volume { XCTAssertEqual(b.total, b.positive + b.neutral + b.negative) }
            var want: [String: Int] = [:]
            for p in posts { want[p.platform, default: 0] += 1 }
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: d.sources.map { ($0.name, $0.count) }), want)
            XCTAssertEqual(d.regions.map(\.name), ["浏阳"])
            XCTAssertEqual(d.regions.first?.count, 300)
            var byAuthor: [String: Int] = [:]
            for p in posts { byAuthor[p.author, default: 0] += 1 }
            XCTAssertEqual(d.authors.count, 10)
            for a in d.authors { XCTAssertEqual(a.count, byAuthor[a.name], a.name) }
            XCTAssertEqual(d.authors.first?.count, byAuthor.values.max())
            XCTAssertEqual(d.representatives.first?.externalId, "e5201")
            XCTAssertEqual(d.representatives.count, 5)
            XCTAssertTrue(d.representatives.allSatisfy { $0.duplicateOf == nil })
            // The timeline: the first originals in order (e9 is a near copy).
            XCTAssertEqual(d.timeline.prefix(11).map(\.externalId), ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e10", "e11"])
            // The spread graph from the first 5,000: the origin is the first post's author.
            XCTAssertEqual(d.spread.origins.first, "作者0")
        }
    }

    /// The five queries of an event's figures read the figures index alone, never the posts' rows (migration 097):
    /// an event of 100,000 posts took ~0.15 s a query reading rows, ~0.03–0.06 s from the index.
    func testEventFiguresAreReadFromTheIndexAlone() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            let start = Date(timeIntervalSince1970: 1_796_400_000)
            let event = OpinionIngest.newEvent(tenantID: tenant, title: "索引事件", at: start, now: start)
            try await event.create(on: t.db)
            let posts = (0..<300).map { i -> OpinionPost in
                let p = OpinionDashboardTests.post(tenant, "x\(i)", sentiment: i % 2 == 0 ? "negative" : "neutral", at: start.addingTimeInterval(Double(i) * 60), keywords: ["积水"])
                p.eventID = event.id
                p.region = i % 3 == 0 ? "浏阳" : nil
                return p
            }
            // and 2,700 posts of other events, so that the event is a tenth of the table as it would be a small part of it
            let others = (0..<2_700).map { i -> OpinionPost in
                let p = OpinionDashboardTests.post(tenant, "y\(i)", sentiment: "neutral", at: start.addingTimeInterval(Double(i) * 60), keywords: ["停电"])
                p.eventID = UUID()
                return p
            }
            try await t.db.transaction { tx in try await OpinionIngest.insert(posts + others, on: tx) }
            let sql = try OpinionIngest.sqlDatabase(t.db)
            let eventID = try event.requireID()
            let dialect = OpinionSQLDialect(sql)
            let queries = [OpinionAnalysis.volumeQuery(eventID, hour: dialect.hour("posted_at")), OpinionAnalysis.topQuery("platform", eventID),
                           OpinionAnalysis.topQuery("author", eventID), OpinionAnalysis.topQuery("region", eventID), OpinionAnalysis.engagedQuery(eventID)]
            if dialect.postgres {
                try await sql.raw("VACUUM ANALYZE opinion_posts").run()
                // On a table this small the planner reads rows through another index, or the table itself; the
                // question is whether the figures index answers each query by itself. So, in a transaction rolled
                // back afterwards, without the other indexes and without whole-table plans:
                let plans = try await t.db.withConnection { conn -> [String] in
                    let s = try OpinionIngest.sqlDatabase(conn)
                    try await s.raw("BEGIN").run()
                    for other in ["opinion_posts_event_arrival", "opinion_posts_ext_unique", "opinion_posts_hash", "opinion_posts_time"] {
                        try await s.raw("DROP INDEX \(ident: other)").run()
                    }
                    for off in ["seqscan", "bitmapscan"] { try await s.raw("SET LOCAL enable_\(unsafeRaw: off) = off").run() }
                    var plans: [String] = []
                    for q in queries {
                        plans.append(try await s.raw(SQLQueryString("EXPLAIN ") + q).all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n"))
                    }
                    try await s.raw("ROLLBACK").run()
                    return plans
                }
                for plan in plans { XCTAssertTrue(plan.contains("Index Only Scan using opinion_posts_event_figures"), plan) }
            } else {
                for q in queries {
                    let plan = try await sql.raw(SQLQueryString("EXPLAIN QUERY PLAN ") + q).all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
                    XCTAssertTrue(plan.contains("USING COVERING INDEX opinion_posts_event_figures"), plan)
                }
            }
            // and the figures are those of the posts
            let d = try await OpinionAnalysis.detail(event, on: t.db)
            XCTAssertEqual(d.volume.map(\.total).reduce(0, +), 300)
            XCTAssertEqual(d.volume.map(\.negative).reduce(0, +), 150)
            XCTAssertEqual(d.regions.first?.count, 100)
        }
    }

    /// The event page offers what to merge and split without typing IDs: the tenant's open events alike by keywords
    /// (most alike first; not unlike ones, merged ones or another tenant's), and a box by each post of the timeline.
    func testEventPageOffersAlikeEventsToMergeAndPostsToSplit() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let now = Date()
            func event(_ tenant: UUID, _ title: String, _ terms: [String], status: String = "open") async throws -> OpinionEvent {
                let e = OpinionIngest.newEvent(tenantID: tenant, title: title, at: now, now: now)
                e.terms = terms; e.status = status
                try await e.create(on: t.db)
                return e
            }
            let target = try await event(liuyang, "金沙路积水", ["积水:0.5000", "金沙路:0.4000", "居民:0.1000"])
            let alike = try await event(liuyang, "金沙路通道积水严重", ["积水:0.4000", "金沙路:0.3000", "通道:0.2000"])
            let less = try await event(liuyang, "城区积水", ["积水:0.1000", "城区:0.6000", "暴雨:0.5000"])
            let unlike = try await event(liuyang, "花炮节开幕", ["花炮:0.6000", "开幕:0.3000"])
            let merged = try await event(liuyang, "已合并的积水事件", ["积水:0.5000", "金沙路:0.4000"], status: "merged")
            let other = try await event(ningxiang, "宁乡积水", ["积水:0.5000", "金沙路:0.4000"])
            let post = OpinionDashboardTests.post(liuyang, "split-1", sentiment: "negative", at: now, keywords: ["积水"])
            post.eventID = target.id
            try await t.db.transaction { tx in try await OpinionIngest.insert([post], on: tx) }

            let editor = try await t.session(for: "liuyang-editor")
            let page = try await t.send(.GET, "/opinion/events/\(try target.requireID())", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(page.status, .ok)
            let text = page.text
            func offered(_ e: OpinionEvent) throws -> Bool { text.contains("name=\"event_ids\" value=\"\(try e.requireID())\"") }
            XCTAssertTrue(try offered(alike) && offered(less))
            XCTAssertFalse(try offered(unlike) || offered(merged) || offered(other) || offered(target))
            let first = try XCTUnwrap(text.range(of: try alike.requireID().uuidString)), second = try XCTUnwrap(text.range(of: try less.requireID().uuidString))
            XCTAssertLessThan(first.lowerBound, second.lowerBound, "most alike first")
            XCTAssertTrue(text.contains("name=\"post_ids\" value=\"\(try post.requireID())\""), "a box by each post for splitting")
        }
    }
}
