import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Feed sources reuse the Leads fetcher and parser: a poll through the API and the job stores the items as posts once.
final class OpinionFeedTests: XCTestCase {
    func testFeedSourcePollImportsItemsOnce() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withFeedServer { server, t in
            let editor = try await t.token(for: "liuyang-editor")
            struct Source: Decodable { var id: UUID; var kind: String }
            let created = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "本地新闻", "kind": "feed", "url": server.url("rss.xml"), "platform": "news"], as: editor)
            XCTAssertEqual(created.status, .created, created.text)
            let source = try created.json(Source.self)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/sources/\(source.id)/poll", as: editor).status, .accepted)
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
            while try await pool.runOne(owner: "w") {}
            let stored = try await OpinionPost.query(on: t.db).filter(\.$sourceID == source.id).all()
            XCTAssertEqual(stored.count, 4)
            XCTAssertTrue(stored.allSatisfy { $0.platform == "news" && $0.eventID != nil })
            // A second poll finds the same items and adds nothing.
            _ = try await OpinionFeeds.poll(source.id, app: t.app, on: t.db, logger: nil)
            try await XCTAssertEqualAsync(try await OpinionPost.query(on: t.db).filter(\.$sourceID == source.id).count(), 4)
            // A webhook source is not polled.
            let hook = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "钩子", "kind": "webhook"], as: editor).json(Source.self)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/sources/\(hook.id)/poll", as: editor).status, .conflict)
        }
    }

    /// The scheduler polls a feed when it is due (not before), through the poll job, and re-evaluates event risk as the
    /// windows slide: an event whose posts are days old falls to risk 0 and then drops out of the evaluation.
    func testSchedulePollsDueFeedsAndLetsRiskFall() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withFeedServer { server, t in
            let editor = try await t.token(for: "liuyang-editor")
            struct Source: Decodable { var id: UUID; var intervalMinutes: Int?; var nextPollAt: Date? }
            let bad = try await t.send(.POST, "/api/v1/opinion/sources", raw: #"{"name":"x","kind":"feed","url":"\#(server.url("rss.xml"))","interval_minutes":0}"#, as: editor)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(try bad.error().code, "invalid_interval_minutes")
            let created = try await t.send(.POST, "/api/v1/opinion/sources", raw: #"{"name":"本地新闻","kind":"feed","url":"\#(server.url("rss.xml"))","interval_minutes":30}"#, as: editor)
            XCTAssertEqual(created.status, .created, created.text)
            let source = try created.json(Source.self)
            XCTAssertEqual(source.intervalMinutes, 30)
            XCTAssertNil(source.nextPollAt)
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
            let now = Date()

            var tick = try await OpinionSchedule.tick(on: t.db, logger: nil, now: now)
            XCTAssertEqual(tick.feedsDue, 1)
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$kind == OpinionFeeds.kind).count(), 1)
            while try await pool.runOne(owner: "w") {}
            try await XCTAssertEqualAsync(try await OpinionPost.query(on: t.db).filter(\.$sourceID == source.id).count(), 4)
            let stored = try await OpinionSource.find(source.id, on: t.db)
            XCTAssertEqual(stored?.nextPollAt?.timeIntervalSince1970 ?? 0, now.addingTimeInterval(1800).timeIntervalSince1970, accuracy: 1)
            // Not due a minute later; due again after the interval (the items are duplicates then).
            tick = try await OpinionSchedule.tick(on: t.db, logger: nil, now: now.addingTimeInterval(60))
            XCTAssertEqual(tick.feedsDue, 0)
            tick = try await OpinionSchedule.tick(on: t.db, logger: nil, now: now.addingTimeInterval(1801))
            XCTAssertEqual(tick.feedsDue, 1)
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$kind == OpinionFeeds.kind).count(), 2)
            while try await pool.runOne(owner: "w") {}
            try await XCTAssertEqualAsync(try await OpinionPost.query(on: t.db).filter(\.$sourceID == source.id).count(), 4)

            // Risk: positive while the posts are recent, 0 once they are three days old; then the event is left alone.
            let events = try await OpinionEvent.query(on: t.db).filter(\.$tenantID == stored!.tenantID).all()
            XCTAssertFalse(events.isEmpty)
            XCTAssertTrue(events.contains { $0.risk > 0 }, "\(events.map(\.risk))")
            tick = try await OpinionSchedule.tick(on: t.db, logger: nil, now: now.addingTimeInterval(3 * 86_400))
            XCTAssertEqual(tick.eventsEvaluated, events.count)
            let after = try await OpinionEvent.query(on: t.db).filter(\.$tenantID == stored!.tenantID).all()
            XCTAssertTrue(after.allSatisfy { $0.risk == 0 }, "\(after.map(\.risk))")
            tick = try await OpinionSchedule.tick(on: t.db, logger: nil, now: now.addingTimeInterval(3 * 86_400 + 60))
            XCTAssertEqual(tick.eventsEvaluated, 0)
            // The scheduler job itself exists (created with the feed source) and re-enqueues the next minute when it runs.
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$kind == OpinionSchedule.kind).count() >= 1, true)
        }
    }
}
