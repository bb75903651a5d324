import Fluent
import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// The alert figures the database counts for many events at once equal the figures counted post by post.
final class OpinionEventFiguresTests: XCTestCase {
    func testGroupedFiguresEqualThePostByPostCount() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            let now = Date(timeIntervalSince1970: 1_796_400_000)
            let window: TimeInterval = 3600
            var rng = SearchCorpus.Random(seed: 7)
            let scheme = UUID().uuidString
            var postsByEvent: [UUID: [OpinionPost]] = [:]
            var eventIDs: [UUID] = []
            for e in 0..<3 {
                let event = OpinionIngest.newEvent(tenantID: tenant, title: "事件\(e)", at: now, now: now)
                try await event.create(on: t.db)
                eventIDs.append(event.id!)
                // Event 0 bursts in the last window; event 2 has no post at all.
                for i in 0..<(e == 2 ? 0 : 120) {
                    let p = OpinionPost()
                    p.id = UUID(); p.tenantID = tenant; p.platform = "weibo"; p.externalID = "f\(e)-\(i)"; p.author = "甲"
                    p.text = "帖子"; p.textSimplified = "帖子"; p.language = "zh"; p.futureTime = false
                    // Arrival up to 15 windows ago (some before the 13 counted); the stated time mostly up to an hour
                    // earlier, sometimes a day earlier (clamped to the 13 windows) or after the arrival.
                    let arrival = e == 0 && i < 60 ? Double(rng.below(3600)) : Double(rng.below(15 * 3600))
                    p.receivedAt = now.addingTimeInterval(-arrival)
                    p.postedAt = p.receivedAt.addingTimeInterval(i % 10 == 0 ? -86_400 : e == 0 && i < 60 ? 0 : Double(rng.below(4200)) - 3600)
                    p.likes = rng.below(500); p.reposts = rng.below(100); p.comments = rng.below(50)
                    p.contentHash = "h\(e)-\(i)"; p.simhash = 0
                    p.sentiment = ["negative", "neutral", "positive"][rng.below(3)]; p.sentimentScore = 0
                    p.keywords = [["火灾现场", "消防"], ["学校", "食堂"], ["道路", "施工"], ["腐败案"]][rng.below(4)]
                    p.entities = []; p.eventID = event.id
                    p.schemeIDs = i % 17 == 0 ? [scheme] : []
                    try await p.create(on: t.db)
                    postsByEvent[event.id!, default: []].append(p)
                }
            }
            let figures = try await OpinionAlerts.figures(eventIDs: eventIDs, window: window, on: t.db, now: now)
            XCTAssertEqual(Set(figures.keys), Set(eventIDs))
            for id in eventIDs {
                let got = try XCTUnwrap(figures[id]), want = Self.count(postsByEvent[id] ?? [], window: window, now: now)
                XCTAssertEqual(got.windowPosts, want.windowPosts)
                XCTAssertEqual(got.negativeShare, want.negativeShare, accuracy: 1e-9)
                XCTAssertEqual(got.burst.zScore, want.burst.zScore, accuracy: 1e-9)
                XCTAssertEqual(got.burst.isBurst, want.burst.isBurst)
                XCTAssertEqual(got.risk, want.risk, accuracy: 1e-9)
                XCTAssertEqual(got.heat, want.heat, accuracy: 1e-9)
                XCTAssertEqual(got.schemeIDs, want.schemeIDs)
            }
            // The data exercise what they should: a burst, sensitive words, a scheme, an empty event.
            XCTAssertTrue(figures[eventIDs[0]]!.burst.isBurst)
            XCTAssertGreaterThan(figures[eventIDs[0]]!.risk, figures[eventIDs[1]]!.risk)
            XCTAssertEqual(figures[eventIDs[0]]!.schemeIDs, [scheme])
            XCTAssertEqual(figures[eventIDs[2]]!.windowPosts, 0)
            XCTAssertEqual(figures[eventIDs[2]]!.risk, 0)
        }
    }

    /// The figures by their definition, post by post.
    static func count(_ posts: [OpinionPost], window: TimeInterval, now: Date) -> OpinionAlerts.Figures {
        var buckets = [Double](repeating: 0, count: 13)
        var inWindow = 0, negative = 0, likes = 0, reposts = 0, comments = 0
        var sensitive = Set<String>(), schemes = Set<String>()
        for p in posts where p.receivedAt >= now.addingTimeInterval(-window * 13) {
            let t = min(max(p.postedAt, p.receivedAt.addingTimeInterval(-window * 13)), p.receivedAt)
            buckets[12 - min(12, max(0, Int(now.timeIntervalSince(t) / window)))] += 1
            guard p.receivedAt >= now.addingTimeInterval(-window) else { continue }
            inWindow += 1
            if p.sentiment == "negative" { negative += 1 }
            likes += p.likes; reposts += p.reposts; comments += p.comments
            sensitive.formUnion(p.keywords.filter(Trend.isSensitive))
            schemes.formUnion(p.schemeIDs)
        }
        let share = inWindow == 0 ? 0 : Double(negative) / Double(inWindow)
        let burst = Trend.burst(buckets)
        return OpinionAlerts.Figures(windowPosts: inWindow, negativeShare: share, burst: burst,
                                     risk: Trend.risk(volume: inWindow, zScore: burst.zScore, negativeShare: share, sensitiveHits: sensitive.count),
                                     heat: Trend.heat(volume: inWindow, reposts: reposts, comments: comments, likes: likes), schemeIDs: schemes)
    }
}

