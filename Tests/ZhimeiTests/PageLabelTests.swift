import Foundation
import XCTest
@testable import Zhimei

/// Codes stay out of the pages: content languages and version reasons are named in the UI language.
final class PageLabelTests: XCTestCase {
    func testNames() {
        XCTAssertEqual(LanguageNames.label("zh-Hans", "zh"), "简体中文")
        XCTAssertEqual(LanguageNames.label("en", "en"), "English")
        XCTAssertEqual(LanguageNames.label("xx", "zh"), "xx")
        XCTAssertEqual(LanguageNames.label("", "zh"), "（无）")
        XCTAssertEqual(StoriesPages.versionNote("create", "zh"), "新建")
        XCTAssertEqual(StoriesPages.versionNote("restore:3", "zh"), "恢复到 v3")
        XCTAssertEqual(StoriesPages.versionNote("import:docx", "en"), "Imported (DOCX)")
        XCTAssertEqual(StoriesPages.versionNote("hand-written reason", "zh"), "hand-written reason")
        XCTAssertEqual(OpinionLabels.sentiment("negative", "zh"), "负面")
        XCTAssertEqual(OpinionLabels.platform("Weibo", "zh"), "微博")
        XCTAssertEqual(OpinionLabels.platform("某论坛", "zh"), "某论坛")
        XCTAssertEqual(["weibo", "douyin", "news", "某论坛"].map(OpinionLabels.channel), ["官方微博", "抖音官方账号", "官方网站", "某论坛"])
    }

    func testLeadAndStoryPagesNameLanguageAndVersionReason() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let lead = try await t.send(.POST, "/api/v1/leads", json: ["title": "大围山雾凇提前出现", "text": "景区工作人员今天早上拍到雾凇景观。"], as: reporter)
            XCTAssertEqual(lead.status, .created, lead.text)
            struct Made: Decodable { var id: UUID }
            let leadID = try lead.json(Made.self).id
            let story = try await t.send(.POST, "/api/v1/stories", raw: #"{"headline":"雾凇来了"}"#, as: reporter).json(Made.self)
            let editor = try await t.session(for: "liuyang-editor")
            for path in ["/leads", "/leads/\(leadID)"] {
                let page = try await t.send(.GET, path, headers: ["Accept": "text/html"], as: editor)
                XCTAssertEqual(page.status, .ok)
                XCTAssertTrue(page.text.contains("简体中文"), path)
                XCTAssertFalse(page.text.contains(">zh-Hans<"), path)
            }
            let page = try await t.send(.GET, "/stories/\(story.id)", headers: ["Accept": "text/html"], as: editor)
            XCTAssertTrue(page.text.contains("新建"))
            XCTAssertFalse(page.text.contains(">create<"))
        }
    }

    func testOpinionEventPageNamesSentimentAndPlatform() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let body = #"{"posts":[{"id":"a1","author":"市民甲","text":"金沙路下穿通道又积水了，太失望了！","platform":"weibo"},{"id":"a2","author":"市民乙","text":"金沙路下穿通道积水严重，太失望了","platform":"weibo","repost_of":"a1"}]}"#
            struct Result: Decodable { var eventIds: [UUID] }
            let made = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: editor)
            XCTAssertEqual(made.status, .created, made.text)
            let event = try XCTUnwrap(try made.json(Result.self).eventIds.first)
            let page = try await t.send(.GET, "/opinion/events/\(event)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("（微博）") && page.text.contains(">负面<"), page.text)
            for code in [">negative<", "（weibo）"] {
                let at = page.text.range(of: code)
                XCTAssertNil(at, at.map { String(page.text[..<$0.upperBound].suffix(300)) } ?? "")
            }
        }
    }
}
