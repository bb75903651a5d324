import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Planning: topic lifecycle on the board, approval permissions, coverage, comments with @mentions,
/// interview outlines, topics from leads, and the pages.
final class PlanningTests: XCTestCase {
    struct Person: Decodable { var id: UUID; var username: String }
    struct Coverage: Decodable { var id: UUID; var kind: String; var done: Bool; var assigneeId: UUID? }
    struct TopicOut: Decodable {
        var id: UUID; var tenantId: UUID; var title: String; var description: String; var status: String; var priority: String
        var dueAt: Date?; var assigneeIds: [UUID]; var assignees: [Person]; var keywords: [String]; var leadId: UUID?
        var approvedBy: UUID?; var coverage: [Coverage]
    }
    struct CommentOut: Decodable { var id: UUID; var body: String; var mentions: [String] }
    struct OutlineOut: Decodable {
        var origin: String; var aiGenerated: Bool; var label: String; var provider: String; var model: String; var content: String
        var keywords: [String]; var people: [String]; var places: [String]; var organisations: [String]; var generatedAt: Date
    }
    struct NotificationOut: Decodable { var kind: String; var title: String; var link: String }

    func testTopicLifecycleApprovalAndInvalidTransitions() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            let reporterID = try await t.user("liuyang-reporter").requireID(), editorID = try await t.user("liuyang-editor").requireID()
            let liuyang = try await t.tenant("liuyang").requireID()
            // A reporter proposes, assigning themself; due time in China time.
            let res = try await t.send(.POST, "/api/v1/topics", json: [
                "title": "浏阳花炮产业转型", "angle": "从作坊到智能工厂", "priority": "high", "due_at": "2026-12-01T18:00",
            ] as [String: String], as: reporter)
            XCTAssertEqual(res.status, .created)
            var topic = try res.json(TopicOut.self)
            XCTAssertEqual(topic.status, "proposed")
            XCTAssertEqual(topic.tenantId, liuyang)
            XCTAssertEqual(topic.dueAt, ISO8601DateFormatter().date(from: "2026-12-01T10:00:00Z"))
            let patched = try await t.send(.PATCH, "/api/v1/topics/\(topic.id)", json: ["assignee_ids": [reporterID]], as: editor)
            XCTAssertEqual(try patched.json(TopicOut.self).assignees.map(\.username), ["liuyang-reporter"])
            // Assignees must be people of the tenant.
            let foreign = try await t.user("ningxiang-reporter").requireID()
            let bad = try await t.send(.PATCH, "/api/v1/topics/\(topic.id)", json: ["assignee_ids": [foreign]], as: editor)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(try bad.error().code, "invalid_assignee_ids")

            // The reporter cannot approve: neither by moving the card nor through the approve endpoint.
            let selfApprove = try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": "approved"], as: reporter)
            XCTAssertEqual(selfApprove.status, .forbidden)
            XCTAssertEqual(try selfApprove.error().code, "approval_required")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/approve", as: reporter).status, .forbidden)
            // No skipping, no unknown status, no standing still.
            let skip = try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": "in_progress"], as: editor)
            XCTAssertEqual(skip.status, .conflict)
            XCTAssertEqual(try skip.error().code, "topic_transition_invalid")
            let unknown = try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": "published"], as: editor)
            XCTAssertEqual(unknown.status, .unprocessableEntity)
            XCTAssertEqual(try unknown.error().code, "invalid_to")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": "proposed"], as: editor).status, .conflict)

            // The editor approves.
            let approved = try await t.send(.POST, "/api/v1/topics/\(topic.id)/approve", as: editor)
            XCTAssertEqual(approved.status, .ok)
            topic = try approved.json(TopicOut.self)
            XCTAssertEqual(topic.status, "approved")
            XCTAssertEqual(topic.approvedBy, editorID)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/approve", as: editor).status, .conflict)
            // The reporter cannot withdraw the approval, but moves the work on, one step at a time.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": "proposed"], as: reporter).status, .forbidden)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": "filed"], as: reporter).status, .conflict)
            for step in ["in_progress", "filed", "in_progress", "filed", "done"] {
                let moved = try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": step], as: reporter)
                XCTAssertEqual(moved.status, .ok, step)
                XCTAssertEqual(try moved.json(TopicOut.self).status, step)
            }
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/transition", json: ["to": "proposed"], as: editor).status, .conflict)

