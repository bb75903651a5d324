import Foundation
import XCTest
@testable import Zhimei

/// Codes stay out of the pages: content languages, version reasons and audit actions are named in the UI language.
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
        let topic = "选题“焰火节”：选题状态：待批准 → 已批准 / Topic “焰火节”: status Proposed → Approved"
        XCTAssertEqual(NotificationPages.title(topic, "zh"), "选题“焰火节”：选题状态：待批准 → 已批准")
        XCTAssertEqual(NotificationPages.title(topic, "en"), "Topic “焰火节”: status Proposed → Approved")
        XCTAssertEqual(NotificationPages.title("待你初审：《浏阳 / 宁乡》", "en"), "待你初审：《浏阳 / 宁乡》", "one language: as stored")
        XCTAssertEqual(NotificationPages.title("舆情预警 Alert：积水", "zh"), "舆情预警：积水")
        XCTAssertEqual(LeadsPages.sourceLabel("粘贴 / Paste", "zh"), "粘贴")
        XCTAssertEqual(LeadsPages.sourceLabel("邮件 / E-mail: 张三 <z@x.cn>", "en"), "E-mail: 张三 <z@x.cn>")
        XCTAssertEqual(LeadsPages.sourceLabel("邮件 / E-mail: 张三 <z@x.cn>", "zh"), "邮件：张三 <z@x.cn>")
        XCTAssertEqual(LeadsPages.sourceLabel("群众爆料 / Citizen tip", "en"), "Citizen tip")
        XCTAssertEqual(LeadsPages.sourceLabel("新华网 RSS", "zh"), "新华网 RSS")
        XCTAssertEqual(OpinionLabels.alertTitle("舆情预警 Alert：金沙路积水", "zh"), "舆情预警：金沙路积水")
        XCTAssertEqual(OpinionLabels.alertTitle("舆情预警 Alert：金沙路积水", "en"), "Opinion alert: 金沙路积水")
        let detail = "18 条/120 分钟，负面 94%，风险 66.1，z=18.00 · 18 posts in 120 min, 94% negative, risk 66.1"
        XCTAssertEqual(OpinionLabels.alertDetail(detail, "zh"), "18 条/120 分钟，负面 94%，风险 66.1，z=18.00")
        XCTAssertEqual(OpinionLabels.alertDetail(detail, "en"), "18 posts in 120 min, 94% negative, risk 66.1")
        XCTAssertEqual(OpinionLabels.alertDetail("一条 · 两条 · 三条", "zh"), "一条 · 两条 · 三条", "anything else is shown as stored")
    }

    func testAuditActionsAndChangesInWords() {
        XCTAssertEqual(AuditLabels.action("story.create", "zh"), "稿件 · 新建")
        XCTAssertEqual(AuditLabels.action("publishing.delivery.resend", "zh"), "投递 · 重新投递", "the longest known subject wins")
        XCTAssertEqual(AuditLabels.action("review.approve", "en"), "Review approved")
        XCTAssertEqual(AuditLabels.action("auth.login_failed", "zh"), "账号 · 登录失败")
        for unknown in ["story.frobnicate", "widget.create", "nodot", ""] { XCTAssertEqual(AuditLabels.action(unknown, "zh"), unknown) }
        // Every action the code records has words (a new one without them would show its code on the page).
        for code in ["aigc.label_remove", "audit.verify_requested", "auth.login_throttled", "job.discard", "lead.convert", "lead_source.rotate_secret",
                     "notifications.webhook.test", "opinion.import_resume", "opinion_event.split", "pool.adopt", "publishing.kill",
                     "publishing.destination.delete", "review.override", "review.lexicon.import", "search.reindex_requested",
                     "story.lock_takeover", "tenant.update", "token.revoke", "topic.coverage.add", "topic.outline.generate", "user.password_set"] {
            XCTAssertNotEqual(AuditLabels.action(code, "zh"), code, code)
        }
        XCTAssertEqual(AuditLabels.changes(#"{"after":{"stage":"复审","state":"pending"},"before":{"round":"1","stage":"初审","state":"pending"},"note":{"text":"初审通过"}}"#,
                                           targetType: "story", "zh"), ["审级：初审 → 复审", "说明：初审通过"],
                       "unchanged fields and fields only in before are left out")
        XCTAssertEqual(AuditLabels.changes(#"{"after":{"status":"in_review"},"before":{"status":"draft"}}"#, targetType: "story", "zh"), ["状态：草稿 → 审核中"])
        XCTAssertEqual(AuditLabels.changes(#"{"after":{"status":"approved"},"before":{"status":"proposed"}}"#, targetType: "topic", "en"), ["status: Proposed → Approved"])
        XCTAssertEqual(AuditLabels.changes(#"{"after":{"title":"积水调查","assignee_ids":"","note":"create"}}"#, targetType: "story", "zh"), ["标题：积水调查", "说明：新建"])
        XCTAssertEqual(AuditLabels.changes(#"{"before":{"name":"浏阳舆情"}}"#, targetType: "opinion_scheme", "zh"), ["名称：浏阳舆情"], "a deletion shows what was deleted")
        XCTAssertEqual(AuditLabels.changes(#"{"after":{"at":"2026-12-03T18:45:54Z"}}"#, targetType: "story", "zh"), ["时间：2026-12-04 02:45:54"], "times as on the rest of the page")
        XCTAssertEqual(AuditLabels.changes("{}", targetType: "", "zh"), [])
        XCTAssertEqual(AuditLabels.changes("not json", targetType: "", "zh"), ["not json"])
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
            // The dashboard's event list gives the sentiment mix (it showed "-2", the negative count with a minus sign).
            let dashboard = try await t.send(.GET, "/opinion", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor")).text
            XCTAssertTrue(dashboard.contains("负 2</span>") && dashboard.contains("正 0</span>"), dashboard)
            XCTAssertFalse(dashboard.contains("<td class=\"num\">-2</td>"))
        }
    }
}
