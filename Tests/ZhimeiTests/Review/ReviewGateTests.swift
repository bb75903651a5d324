import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// The workflow gate: the engine runs on submission with the tenant's lexicon; block findings refuse the story until
/// fixed or overridden with a reason by a holder of review.override; overrides are audited and in the history.
final class ReviewGateTests: XCTestCase {
    typealias F = ReviewFixture
    typealias P = ProofreadFixture

    func testBlockFindingStopsSubmissionUntilOverriddenWithReason() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            try await P.addTerm(t, "违禁测试词", as: admin)
            let story = try await F.story(t, by: "liuyang-reporter", headline: "浏阳违禁测试词新闻")
            let reporter = try await t.token(for: "liuyang-reporter"), chief = try await t.token(for: "liuyang-chief")

            let refused = try await F.act(t, "submit", story, as: reporter)
            XCTAssertEqual(refused.status, .conflict, refused.text)
            let e = try refused.error()
            XCTAssertEqual(e.code, "first_pass_blocked")
            XCTAssertTrue(e.message.contains("违禁测试词"), e.message)
            XCTAssertTrue(e.message_en.contains("违禁测试词"), e.message_en)
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .draft)
            try await XCTAssertEqualAsync(try await FirstPassRecord.query(on: t.db).filter(\.$storyID == story).count(), 0)
            try await XCTAssertTrueAsync(try await F.auditActions(t, story).contains("review.blocked"))

            // A reason without the permission does not help.
            struct Override: Encodable { var overrideReason: String }
            let forbidden = try await t.send(.POST, "/api/v1/review/stories/\(story)/submit", json: Override(overrideReason: "我觉得没问题"), as: reporter)
            XCTAssertEqual(forbidden.status, .forbidden, forbidden.text)
            XCTAssertEqual(try forbidden.error().code, "override_forbidden")
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .draft)

            // The chief editor overrides with a reason: the story goes in, the override is in history and audit.
            let ok = try await t.send(.POST, "/api/v1/review/stories/\(story)/submit", json: Override(overrideReason: "引用原文，已核实"), as: chief)
            XCTAssertEqual(ok.status, .ok, ok.text)
            let s = try ok.json(F.StateOut.self)
            XCTAssertEqual(s.state, "pending")
            XCTAssertEqual(s.history.map(\.action), ["submit", "first_pass", "override"])
            XCTAssertEqual(s.history.last?.comment, "引用原文，已核实")
            XCTAssertEqual(s.firstPass?.status, "findings")
            XCTAssertEqual(s.firstPass?.checker, "zhimei-review")
            struct Full: Decodable { var firstPass: FP }
            struct FP: Decodable { var findings: [Finding] }
            struct Finding: Decodable { var category: String; var severity: String; var excerpt: String; var ruleId: String?; var messageEn: String?; var offset: Int? }
            let full = try ok.json(Full.self)
            let blocking = full.firstPass.findings.filter { $0.severity == "block" }
            XCTAssertEqual(blocking.first?.excerpt, "违禁测试词")
            XCTAssertEqual(blocking.first?.category, "sensitive")
            XCTAssertNotNil(blocking.first?.ruleId)
            XCTAssertEqual(blocking.first?.offset, 2, "span in the story's plain text (headline first)")
            let audit = try await F.auditActions(t, story)
            XCTAssertTrue(audit.contains("review.override"))
            let entry = try await AuditEntry.query(on: t.db).filter(\.$targetID == story.uuidString).filter(\.$action == "review.override").first()
            XCTAssertTrue(entry?.summary.contains("引用原文，已核实") ?? false, entry?.summary ?? "no entry")
            // Shown on the review page.
            let page = try await t.send(.GET, "/review/stories/\(story)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(page.text.contains("放行机器初审问题"))
        }
    }

    func testFixingTheTextLetsTheStoryThroughAndWarningsNeverBlock() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            try await P.addTerm(t, "提示测试词", severity: "warn", as: admin)
            let reporter = try await t.token(for: "liuyang-reporter")
            let story = try await F.story(t, by: "liuyang-reporter", headline: "浏阳提示测试词新闻")
            let ok = try await F.act(t, "submit", story, as: reporter)
            XCTAssertEqual(ok.status, .ok, ok.text)
            XCTAssertEqual(try ok.json(F.StateOut.self).firstPass?.status, "findings")

            // A block term added later stops the next round; removing it from the text lets it through again.
            try await P.addTerm(t, "花炮", as: admin)
            try await F.act(t, "recall", story, as: reporter)
            try await XCTAssertEqualAsync(try await F.act(t, "submit", story, as: reporter).status, .conflict)
            let entries = try await t.send(.GET, "/api/v1/review/lexicon?q=%E8%8A%B1%E7%82%AE", as: admin).json(P.PageOut.self)
            XCTAssertEqual(entries.items.map(\.term), ["花炮"])
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/review/lexicon/\(entries.items[0].id)", as: admin).status, .noContent)
            let again = try await F.act(t, "submit", story, as: reporter)
            XCTAssertEqual(again.status, .ok, again.text)
        }
    }

    /// First-pass findings name the body block they are in (block_index); headline and lead findings have none.
    func testFindingsCarryTheirBodyBlock() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            try await P.addTerm(t, "出口额", severity: "warn", as: admin)
            let story = try await F.story(t, by: "liuyang-reporter")   // lead and body block 1 contain 出口额
            let ok = try await F.act(t, "submit", story, as: try await t.token(for: "liuyang-reporter"))
            XCTAssertEqual(ok.status, .ok, ok.text)
            struct Full: Decodable { var firstPass: FP }
            struct FP: Decodable { var findings: [Finding] }
            struct Finding: Decodable { var excerpt: String; var blockIndex: Int?; var offset: Int? }
            let found = try ok.json(Full.self).firstPass.findings.filter { $0.excerpt == "出口额" }.sorted { ($0.offset ?? 0) < ($1.offset ?? 0) }
            XCTAssertEqual(found.count, 2, ok.text)
            XCTAssertEqual(found.map(\.blockIndex), [nil, 1], "lead finding: no block; body finding: block 1")
        }
    }

    func testAnotherTenantsLexiconNeverAppliesAndCannotBeRead() async throws {
        try await withTestApp { t in
            let liuyangAdmin = try await t.token(for: "liuyang-admin"), ningxiangAdmin = try await t.token(for: "ningxiang-admin")
            let ningxiang = try await t.tenant("ningxiang").requireID()
            let entry = try await P.addTerm(t, "宁乡专用词", as: ningxiangAdmin)
            XCTAssertEqual(entry.tenantId, ningxiang)

            let inLiuyang = try await P.proofread(t, "今天宁乡专用词出现了。", as: try await t.token(for: "liuyang-editor"))
            XCTAssertFalse(inLiuyang.findings.contains { $0.text == "宁乡专用词" })
            let inNingxiang = try await P.proofread(t, "今天宁乡专用词出现了。", as: try await t.token(for: "ningxiang-editor"))
            XCTAssertTrue(inNingxiang.blocked)
            XCTAssertEqual(inNingxiang.findings.first { $0.category == "sensitive" }?.start, 2)

            // Liuyang's admin can neither list, export, change nor delete Ningxiang's entries.
            let list = try await t.send(.GET, "/api/v1/review/lexicon?tenant_id=\(ningxiang)", as: liuyangAdmin)
            XCTAssertEqual(list.status, .forbidden)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/lexicon/export?tenant_id=\(ningxiang)", as: liuyangAdmin).status, .forbidden)
            let own = try await t.send(.GET, "/api/v1/review/lexicon", as: liuyangAdmin).json(P.PageOut.self)
            XCTAssertFalse(own.items.contains { $0.term == "宁乡专用词" })
            let put = try await t.send(.PUT, "/api/v1/review/lexicon/\(entry.id)", json: P.Entry(kind: "sensitive", term: "改掉", category: "违禁"), as: liuyangAdmin)
            XCTAssertEqual(put.status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/review/lexicon/\(entry.id)", as: liuyangAdmin).status, .notFound)
            // Proofreading with another tenant's lexicon is refused too.
            let foreign = try await t.send(.POST, "/api/v1/proofread", json: P.Text(text: "宁乡专用词", tenantId: ningxiang), as: try await t.token(for: "liuyang-editor"))
            XCTAssertEqual(foreign.status, .forbidden)
            // Editors (no tenant.settings) do not manage the lexicon.
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/lexicon", as: try await t.token(for: "liuyang-editor")).status, .forbidden)
        }
    }

    func testPlatformLexiconIsForPlatformAdminsAndAppliesEverywhere() async throws {
        try await withTestApp { t in
            let platform = try await t.token(for: "admin"), liuyangAdmin = try await t.token(for: "liuyang-admin")
            let editor = try await t.token(for: "liuyang-editor")
            // Compile (and cache) Liuyang's proofreader first: the platform change must invalidate it.
            let first = try await P.proofread(t, "平台级测试词", as: editor)
            XCTAssertFalse(first.blocked)
            let refused = try await t.send(.POST, "/api/v1/review/lexicon", json: P.Entry(level: "platform", kind: "sensitive", term: "平台级测试词", category: "政治"), as: liuyangAdmin)
            XCTAssertEqual(refused.status, .forbidden)
            let entry = try await P.addTerm(t, "平台级测试词", category: "政治", as: platform, level: "platform")
            XCTAssertEqual(entry.level, "platform")
            XCTAssertNil(entry.tenantId)
            let report = try await P.proofread(t, "这是平台级测试词。", as: editor)
            XCTAssertTrue(report.blocked)
            XCTAssertEqual(report.findings.first { $0.category == "sensitive" }?.subcategory, "政治")
            // Tenant admins do not see (or touch) platform entries.
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/lexicon?level=platform", as: liuyangAdmin).status, .forbidden)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/review/lexicon/\(entry.id)", as: liuyangAdmin).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/review/lexicon/\(entry.id)", as: platform).status, .noContent)
            let last = try await P.proofread(t, "这是平台级测试词。", as: editor)
            XCTAssertFalse(last.blocked)
        }
    }
}