            // Every change is audited.
            let actions = try await AuditEntry.query(on: t.db).filter(\.$targetID == topic.id.uuidString).all().map(\.action)
            XCTAssertEqual(actions.filter { $0 == "topic.create" }.count, 1)
            XCTAssertEqual(actions.filter { $0 == "topic.update" }.count, 1)
            XCTAssertEqual(actions.filter { $0 == "topic.approve" }.count, 1)
            XCTAssertEqual(actions.filter { $0 == "topic.transition" }.count, 5)
            // The assignee heard about the approval (from the editor) but not about their own moves.
            let notes = try await AppNotification.query(on: t.db).filter(\.$userID == reporterID).all()
            XCTAssertEqual(notes.filter { $0.kind == "topic.approve" }.count, 1)
            XCTAssertEqual(notes.filter { $0.kind == "topic.assigned" }.count, 1)
            XCTAssertEqual(notes.filter { $0.kind == "topic.transition" }.count, 0, "own actions do not notify oneself")
            XCTAssertTrue(notes.allSatisfy { $0.link == "/planning/topics/\(topic.id)" })
            // Another tenant does not see it.
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/topics/\(topic.id)", as: try await t.token(for: "ningxiang-editor")).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/topics", as: try await t.token(for: "ningxiang-editor")).json([TopicOut].self).count, 0)
        }
    }

    func testBadTopicInputIsA4xx() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            for (body, code) in [
                (#"{"title":""}"#, "invalid_title"), (#"{"title":"\#(String(repeating: "长", count: 201))"}"#, "invalid_title"),
                (#"{"title":"x","due_at":"next tuesday"}"#, "invalid_due_at"), (#"{"title":"x","priority":"asap"}"#, "bad_request"),
                (#"{"title":"x","keywords":["\#(String(repeating: "k", count: 41))"]}"#, "invalid_keywords"),
                (#"{"title":"x","tenant_id":"\#(try await t.tenant("ningxiang").requireID())"}"#, "tenant_forbidden"),
            ] {
                let res = try await t.send(.POST, "/api/v1/topics", raw: body, as: editor)
                XCTAssertTrue((400..<500).contains(Int(res.status.code)), body)
                XCTAssertEqual(try res.error().code, code, body)
            }
        }
    }

    func testCoverageItemsAndMentions() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor"), reporter = try await t.token(for: "liuyang-reporter")
            let reporterID = try await t.user("liuyang-reporter").requireID()
            let topic = try await t.send(.POST, "/api/v1/topics", json: ["title": "韶山红色旅游"], as: editor).json(TopicOut.self)
            let photo = try await t.send(.POST, "/api/v1/topics/\(topic.id)/coverage", json: ["kind": "photo", "note": "故居全景", "assignee_id": reporterID.uuidString], as: editor)
            XCTAssertEqual(photo.status, .created)
            let item = try photo.json(Coverage.self)
            _ = try await t.send(.POST, "/api/v1/topics/\(topic.id)/coverage", json: ["kind": "live"], as: editor)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/coverage", json: ["kind": "radio"], as: editor).status, .badRequest)
            let done = try await t.send(.PATCH, "/api/v1/coverage/\(item.id)", json: ["done": true], as: reporter)
            XCTAssertEqual(try done.json(Coverage.self).done, true)
            var current = try await t.send(.GET, "/api/v1/topics/\(topic.id)", as: editor).json(TopicOut.self)
            XCTAssertEqual(current.coverage.map(\.kind), ["photo", "live"])
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/coverage/\(item.id)", as: editor).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/coverage/\(item.id)", as: editor).status, .ok, "removing twice is a no-op")
            current = try await t.send(.GET, "/api/v1/topics/\(topic.id)", as: editor).json(TopicOut.self)
            XCTAssertEqual(current.coverage.map(\.kind), ["live"])
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/coverage/\(item.id)", json: ["done": false], as: ningxiang(t)).status, .notFound)
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$userID == reporterID).filter(\.$kind == "topic.coverage").count(), 1,
                                          "the coverage assignee heard about the new item (not about their own update)")

            // @mentions: people of the same tenant only.
            let posted = try await t.send(.POST, "/api/v1/topics/\(topic.id)/comments",
                                          json: ["body": "@liuyang-reporter 请明早出发，@ningxiang-reporter 也看看？ email a@b.cn @nobody"], as: editor)
            XCTAssertEqual(posted.status, .created)
            XCTAssertEqual(try posted.json(CommentOut.self).mentions, ["liuyang-reporter"])
            let reporterNotes = try await t.send(.GET, "/api/v1/notifications", as: reporter).json([NotificationOut].self)
            let mention = try XCTUnwrap(reporterNotes.first { $0.kind == "topic.mention" })
            XCTAssertEqual(mention.link, "/planning/topics/\(topic.id)")
            XCTAssertTrue(mention.title.contains("韶山红色旅游"))
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/notifications", as: ningxiang(t)).json([NotificationOut].self).count, 0,
                                          "a person of another tenant is never notified")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(topic.id)/comments", json: ["body": "   "], as: editor).status, .unprocessableEntity)
            let comments = try await t.send(.GET, "/api/v1/topics/\(topic.id)/comments", as: reporter).json([CommentOut].self)
            XCTAssertEqual(comments.count, 1)
            XCTAssertEqual(TopicService.mentionedUsernames("@a-b. hi @C_d,@e.f x@y"), ["a-b", "c_d", "e.f"])
        }
    }

    private func ningxiang(_ t: TestApp) async throws -> TestActor { try await t.token(for: "ningxiang-editor") }

    /// A stand-in text-generation provider.
    struct FakeProvider: OutlineProvider {
        var name = "fake-llm"
        var model = "fake-7b"
        func draftOutline(_ input: OutlineInput) async throws -> String { "AI 提纲：\(input.title)｜\(input.keywords.joined(separator: ","))" }
    }

    func testOutlineFromTemplateCarriesKeywordsAndEntitiesAndAProviderPlugsIn() async throws {
        try await withTestApp { t in
            try XCTSkipIf(TestApp.textDataDirectory == nil, "text engine data not installed")
            let editor = try await t.token(for: "liuyang-editor")
            let topic = try await t.send(.POST, "/api/v1/topics", json: [
                "title": "浏阳市花炮产业转型升级", "description": "湖南大学专家与浏阳市人民政府座谈，记者将在大瑶镇采访花炮企业负责人。",
                "angle": "传统产业如何走向安全与智能",
            ], as: editor).json(TopicOut.self)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/topics/\(topic.id)/outline", as: editor).json([OutlineOut].self).count, 0)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/topics/\(topic.id)/outline", json: ["content": "x"], as: editor).status, .conflict)
            let res = try await t.send(.POST, "/api/v1/topics/\(topic.id)/outline", as: editor)
            XCTAssertEqual(res.status, .created)
            let outline = try res.json(OutlineOut.self)
            XCTAssertEqual(outline.origin, "template")
            XCTAssertFalse(outline.aiGenerated)
            XCTAssertEqual(outline.provider, OutlineService.templateProvider)
            XCTAssertEqual(outline.model, OutlineService.templateModel)
            XCTAssertTrue(outline.keywords.contains("花炮"), "\(outline.keywords)")
            XCTAssertTrue(outline.organisations.contains("湖南大学"), "\(outline.organisations)")
            XCTAssertTrue(outline.organisations.contains("浏阳市人民政府"), "a place followed by an organisation is one name: \(outline.organisations)")
            XCTAssertTrue(outline.places.contains { $0.hasPrefix("浏阳") } || outline.places.contains("大瑶镇"), "\(outline.places)")
            for k in outline.keywords.prefix(5) { XCTAssertTrue(outline.content.contains("“\(k)”"), "keyword \(k) in a question") }
            for o in outline.organisations { XCTAssertTrue(outline.content.contains("- \(o)："), "organisation \(o) as an interviewee") }
            for p in outline.places { XCTAssertTrue(outline.content.contains(p)) }
            XCTAssertTrue(outline.content.contains("传统产业如何走向安全与智能"))
            // Keywords the topic carries are used as they are.
            _ = try await t.send(.PATCH, "/api/v1/topics/\(topic.id)", json: ["keywords": ["安全生产", "智能制造"]], as: editor)
            let second = try await t.send(.POST, "/api/v1/topics/\(topic.id)/outline", as: editor).json(OutlineOut.self)
            XCTAssertEqual(second.keywords, ["安全生产", "智能制造"])
            XCTAssertTrue(second.content.contains("“安全生产”") && second.content.contains("“智能制造”"))

            // A configured provider drafts instead, and the draft is labelled with provider, model and time.
            t.app.planningOutline.provider = FakeProvider()
            let ai = try await t.send(.POST, "/api/v1/topics/\(topic.id)/outline", as: editor).json(OutlineOut.self)
            XCTAssertEqual(ai.origin, "ai")
            XCTAssertTrue(ai.aiGenerated)
            XCTAssertEqual(ai.label, "AI生成")
            XCTAssertEqual(ai.provider, "fake-llm")
            XCTAssertEqual(ai.model, "fake-7b")
            XCTAssertEqual(ai.content, "AI 提纲：浏阳市花炮产业转型升级｜安全生产,智能制造")
            XCTAssertLessThan(abs(ai.generatedAt.timeIntervalSinceNow), 60)
            let edited = try await t.send(.PUT, "/api/v1/topics/\(topic.id)/outline", json: ["content": "改过的提纲"], as: editor)
            XCTAssertEqual(try edited.json(OutlineOut.self).content, "改过的提纲")
            XCTAssertEqual(try edited.json(OutlineOut.self).origin, "ai", "the origin stays recorded after an edit")
            let all = try await t.send(.GET, "/api/v1/topics/\(topic.id)/outline", as: editor).json([OutlineOut].self)
            XCTAssertEqual(all.map(\.origin), ["ai", "template", "template"])
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "topic.outline.generate").count(), 3)
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "topic.outline.edit").count(), 1)
        }
    }

    func testTopicFromALeadCopiesItAndMarksItConverted() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let lead = Lead()
            lead.tenantID = liuyang; lead.origin = .tip; lead.sourceName = "爆料"; lead.guidHash = UUID().uuidString
            lead.title = "大瑶镇花炮厂开展安全演练"; lead.body = "大瑶镇花炮厂今天开展消防安全演练，百余名工人参加。"
            lead.summary = "大瑶镇花炮厂开展消防安全演练。"; lead.keywords = ["花炮厂", "安全演练"]; lead.sourceURL = nil
            lead.publishedAt = Date(); lead.fetchedAt = Date(); lead.language = "zh-Hans"; lead.category = "社会"
            lead.simhash = 0; lead.band0 = 0; lead.band1 = 0; lead.band2 = 0; lead.band3 = 0; lead.clusterID = UUID()
            lead.status = .new; lead.attachments = []; lead.createdAt = Date(); lead.updatedAt = Date()
            try await lead.create(on: t.db)
            let editor = try await t.token(for: "liuyang-editor")
            let res = try await t.send(.POST, "/api/v1/topics", json: ["lead_id": lead.id!.uuidString], as: editor)
            XCTAssertEqual(res.status, .created)
            let topic = try res.json(TopicOut.self)
            XCTAssertEqual(topic.title, "大瑶镇花炮厂开展安全演练")
            XCTAssertEqual(topic.description, "大瑶镇花炮厂开展消防安全演练。")
            XCTAssertEqual(topic.keywords, ["花炮厂", "安全演练"])
            XCTAssertEqual(topic.leadId, lead.id)
            let stored = try await Lead.find(lead.id, on: t.db)
            XCTAssertEqual(stored?.status, .converted)
            XCTAssertEqual(stored?.topicID, topic.id)
            let again = try await t.send(.POST, "/api/v1/topics", json: ["lead_id": lead.id!.uuidString], as: editor)
            XCTAssertEqual(again.status, .conflict)
            XCTAssertEqual(try again.error().code, "lead_already_converted")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics", json: ["lead_id": lead.id!.uuidString], as: ningxiang(t)).status, .notFound)
            // The board opens the new-topic form for a lead (the Leads inbox links to /planning?lead_id=…).
            let page = try await t.send(.GET, "/planning?lead_id=\(lead.id!.uuidString)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(page.text.contains(#"name="lead_id" value="\#(lead.id!.uuidString)""#))
            let junk = try await t.send(.GET, "/planning?lead_id=%22%3E%3Cscript%3E", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertEqual(junk.status, .ok)
            XCTAssertFalse(junk.text.contains("name=\"lead_id\""))
        }
    }

    func testBoardListCalendarAndTopicPagesRender() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let cal = PlanningPages.calendar()
            let start = cal.date(from: cal.dateComponents([.year, .month], from: Date()))!
            let due = cal.date(byAdding: .day, value: 14, to: start)!
            let f = ISO8601DateFormatter()
            let topic = try await t.send(.POST, "/api/v1/topics", json: ["title": "月中选题<b>加粗</b>", "due_at": f.string(from: due)], as: editor).json(TopicOut.self)
            let next = cal.date(byAdding: .month, value: 1, to: start)!
            _ = try await t.send(.POST, "/api/v1/topics", json: ["title": "下月选题", "due_at": f.string(from: cal.date(byAdding: .day, value: 20, to: next)!)], as: editor)
            let session = try await t.session(for: "liuyang-editor")
            let html: HTTPHeaders = ["Accept": "text/html"]
            let board = try await t.send(.GET, "/planning", headers: html, as: session)
            XCTAssertEqual(board.status, .ok)
            XCTAssertTrue(board.text.contains("data-kanban"))
            XCTAssertTrue(board.text.contains("data-topic=\"\(topic.id)\""))
            XCTAssertTrue(board.text.contains("月中选题&lt;b&gt;加粗&lt;/b&gt;"))
            XCTAssertTrue(board.text.contains("data-move=\"approved\""), "an editor gets the approve move")
            XCTAssertTrue(board.text.contains("/js/planning.js"))
            XCTAssertFalse(board.text.contains("该模块尚未上线"))
            let reporterBoard = try await t.send(.GET, "/planning", headers: html, as: try await t.session(for: "liuyang-reporter"))
            XCTAssertFalse(reporterBoard.text.contains("data-move=\"approved\""), "a reporter is not offered approval")

            let ym = DateFormatter(); ym.locale = Locale(identifier: "en_US_POSIX"); ym.timeZone = TopicService.shanghai; ym.dateFormat = "yyyy-MM"
            let calendar = try await t.send(.GET, "/planning?view=calendar", headers: html, as: session)
            XCTAssertEqual(calendar.status, .ok)
            XCTAssertTrue(calendar.text.contains("id=\"topics-calendar\" data-month=\"\(ym.string(from: start))\""))
            XCTAssertTrue(calendar.text.contains("月中选题"))
            XCTAssertFalse(calendar.text.contains("下月选题"))
            XCTAssertTrue(calendar.text.contains("month=\(ym.string(from: next))"), "a link to the next month")
            let dayKey = DateFormatter(); dayKey.locale = Locale(identifier: "en_US_POSIX"); dayKey.timeZone = TopicService.shanghai; dayKey.dateFormat = "yyyy-MM-dd"
            XCTAssertTrue(calendar.text.contains("data-date=\"\(dayKey.string(from: due))\""))
            let nextPage = try await t.send(.GET, "/planning?view=calendar&month=\(ym.string(from: next))", headers: html, as: session)
            XCTAssertTrue(nextPage.text.contains("下月选题"))
            XCTAssertFalse(nextPage.text.contains("月中选题"))
            try await XCTAssertEqualAsync(try await t.send(.GET, "/planning?view=calendar&month=garbage", headers: html, as: session).status, .ok)

            let list = try await t.send(.GET, "/planning?view=list&q=下月", headers: html, as: session)
            XCTAssertTrue(list.text.contains("下月选题"))
            XCTAssertFalse(list.text.contains("月中选题"))

            _ = try await t.send(.POST, "/api/v1/topics/\(topic.id)/comments", json: ["body": "<img src=x onerror=alert(1)> @liuyang-reporter"], as: editor)
            let detail = try await t.send(.GET, "/planning/topics/\(topic.id)", headers: html, as: session)
            XCTAssertEqual(detail.status, .ok)
            XCTAssertTrue(detail.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
            XCTAssertFalse(detail.text.contains("<img src=x"))
            XCTAssertTrue(detail.text.contains("/api/v1/topics/\(topic.id)/outline"))
            XCTAssertTrue(detail.text.contains("/stories/new?topic_id=\(topic.id)"), "a link to write the story")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/planning/topics/\(topic.id)", headers: html, as: try await t.session(for: "ningxiang-editor")).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/planning/pool", headers: html, as: session).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/planning", headers: html, as: try await t.session(for: "liuyang-admin")).status, .forbidden)
        }
    }
}
