import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Entities from the Review fact base: the tenant's and the platform's people, organisations and places are found in
/// posts; another tenant's facts, deleted facts and non-fact lexicon rows (sensitive terms) are not.
final class OpinionFactEntityTests: XCTestCase {
    struct Entry: Encodable { var kind: String; var term: String; var title: String?; var category: String? }
    struct Created: Decodable { var id: UUID }
    struct Post: Decodable { var externalId: String; var entities: [String] }
    struct Page: Decodable { var items: [Post] }

    func testFactBaseTermsBecomeEntities() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let otherAdmin = try await t.token(for: "ningxiang-admin")
            for entry in [Entry(kind: "person", term: "李向阳", title: "浏阳市某局局长"), Entry(kind: "organisation", term: "浏阳市城管执法局"),
                          Entry(kind: "place", term: "集里街道"), Entry(kind: "sensitive", term: "垃圾成堆", category: "低俗")] {
                let r = try await t.send(.POST, "/api/v1/review/lexicon", json: entry, as: admin)
                XCTAssertEqual(r.status, .created, r.text)
            }
            let created = try await t.send(.POST, "/api/v1/review/lexicon", json: Entry(kind: "person", term: "王已删", title: "某科科长"), as: admin)
            XCTAssertEqual(created.status, .created, created.text)
            let deleted = try created.json(Created.self)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/review/lexicon/\(deleted.id)", as: admin).status.code < 300, true)
            let foreign = try await t.send(.POST, "/api/v1/review/lexicon", json: Entry(kind: "person", term: "赵别家", title: "宁乡某局局长"), as: otherAdmin)
            XCTAssertEqual(foreign.status, .created, foreign.text)

            let editor = try await t.token(for: "liuyang-editor")
            let body = #"{"posts":[{"id":"f1","author":"市民","text":"集里街道垃圾成堆，李向阳局长说浏阳市城管执法局今天处理。王已删和赵别家也在场。"}]}"#
            let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: editor)
            XCTAssertEqual(res.status, .created, res.text)
            let page = try await t.send(.GET, "/api/v1/opinion/posts", as: editor).json(Page.self)
            let post = try XCTUnwrap(page.items.first { $0.externalId == "f1" })
            XCTAssertEqual(Array(post.entities.prefix(3)), ["集里街道", "李向阳", "浏阳市城管执法局"], "\(post.entities)")
            XCTAssertFalse(post.entities.contains("垃圾成堆"), "sensitive terms are not entities")
            XCTAssertFalse(post.entities.contains("王已删"), "deleted facts are not used")
            XCTAssertFalse(post.entities.contains("赵别家"), "another tenant's facts are not used")
        }
    }

    func testLongestMatchAndOrder() {
        let facts = OpinionFactEntities(terms: ["浏阳", "浏阳市", "长沙", "ABC公司"])
        XCTAssertEqual(facts.find(in: "长沙和浏阳市，还有abc公司"), ["长沙", "浏阳市", "ABC公司"])
        XCTAssertEqual(facts.merge(["浏阳市"], ["浏阳市", "湖南"]), ["浏阳市", "湖南"])
        XCTAssertEqual(OpinionFactEntities(terms: []).find(in: "任何文本"), [])
    }
}