/// The 智能校对 and lexicon pages render, escape user content and are reachable from the review queue.
final class ProofreadPageTests: XCTestCase {
    func testProofreadAndLexiconPages() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            try await ProofreadFixture.addTerm(t, "<img src=x>测试", as: admin)
            let adminSession = try await t.session(for: "liuyang-admin"), reporter = try await t.session(for: "liuyang-reporter")
            let html: HTTPHeaders = ["Accept": "text/html"]
            let queue = try await t.send(.GET, "/review", headers: html, as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(queue.text.contains("href=\"/review/proofread\""))
            let page = try await t.send(.GET, "/review/proofread", headers: html, as: reporter)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("智能校对"))
            XCTAssertTrue(page.text.contains("/js/proofread.js"))
            XCTAssertTrue(page.text.contains("id=\"proofread-url\"") && page.text.contains("type=\"url\""), "proofread-by-URL form field")
            XCTAssertFalse(page.text.contains("style=\""), "strict CSP: no inline styles")
            let lexicon = try await t.send(.GET, "/review/lexicon", headers: html, as: adminSession)
            XCTAssertEqual(lexicon.status, .ok)
            XCTAssertTrue(lexicon.text.contains("&lt;img src=x&gt;测试"))
            XCTAssertFalse(lexicon.text.contains("<img src=x>"))
            XCTAssertTrue(lexicon.text.contains("/api/v1/review/lexicon/export?tenant_id="))
            XCTAssertTrue(lexicon.text.contains(">必须处理（拦截送审）</option>") && !lexicon.text.contains(">block<"), "severities in words")
            let refused = try await t.send(.GET, "/review/lexicon", headers: html, as: reporter)
            XCTAssertNotEqual(refused.status, .ok)
            // The editor loads the proofreading panel.
            let story = try await ReviewFixture.story(t, by: "liuyang-reporter")
            let edit = try await t.send(.GET, "/stories/\(story)/edit", headers: html, as: reporter)
            XCTAssertEqual(edit.status, .ok)
            XCTAssertTrue(edit.text.contains("/js/proofread.js"))
        }
    }
}
