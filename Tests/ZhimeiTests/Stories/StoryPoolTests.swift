import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// A county submits (上报) a story to the platform's shared pool.
final class StoryPoolTests: XCTestCase {
    struct NewStory: Encodable { var headline: String; var lead: String }
    struct StoryOut: Decodable { var id: UUID }
    struct EntryOut: Decodable { var id: UUID; var tenantId: UUID; var kind: String; var title: String; var readOnly: Bool; var body: String }

    func testCountyStoryGoesToThePlatformPoolOnceAsAReadOnlyCopy() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let story = try await t.send(.POST, "/api/v1/stories", json: NewStory(headline: "浏阳花炮出口创新高", lead: "今年前十个月出口额同比增长"), as: reporter).json(StoryOut.self)
            let submitted = try await t.send(.POST, "/api/v1/stories/\(story.id)/pool", as: reporter)
            XCTAssertEqual(submitted.status, .created, submitted.text)
            let entry = try submitted.json(EntryOut.self)
            XCTAssertEqual(entry.kind, "story")
            XCTAssertTrue(entry.readOnly)
            XCTAssertEqual(entry.title, "浏阳花炮出口创新高")
            try await XCTAssertEqualAsync(entry.tenantId, try await t.tenant("hunan").requireID(), "the copy belongs to the platform")
            let again = try await t.send(.POST, "/api/v1/stories/\(story.id)/pool", as: reporter)
            XCTAssertEqual(again.status, .conflict)
            // The platform sees it; another county does not see the story at all.
            let platform = try await t.token(for: "hunan-editor")
            struct Pool: Decodable { var id: UUID }
            let pool = try await t.send(.GET, "/api/v1/pool", as: platform)
            XCTAssertTrue(pool.text.contains(entry.id.uuidString.lowercased()) || pool.text.contains(entry.id.uuidString), pool.text)
            let ningxiang = try await t.token(for: "ningxiang-editor")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/stories/\(story.id)/pool", as: ningxiang).status, .notFound)
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "pool.submit").count(), 1)
        }
    }

    func testPlatformStoriesAreNotSubmittedToThemselves() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "hunan-editor")
            let story = try await t.send(.POST, "/api/v1/stories", json: NewStory(headline: "省级稿件", lead: ""), as: editor).json(StoryOut.self)
            let res = try await t.send(.POST, "/api/v1/stories/\(story.id)/pool", as: editor)
            XCTAssertEqual(res.status, .unprocessableEntity)
            _ = try res.error()
        }
    }
}
