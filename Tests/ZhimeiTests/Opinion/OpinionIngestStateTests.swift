import Fluent
import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// What ingest reads of the tenant's state per batch, and how often an import checks alerts: bounded by the events,
/// not by the tenant's posts.
final class OpinionIngestStateTests: XCTestCase {
    /// Each event's newest posts by stated time, `seedPostsPerEvent` of them, whatever the other events hold.
    func testNewestPostsAreEachEventsNewest() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            let now = Date(timeIntervalSince1970: 1_796_400_000)
            var rng = SearchCorpus.Random(seed: 11)
            var postsByEvent: [UUID: [OpinionPost]] = [:]
            var eventIDs: [UUID] = []
            // A big event, a small one (fewer posts than the share) and one without posts.
            for (e, count) in [400, 4, 0].enumerated() {
                let event = OpinionIngest.newEvent(tenantID: tenant, title: "事件\(e)", at: now, now: now)
                try await event.create(on: t.db)
                eventIDs.append(event.id!)
                for i in 0..<count {
                    let p = OpinionPost()
                    p.id = UUID(); p.tenantID = tenant; p.platform = "weibo"; p.externalID = "n\(e)-\(i)"; p.author = "甲"
                    p.text = "帖子"; p.textSimplified = "帖子"; p.language = "zh"; p.futureTime = false
                    p.postedAt = now.addingTimeInterval(-Double(rng.below(1_000_000)))
                    p.receivedAt = now.addingTimeInterval(-Double(rng.below(1_000)))   // arrival order unlike the stated order
                    p.likes = 0; p.reposts = 0; p.comments = 0
                    p.contentHash = "n\(e)-\(i)"; p.simhash = Int64(i)
                    p.sentiment = "neutral"; p.sentimentScore = 0
                    p.keywords = []; p.entities = []; p.eventID = event.id; p.schemeIDs = []
                    try await p.create(on: t.db)
                    postsByEvent[event.id!, default: []].append(p)
                }
            }
            let k = OpinionIngest.seedPostsPerEvent(eventIDs.count)
            XCTAssertEqual(k, 1_000)
            // With more events the share shrinks, but never below 10.
            XCTAssertEqual(OpinionIngest.seedPostsPerEvent(300), 10)
            XCTAssertEqual(OpinionIngest.seedPostsPerEvent(1_000), 10)
            let rows = try await OpinionIngest.newestPosts(of: eventIDs, on: OpinionIngest.sqlDatabase(t.db))
            var got: [UUID: Set<UUID>] = [:]
            for row in rows { got[try row.decode(column: "event_id", as: UUID.self), default: []].insert(try row.decode(column: "id", as: UUID.self)) }
            for id in eventIDs {
                let want = Set((postsByEvent[id] ?? []).sorted { $0.postedAt > $1.postedAt }.prefix(k).map { $0.id! })
                XCTAssertEqual(got[id] ?? [], want)
            }
            // A share smaller than the big event: its newest by stated time, not by arrival.
            let few = try await OpinionIngest.newestPosts(of: Array(repeating: eventIDs[0], count: 150) + [eventIDs[1]], on: OpinionIngest.sqlDatabase(t.db))
            let newest = Set(postsByEvent[eventIDs[0]]!.sorted { $0.postedAt > $1.postedAt }.prefix(OpinionIngest.seedPostsPerEvent(151)).map { $0.id! })
            XCTAssertEqual(Set(try few.filter { try $0.decode(column: "event_id", as: UUID.self) == eventIDs[0] }.map { try $0.decode(column: "id", as: UUID.self) }), newest)
        }
    }

    /// A stored post is a duplicate by platform and ID together: the same ID on another platform is a new post.
    func testStoredKeysMatchPlatformAndIdentity() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            let other = try await t.tenant("ningxiang").requireID()
            let now = Date(timeIntervalSince1970: 1_796_400_000)
            try await Self.post(tenant, "weibo", "a1", event: nil, receivedAt: now, on: t.db)
            try await Self.post(tenant, "douyin", "b1", event: nil, receivedAt: now, on: t.db)
            try await Self.post(other, "weibo", "c1", event: nil, receivedAt: now, on: t.db)
            let asked: [(platform: String, identity: String)] = [("weibo", "a1"), ("douyin", "a1"), ("douyin", "b1"), ("weibo", "b1"),
                                                                 ("weibo", "a1"), ("weibo", "c1"), ("wechat", "zz")]
            let stored = try await OpinionIngest.storedKeys(asked, tenantID: tenant, on: t.db)
            XCTAssertEqual(stored, [OpinionIngest.key(platform: "weibo", identity: "a1"), OpinionIngest.key(platform: "douyin", identity: "b1")])
            // More identities than one statement takes (300), on two platforms.
            let many = (0..<700).map { (platform: $0 % 2 == 0 ? "weibo" : "douyin", identity: $0 == 0 ? "a1" : $0 == 1 ? "b1" : "m\($0)") }
            let storedMany = try await OpinionIngest.storedKeys(many, tenantID: tenant, on: t.db)
            XCTAssertEqual(storedMany.count, 2)
            let items = [IncomingPost(externalID: "a1", author: "甲", postedAt: now, text: "新帖", repostOf: nil, replyTo: nil,
                                      likes: 0, reposts: 0, comments: 0, url: nil, platform: "douyin", region: nil)]
            let anyStored = try await OpinionIngest.anyStored(items, tenantID: tenant, on: t.db)
            XCTAssertFalse(anyStored)
        }
    }

    /// The per-batch look-ups seek whole index keys on SQLite (a plan that ranges over the tenant's or an event's
    /// every post made a big tenant's imports slow down as it grew).
    func testLookupsSeekWholeIndexKeys() async throws {
        try await withTestApp { t in
            let sql = try OpinionIngest.sqlDatabase(t.db)
            guard sql.dialect.name == "sqlite" else { return }   // the plan text below is SQLite's
            func plan(_ statement: SQLQueryString) async throws -> String {
                try await sql.raw("EXPLAIN QUERY PLAN " + statement).all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            let tenant = try await t.tenant("liuyang").requireID()
            let keys = try await plan(OpinionIngest.storedIdentities(tenantID: tenant, platform: "weibo", among: ["a", "b"]))
            XCTAssertTrue(keys.contains("opinion_posts_ext_unique (tenant_id=? AND platform=? AND external_id=?)"), keys)
            let window = try await plan("SELECT COUNT(*) FROM opinion_posts p WHERE " + OpinionAlerts.arrived([UUID(), UUID()], since: Date()))
            XCTAssertTrue(window.contains("opinion_posts_event_arrival (event_id=? AND received_at>?)"), window)
        }
    }

    /// The alert figures count the posts that arrived in the windows, whatever an event holds from before.
    func testFiguresCountOnlyTheWindowsArrivals() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            let now = Date(timeIntervalSince1970: 1_796_400_000)
            let event = OpinionIngest.newEvent(tenantID: tenant, title: "事件", at: now, now: now)
            try await event.create(on: t.db)
            // 30 posts a day ago (before the 13 windows of an hour), 7 within the last hour.
            for i in 0..<30 { try await Self.post(tenant, "weibo", "old\(i)", event: event.id, receivedAt: now.addingTimeInterval(-86_400), on: t.db) }
            for i in 0..<7 { try await Self.post(tenant, "weibo", "new\(i)", event: event.id, receivedAt: now.addingTimeInterval(-Double(60 * i)), on: t.db) }
            let f = try await OpinionAlerts.figures(eventIDs: [event.id!], window: 3_600, on: t.db, now: now)
            XCTAssertEqual(f[event.id!]?.windowPosts, 7)
            XCTAssertEqual(f[event.id!]?.negativeShare, 1)
        }
    }

    /// A negative post of `event` with this platform and ID, stated and arrived at `receivedAt`.
    static func post(_ tenant: UUID, _ platform: String, _ id: String, event: UUID?, receivedAt: Date, on db: any Database) async throws {
        let p = OpinionPost()
        p.id = UUID(); p.tenantID = tenant; p.platform = platform; p.externalID = id; p.author = "甲"
        p.text = "帖子\(id)"; p.textSimplified = "帖子\(id)"; p.language = "zh"; p.futureTime = false
        p.postedAt = receivedAt; p.receivedAt = receivedAt
        p.likes = 0; p.reposts = 0; p.comments = 0
        p.contentHash = "\(platform)-\(id)"; p.simhash = 0
        p.sentiment = "negative"; p.sentimentScore = -0.5
        p.keywords = []; p.entities = []; p.eventID = event; p.schemeIDs = []
        try await p.create(on: db)
    }

    /// Checks come every 10 s, later when a check is slow (a sixth of the time), never more than 50 s apart.
    func testAlertChecksOfAnImportKeepWithinAMinute() {
        XCTAssertEqual(OpinionImportJob.alertWait(afterCheckTaking: 0.1), 10)
        XCTAssertEqual(OpinionImportJob.alertWait(afterCheckTaking: 4), 20)
        XCTAssertEqual(OpinionImportJob.alertWait(afterCheckTaking: 30), 50)
    }
}
