import Fluent
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// The response card drafts its statement from the template that fits the event — an incident notice for a fire, a
/// reply for a complaint, a correction for a rumour, thanks for praise — and the analyst can ask for another.
final class OpinionStatementTemplateTests: XCTestCase {
    func testTheEventsWordsAndMoodSuggestATemplate() {
        XCTAssertEqual(StatementTemplate.suggested(text: "集里街道仓库凌晨发生火灾，消防车赶到扑救", positiveShare: 0, negativeShare: 0.6), .incident)
        XCTAssertEqual(StatementTemplate.suggested(text: "金沙路下穿通道积水 没人管 居民反映多次", positiveShare: 0, negativeShare: 0.9), .complaint)
        XCTAssertEqual(StatementTemplate.suggested(text: "网传浏阳化工厂爆炸，官方辟谣", positiveShare: 0, negativeShare: 0.5), .rumor,
                       "a rumour about an explosion is answered as a rumour")
        XCTAssertEqual(StatementTemplate.suggested(text: "焰火节 太美了 推荐", positiveShare: 0.8, negativeShare: 0.05), .positive)
        XCTAssertEqual(StatementTemplate.suggested(text: "早稻新品种亩产提高", positiveShare: 0.3, negativeShare: 0.1), .general)
        for t in StatementTemplate.allCases {
            let draft = t.draft(title: "测试事件", facts: ["事实一", "事实二", "事实三", "事实四"], negativeShare: 0.5)
            XCTAssertTrue(draft.contains("测试事件") && draft.contains("· 事实三") && !draft.contains("事实四"), "\(t): \(draft)")
            XCTAssertTrue(draft.hasSuffix("（草稿，须经核实与审签后发布）"), "\(t)")
        }
    }

    func testCardUsesTheSuggestedOrTheChosenTemplate() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            struct Card: Decodable { var statement: String; var template: String; var suggestedTemplate: String; var aiGenerated: Bool }
            struct Ingested: Decodable { var eventIds: [UUID] }
            let chief = try await t.token(for: "liuyang-chief")
            let body = #"{"posts":[{"id":"t1","author":"目击者","text":"浏阳集里街道一处仓库凌晨发生火灾，消防车赶到扑救，暂无人员伤亡。"}]}"#
            let ingested = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: chief).json(Ingested.self)
            let id = try XCTUnwrap(ingested.eventIds.first)
            let card = try await t.send(.GET, "/api/v1/opinion/events/\(id)/response", as: chief).json(Card.self)
            XCTAssertEqual(card.template, "incident")
            XCTAssertEqual(card.suggestedTemplate, "incident")
            XCTAssertTrue(card.statement.contains("情况通报") && card.statement.contains("应急预案"), card.statement)
            let rumor = try await t.send(.GET, "/api/v1/opinion/events/\(id)/response?template=rumor", as: chief).json(Card.self)
            XCTAssertEqual(rumor.template, "rumor")
            XCTAssertEqual(rumor.suggestedTemplate, "incident")
            XCTAssertTrue(rumor.statement.contains("不信谣、不传谣"), rumor.statement)
            let bad = try await t.send(.GET, "/api/v1/opinion/events/\(id)/response?template=bogus", as: chief)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            // The page offers every template, the suggested one marked, and shows the chosen one's draft.
            let session = try await t.session(for: "liuyang-chief")
            let page = try await t.send(.GET, "/opinion/events/\(id)?template=complaint", headers: ["Accept": "text/html"], as: session).text
            XCTAssertTrue(page.contains("突发事件通报（推荐）"), "the suggested template is marked")
            XCTAssertTrue(page.contains(#"<option value="complaint" selected>"#))
            XCTAssertTrue(page.contains("回应") && page.contains("整改措施及完成时限"), "the complaint reply is drafted")
        }
    }
}
