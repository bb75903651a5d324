import Fluent
import Foundation
import Vapor
import XCTest
@testable import Zhimei

/// `zhimei demo --sample-content`: the samples go through the real chain (three different signers, publishing), the
/// search finds them at once, a county centre never sees another's unpublished samples, opinion posts form events and
/// raise the alert, and a second run adds nothing; both backends.
final class DemoContentTests: XCTestCase {
    typealias R = ReviewFixture
    struct Hits: Decodable { struct Hit: Decodable { var title: String; var type: String }; var total: Int; var items: [Hit] }

    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    func search(_ t: TestApp, _ q: String, as actor: TestActor) async throws -> Hits {
        let res = try await t.send(.GET, "/api/v1/search?q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), as: actor)
        XCTAssertEqual(res.status, .ok, res.text)
        return try res.json(Hits.self)
    }

    func testSampleContentGoesThroughTheChainOnce() async throws {
        try await withTestApp { t in
            let report = try await DemoContent.seed(app: t.app) { try Bcrypt.hash($0, cost: 4) }
            XCTAssertEqual([report.stories, report.published, report.leads, report.topics, report.posts, report.facts], [7, 4, 5, 3, 56, 6], "\(report)")
            XCTAssertGreaterThanOrEqual(report.events, 2, "\(report)")
            XCTAssertGreaterThanOrEqual(report.alerts, 1, "the 金沙路 complaints pass the alert rule: \(report)")
            XCTAssertGreaterThanOrEqual(report.indexed, 7 + 4 + 5 + 3)

            let liuyang = try await t.tenant("liuyang").requireID()
            let stories = try await Story.query(on: t.db).filter(\.$tenantID == liuyang).all()
            XCTAssertEqual(Dictionary(grouping: stories, by: \.status).mapValues(\.count), [.published: 2, .inReview: 1, .draft: 1])
            XCTAssertTrue(stories.allSatisfy { $0.authorName == "浏阳市记者" })

            // A published sample was signed by three different people, in order.
            let chief = try await t.token(for: "liuyang-chief")
            let published = try XCTUnwrap(stories.first { $0.status == .published })
            let state = try await R.state(t, try published.requireID(), as: chief)
            XCTAssertEqual(state.history.filter { $0.action == "approve" }.map(\.actorName), ["浏阳市编辑", "浏阳市审校员", "浏阳市总编辑"])
            // The one in review waits at 复审.
            let waiting = try XCTUnwrap(stories.first { $0.status == .inReview })
            try await XCTAssertEqualAsync(try await R.state(t, try waiting.requireID(), as: chief).stageIndex, 1)

            // Searchable at once; another centre sees published items only, never the draft.
            let editor = try await t.token(for: "liuyang-editor")
            let own = try await search(t, "花炮", as: editor)
            XCTAssertTrue(own.items.contains { $0.title == "浏阳花炮产业集群年产值突破300亿元" && $0.type == "story" }, "\(own.items)")
            try await XCTAssertEqualAsync(try await search(t, "独居老人", as: editor).total, 1)
            let ningxiang = try await t.token(for: "ningxiang-editor")
            try await XCTAssertEqualAsync(try await search(t, "独居老人", as: ningxiang).total, 0)
            try await XCTAssertEqualAsync(try await search(t, "停车场", as: ningxiang).total, 1)

            // The 浏阳 draft shows misused words and, against 浏阳's fact base, a former title; 宁乡 has no such fact.
            struct Report: Decodable { struct Finding: Decodable { var ruleId: String; var text: String }; var findings: [Finding] }
            let draft = try XCTUnwrap(stories.first { $0.status == .draft })
            let draftText = StoryService.plainText(draft)
            let checked = try await t.send(.POST, "/api/v1/proofread", json: ["headline": draft.headline, "text": draftText],
                                           as: try await t.token(for: "liuyang-editor")).json(Report.self)
            XCTAssertTrue(checked.findings.contains { $0.ruleId == "fact.title" && $0.text == "副主任" }, "\(checked.findings)")
            XCTAssertTrue(checked.findings.contains { $0.ruleId == "typo.misused" }, "\(checked.findings)")
            let elsewhere = try await t.send(.POST, "/api/v1/proofread", json: ["headline": draft.headline, "text": draftText], as: ningxiang).json(Report.self)
            XCTAssertFalse(elsewhere.findings.contains { $0.ruleId == "fact.title" }, "facts are per tenant")
            try await XCTAssertEqualAsync(try await search(t, "停车场", as: editor).total, 0)

            // Related material: a published story is one item (not its story and its published version), and the
            // story being written is not related to itself in either form.
            struct Related: Decodable { struct Item: Decodable { var id: UUID; var type: String }; var items: [Item] }
            let reporter = try await t.token(for: "liuyang-reporter")
            let related = try await t.send(.POST, "/api/v1/search/related", json: ["text": "花炮企业智能制造转型，生产线改造"], as: reporter).json(Related.self)
            let publishedID = try published.requireID()
            XCTAssertEqual(related.items.filter { $0.id == publishedID }.count, 1, "\(related.items)")
            let itself = try await t.send(.POST, "/api/v1/search/related", json: ["text": "花炮企业智能制造转型，生产线改造", "story_id": publishedID.uuidString],
                                          as: reporter).json(Related.self)
            XCTAssertFalse(itself.items.contains { $0.id == publishedID }, "\(itself.items)")

            // The search page names a pasted lead's source in the page's language, not as stored ("粘贴 / Paste").
            let page = try await t.send(.GET, "/search?q=%E7%84%B0%E7%81%AB", as: try await t.session(for: "liuyang-editor"))
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("search-type-lead") && page.text.contains(" · 粘贴 · "), page.text)
            XCTAssertFalse(page.text.contains("粘贴 / Paste"), page.text)
            // Lead keywords cut 浏阳's fact-base places whole (the facts are seeded before the leads).
            let letter = try await Lead.query(on: t.db).filter(\.$title == "市民来信：金沙路下穿通道雨后积水").first()
            XCTAssertTrue(letter?.keywords.contains("金沙路") == true, "\(letter?.keywords ?? [])")

            try await XCTAssertEqualAsync(try await OpinionEvent.query(on: t.db).filter(\.$tenantID == liuyang).count(), report.events)
            // The posts came through the demo's webhook source, which the sources page lists with them.
            let source = try await XCTUnwrapAsync(try await OpinionSource.query(on: t.db).filter(\.$tenantID == liuyang).first())
            XCTAssertEqual(source.postsReceived, report.posts)
            XCTAssertNotNil(source.lastReceivedAt)
            // The short-lived tokens are gone.
            try await XCTAssertEqualAsync(try await APIToken.query(on: t.db).filter(\.$name == "demo content").count(), 0)

            let again = try await DemoContent.seed(app: t.app) { try Bcrypt.hash($0, cost: 4) }
            XCTAssertEqual([again.stories, again.leads, again.topics, again.posts], [0, 0, 0, 0])
            XCTAssertEqual(again.skipped, ["liuyang", "ningxiang", "shaoshan"])
            try await XCTAssertEqualAsync(try await Story.query(on: t.db).count(), 7)
        }
    }

    func testPostsAreTheSameOnEveryRun() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let a = DemoContent.opinionPosts(now: now), b = DemoContent.opinionPosts(now: now)
        XCTAssertEqual(a.count, 56)
        XCTAssertEqual(a.map { $0["text"] as? String }, b.map { $0["text"] as? String })
        let times = a.compactMap { ($0["time"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } }
        XCTAssertEqual(times, times.sorted(), "in time order")
        XCTAssertTrue(times.allSatisfy { $0 <= now && $0 > now.addingTimeInterval(-86_400) }, "within the last day, for the 24-hour chart")
        // Reposts and replies point at earlier posts of the same event.
        let ids = a.compactMap { $0["id"] as? String }
        for (i, post) in a.enumerated() {
            for key in ["repost_of", "reply_to"] {
                guard let parent = post[key] as? String else { continue }
                let at = try? XCTUnwrap(ids.firstIndex(of: parent))
                XCTAssertLessThan(at ?? .max, i)
                XCTAssertEqual(parent.split(separator: "-")[1], (ids[i]).split(separator: "-")[1])
            }
        }
    }
}
