import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// "我处理过的稿件": every decision a person made, 50 a page, with the stage and round decided and the story's state
/// now (the queue shows only the latest 30 stories).
final class ReviewDecisionHistoryTests: XCTestCase {
    typealias F = ReviewFixture

    func testEveryDecisionIsListedPageByPage() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            try await XCTAssertEqualAsync(try await F.act(t, "submit", story, as: reporter).status, .ok)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 0, comment: "初审通过").status, .ok)

            let html: HTTPHeaders = ["Accept": "text/html"]
            let session = try await t.session(for: "liuyang-editor")
            var page = try await t.send(.GET, "/review/decided", headers: html, as: session)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("共 1 次处理"), page.text)
            XCTAssertTrue(page.text.contains("<td>初审</td><td>1</td>"), "the stage and round decided")
            XCTAssertTrue(page.text.contains("审核中"), "the story's state now")

            // 55 older decisions of the same person (written directly: the history, not the workflow, is under test).
            let editorID = try await t.user("liuyang-editor").requireID()
            let tenant = try await t.tenant("liuyang").requireID()
            try await t.db.transaction { tx in
                for i in 0..<55 {
                    let e = ReviewEvent()
                    e.tenantID = tenant; e.storyID = story; e.round = 100 + i; e.stageIndex = 1; e.stageName = "复审"; e.action = .return
                    e.actorID = editorID; e.actorName = "浏阳市编辑"; e.comment = ""; e.at = Date(timeIntervalSinceNow: Double(-3600 - i * 60))
                    try await e.create(on: tx)
                }
            }
            page = try await t.send(.GET, "/review/decided", headers: html, as: session)
            XCTAssertTrue(page.text.contains("共 56 次处理"))
            XCTAssertEqual(page.text.components(separatedBy: "<tr data-story=").count - 1, 50)
            XCTAssertTrue(page.text.contains("<td>初审</td><td>1</td>"), "newest first")
            XCTAssertTrue(page.text.contains("/review/decided?page=2\" rel=\"next\""))
            page = try await t.send(.GET, "/review/decided?page=2", headers: html, as: session)
            XCTAssertEqual(page.text.components(separatedBy: "<tr data-story=").count - 1, 6)
            XCTAssertTrue(page.text.contains("<td>复审</td><td>154</td>"), "the oldest last")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/review/decided?page=x", headers: html, as: session).status, .unprocessableEntity)
            // Someone else's decisions are not theirs; another centre's reviewer sees none of these.
            let chiefSession = try await t.session(for: "liuyang-chief"), otherSession = try await t.session(for: "ningxiang-editor")
            let chief = try await t.send(.GET, "/review/decided", headers: html, as: chiefSession).text
            XCTAssertTrue(chief.contains("共 0 次处理"))
            let other = try await t.send(.GET, "/review/decided", headers: html, as: otherSession).text
            XCTAssertTrue(other.contains("共 0 次处理"))
            // The queue links to it.
            let queue = try await t.send(.GET, "/review", headers: html, as: session).text
            XCTAssertTrue(queue.contains("href=\"/review/decided\""))
        }
    }
}
