import Fluent
import Foundation
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

    /// Checks come every 10 s, later when a check is slow (a sixth of the time), never more than 50 s apart.
    func testAlertChecksOfAnImportKeepWithinAMinute() {
        XCTAssertEqual(OpinionImportJob.alertWait(afterCheckTaking: 0.1), 10)
        XCTAssertEqual(OpinionImportJob.alertWait(afterCheckTaking: 4), 20)
        XCTAssertEqual(OpinionImportJob.alertWait(afterCheckTaking: 30), 50)
    }
}
