import Fluent
import Foundation
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
