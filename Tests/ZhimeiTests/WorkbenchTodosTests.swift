import Fluent
import XCTest
@testable import Zhimei

/// The workbench's "我的待办": counts follow what each person may act on, in their own centre only.
final class WorkbenchTodosTests: XCTestCase {
    func testToDosFollowTheChainAndStayInTheTenant() async throws {
        try await withTestApp { t in
            func todos(_ username: String) async throws -> [String: Int] {
                let actor = try await t.session(for: username)
                let page = try await t.send(.GET, "/", headers: ["Accept": "text/html"], as: actor)
                XCTAssertEqual(page.status, .ok)
                // Each item is "<span class="todo-count">N</span><span class="todo-label">label</span>".
                var out: [String: Int] = [:]
                for part in page.text.components(separatedBy: "<span class=\"todo-count\">").dropFirst() {
                    let count = Int(part.prefix { $0.isNumber }) ?? -1
                    guard let labelStart = part.range(of: "<span class=\"todo-label\">"),
                          let labelEnd = part.range(of: "</span>", range: labelStart.upperBound..<part.endIndex) else { continue }
                    out[String(part[labelStart.upperBound..<labelEnd.lowerBound])] = count
                }
                return out
            }
            let draft = try await ReviewFixture.story(t, by: "liuyang-reporter", headline: "浏阳河畔新建健身步道")
            _ = try await ReviewFixture.story(t, by: "liuyang-reporter", headline: "另一篇草稿")
            var reporter = try await todos("liuyang-reporter")
            XCTAssertEqual(reporter["我的草稿"], 2)
            XCTAssertEqual(reporter["退回待改"], 0)
            XCTAssertNil(reporter["待发布稿件"], "a reporter does not publish, so the item is not shown")

            let reporterToken = try await t.token(for: "liuyang-reporter")
            try await XCTAssertEqualAsync(try await ReviewFixture.act(t, "submit", draft, as: reporterToken).status, .ok)
            let liuyangEditor = try await todos("liuyang-editor"), ningxiangEditor = try await todos("ningxiang-editor")
            XCTAssertEqual(liuyangEditor["待我审核"], 1, "初审 waits for the editor")
            XCTAssertEqual(ningxiangEditor["待我审核"], 0, "another centre's story is not counted")

            let editor = try await t.token(for: "liuyang-editor")
            try await XCTAssertEqualAsync(try await ReviewFixture.act(t, "return", draft, as: editor, round: 1, stage: 0, comment: "请补充数据").status, .ok)
            reporter = try await todos("liuyang-reporter")
            XCTAssertEqual(reporter["退回待改"], 1)
            XCTAssertEqual(reporter["我的草稿"], 1)
            let editorAfter = try await todos("liuyang-editor")
            XCTAssertEqual(editorAfter["待我审核"], 0)

            // Ready to publish: an approved story, for those who publish in that centre only.
            let approved = try await Story.find(draft, on: t.db)!
            approved.status = .approved
            try await approved.save(on: t.db)
            let liuyangChief = try await todos("liuyang-chief"), ningxiangChief = try await todos("ningxiang-chief")
            XCTAssertEqual(liuyangChief["待发布稿件"], 1)
            XCTAssertEqual(ningxiangChief["待发布稿件"], 0)
            let page = try await t.send(.GET, "/", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-chief")).text
            XCTAssertTrue(page.contains("class=\"todo\" href=\"/publishing\""), "items link to their lists")
        }
    }
}
