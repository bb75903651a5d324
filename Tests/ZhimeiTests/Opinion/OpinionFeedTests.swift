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
}