/// Posts stored by the ingest's SQLKit insert are the rows Fluent would have written.
final class OpinionPostInsertTests: XCTestCase {
    func testInsertedPostsEqualFluentCreatedOnes() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            func post(_ id: String, full: Bool) -> OpinionPost {
                let p = OpinionPost()
                p.id = UUID(); p.tenantID = tenant; p.sourceID = full ? UUID() : nil; p.platform = "weibo"; p.externalID = id
                p.author = "用户'甲\""; p.text = "浏阳 text, 引号'\"；\u{1F600}"; p.textSimplified = "浏阳"; p.language = "zh"
                p.url = full ? "https://example.cn/p?a=1&b=2" : nil
                p.postedAt = Date(timeIntervalSince1970: 1_764_547_200.125); p.receivedAt = Date(timeIntervalSince1970: 1_796_400_000.5)
                p.futureTime = full; p.repostOf = full ? "p1" : nil; p.replyTo = full ? "p2" : nil
                p.likes = 1_000_000_000; p.reposts = 0; p.comments = 7; p.contentHash = "ffee01"; p.simhash = Int64.min + 3
                p.duplicateOf = full ? UUID() : nil; p.sentiment = "negative"; p.sentimentScore = -0.731
                p.keywords = full ? ["火灾", "a\"b", "逗号,"] : []; p.entities = full ? ["浏阳"] : []; p.region = full ? "湖南" : nil
                p.eventID = full ? UUID() : nil; p.schemeIDs = full ? [UUID().uuidString] : []
                return p
            }
            for full in [true, false] {
                let viaFluent = post("fluent-\(full)", full: full), viaInsert = post("insert-\(full)", full: full)
                try await viaFluent.create(on: t.db)
                try await OpinionIngest.insert([viaInsert], on: t.db)
                let a = try await XCTUnwrapAsync(try await OpinionPost.find(viaFluent.id, on: t.db))
                let b = try await XCTUnwrapAsync(try await OpinionPost.find(viaInsert.id, on: t.db))
                XCTAssertEqual(b.externalID, "insert-\(full)")
                XCTAssertEqual(Self.fields(a, except: ["id", "external_id"]), Self.fields(b, except: ["id", "external_id"]))
                XCTAssertEqual(b.sourceID, viaInsert.sourceID); XCTAssertEqual(b.duplicateOf, viaInsert.duplicateOf)
                XCTAssertEqual(b.eventID, viaInsert.eventID); XCTAssertEqual(b.keywords, viaInsert.keywords)
                XCTAssertEqual(b.postedAt.timeIntervalSince1970, viaInsert.postedAt.timeIntervalSince1970, accuracy: 0.001)
                XCTAssertEqual(b.simhash, Int64.min + 3)
                // The same storage in the database itself (SQLite keeps a type per value).
                if let sql = t.db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                    let typed = OpinionIngest.postColumns.map { "typeof(\($0)) AS \($0)" }.joined(separator: ", ")
                    func types(_ id: UUID?) async throws -> [String] {
                        let row = try await XCTUnwrapAsync(try await sql.raw("SELECT \(unsafeRaw: typed) FROM opinion_posts WHERE id = \(bind: id)").first())
                        return try OpinionIngest.postColumns.map { try row.decode(column: $0, as: String.self) }
                    }
                    let fluentTypes = try await types(viaFluent.id), insertTypes = try await types(viaInsert.id)
                    XCTAssertEqual(fluentTypes, insertTypes)
                }
            }
        }
    }

    /// Every field but the named ones, as text, for comparing two posts.
    static func fields(_ p: OpinionPost, except: Set<String>) -> [String: String] {
        let all: [String: String] = [
            "tenant_id": "\(p.tenantID)", "platform": p.platform, "author": p.author, "text": p.text,
            "text_simplified": p.textSimplified, "language": p.language, "url": "\(p.url as Any)",
            "posted_at": "\(p.postedAt.timeIntervalSince1970)", "received_at": "\(p.receivedAt.timeIntervalSince1970)",
            "future_time": "\(p.futureTime)", "repost_of": "\(p.repostOf as Any)", "reply_to": "\(p.replyTo as Any)",
            "likes": "\(p.likes)", "reposts": "\(p.reposts)", "comments": "\(p.comments)", "content_hash": p.contentHash,
            "simhash": "\(p.simhash)", "sentiment": p.sentiment, "sentiment_score": "\(p.sentimentScore)",
            "keywords": "\(p.keywords)", "entities": "\(p.entities)", "region": "\(p.region as Any)",
            "scheme_ids": "\(p.schemeIDs.count)", "source_id": "\(p.sourceID != nil)", "duplicate_of": "\(p.duplicateOf != nil)",
            "event_id": "\(p.eventID != nil)"]
        return all.filter { !except.contains($0.key) }
    }
}
