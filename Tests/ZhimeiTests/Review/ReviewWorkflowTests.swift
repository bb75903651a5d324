import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// The review workflow (三审三校) over HTTP: stages, actions, rules, concurrency, configuration, first pass, AIGC labels, tenancy.
final class ReviewWorkflowTests: XCTestCase {
    typealias F = ReviewFixture

    func testHappyPathThroughThreeStages() async throws {
        try await withTestApp { t in
            try await F.reviewer(t)
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            let reviewer = try await t.token(for: "liuyang-reviewer"), chief = try await t.token(for: "liuyang-chief")

            let before = try await F.state(t, story, as: reporter)
            XCTAssertEqual(before.state, "none")
            XCTAssertEqual(before.actions, ["submit"])
            XCTAssertEqual(before.stages.map(\.name), ["初审", "复审", "终审"])
            XCTAssertEqual(before.stages.map(\.permission), ["review.first", "review.second", "review.final"])

            let submitted = try await F.act(t, "submit", story, as: reporter, comment: "请审")
            XCTAssertEqual(submitted.status, .ok, submitted.text)
            var s = try submitted.json(F.StateOut.self)
            XCTAssertEqual(s.state, "pending"); XCTAssertEqual(s.round, 1); XCTAssertEqual(s.stageIndex, 0); XCTAssertEqual(s.stageName, "初审")
            XCTAssertEqual(s.actions, ["recall"], "the author may only recall")
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .inReview)

            // The queue: waiting for the editor (not for the author), in the reporter's submissions.
            let editorQueue = try await t.send(.GET, "/api/v1/review/queue", as: editor).json(F.QueueOut.self)
            XCTAssertEqual(editorQueue.waiting.map(\.storyId), [story])
            let reporterQueue = try await t.send(.GET, "/api/v1/review/queue", as: reporter).json(F.QueueOut.self)
            XCTAssertTrue(reporterQueue.waiting.isEmpty)
            XCTAssertEqual(reporterQueue.mine.map(\.storyId), [story])
            // The chief (终审) has nothing at 初审… actually holds review.first too, so it is waiting for the chief as well.
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/queue", as: chief).json(F.QueueOut.self).waiting.count, 1)

            let chiefUserID = try await t.user("liuyang-chief").requireID()
            func unreadWaiting(_ user: UUID) async throws -> [String] {
                try await AppNotification.query(on: t.db).filter(\.$userID == user).filter(\.$kind == "review.waiting").filter(\.$readAt == nil).all().map(\.title)
            }
            try await XCTAssertEqualAsync(try await unreadWaiting(chiefUserID).count, 1, "初审 waits for the chief too")
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 0, comment: "初审通过").status, .ok)
            // Once anyone decides a stage, its "待你初审" is answered for everyone: only 复审 waits unread.
            let unread = try await unreadWaiting(chiefUserID)
            XCTAssertEqual(unread.count, 1, "\(unread)")
            XCTAssertTrue(unread.first?.hasPrefix("待你复审") ?? false, "\(unread)")
            s = try await F.state(t, story, as: reviewer)
            XCTAssertEqual(s.stageIndex, 1); XCTAssertEqual(s.stages.map(\.status), ["done", "current", "waiting"])
            XCTAssertEqual(s.stages[0].signedBy, "浏阳市编辑")
            XCTAssertEqual(s.actions, ["approve", "return", "reject"])
            try await XCTAssertTrueAsync(try await t.send(.GET, "/api/v1/review/queue", as: editor).json(F.QueueOut.self).waiting.isEmpty,
                          "the editor signed 初审 and may not sign 复审 of the same round")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/queue", as: editor).json(F.QueueOut.self).decided.map(\.storyId), [story])

            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: reviewer, round: 1, stage: 1).status, .ok)
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .inReview)
            let final = try await F.act(t, "approve", story, as: chief, round: 1, stage: 2, comment: "同意刊发")
            XCTAssertEqual(final.status, .ok, final.text)
            s = try final.json(F.StateOut.self)
            XCTAssertEqual(s.state, "approved")
            XCTAssertEqual(s.stages.map(\.status), ["done", "done", "done"])
            XCTAssertEqual(s.stages.compactMap(\.signedBy), ["浏阳市编辑", "审校员er", "浏阳市总编辑"])
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .approved)

            // History: every sign-off with time, person, stage and comment.
            XCTAssertEqual(s.history.map(\.action), ["submit", "first_pass", "approve", "approve", "approve"])
            XCTAssertEqual(s.history.filter { $0.action == "approve" }.map(\.stageName), ["初审", "复审", "终审"])
            XCTAssertEqual(s.history.last?.comment, "同意刊发")
            XCTAssertEqual(s.history.last?.actorName, "浏阳市总编辑")
            let history = try await t.send(.GET, "/api/v1/review/stories/\(story)/history", as: reporter).json([F.EventOut].self)
            XCTAssertEqual(history.count, 5)

            // Audit: every step, and the Stories module recorded each status change.
            let audit = try await F.auditActions(t, story)
            XCTAssertEqual(audit.filter { $0.hasPrefix("review.") }, ["review.submit", "review.first_pass", "review.approve", "review.approve", "review.approve"])
            XCTAssertEqual(audit.filter { $0 == "story.status" }.count, 2, "draft → in_review → approved")

            // Notifications: "waiting for you" at each stage, and the author hears of the approval.
            let editorID = try await t.user("liuyang-editor").requireID(), reporterID = try await t.user("liuyang-reporter").requireID()
            let chiefID = try await t.user("liuyang-chief").requireID()
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$userID == editorID).filter(\.$kind == "review.waiting").count(), 1)
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$userID == chiefID).filter(\.$kind == "review.waiting").count(), 3)
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$userID == reporterID).filter(\.$kind == "review.approve").count(), 1)
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$userID == reporterID).filter(\.$kind == "review.waiting").count(), 0)
            try await XCTAssertEqualAsync(try await unreadWaiting(chiefID), [], "nothing waits once the story is approved")
            try await XCTAssertEqualAsync(try await unreadWaiting(editorID), [])

            // Approved is final: no further decision, no resubmission.
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: chief, round: 1, stage: 2).status, .conflict)
            try await XCTAssertEqualAsync(try await F.act(t, "submit", story, as: reporter).status, .conflict)
        }
    }

    /// "Waiting for me" looks at every pending case, not only the oldest 500: 520 older cases the editor may not
    /// decide (their own work) come before the one they may, which is still in their queue.
    func testQueueFindsWorkBehindFiveHundredOthers() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            try await XCTAssertEqualAsync(try await F.act(t, "submit", story, as: reporter).status, .ok)
            let submitted = try await XCTUnwrapAsync(try await ReviewCase.query(on: t.db).filter(\.$storyID == story).first())
            let editorID = try await t.user("liuyang-editor").requireID()
            // Copies of the case, submitted earlier, written by the editor: the editor may not decide them.
            let plan = submitted.plan, distinct = submitted.distinctSigners, tenant = submitted.tenantID
            try await t.db.transaction { tx in for i in 0..<(ReviewService.queueChunk + 20) {
                let c = ReviewCase()
                c.tenantID = tenant; c.storyID = UUID(); c.authorID = editorID; c.submitterID = editorID
                c.headline = "编辑自己的稿件\(i)"; c.authorName = "浏阳市编辑"; c.state = .pending; c.round = 1; c.stageIndex = 0
                c.plan = plan; c.distinctSigners = distinct; c.storyVersion = 1
                c.submittedAt = Date().addingTimeInterval(-100_000 + Double(i)); c.decidedAt = nil
                try await c.create(on: tx)
            } }
            let queue = try await t.send(.GET, "/api/v1/review/queue", as: editor).json(F.QueueOut.self)
            XCTAssertEqual(queue.waiting.map(\.storyId), [story], "the reporter's story, behind \(ReviewService.queueChunk + 20) others")
            let page = try await t.send(.GET, "/review", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(page.text.contains(story.uuidString.lowercased()) || page.text.contains(story.uuidString), "the queue page lists it")
        }
    }

    func testReturnAndResubmitStartsANewRound() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            try await F.act(t, "submit", story, as: reporter)
            let noComment = try await F.act(t, "return", story, as: editor, round: 1, stage: 0)
            XCTAssertEqual(noComment.status, .unprocessableEntity)
            XCTAssertEqual(try noComment.error().code, "invalid_comment")
            let returned = try await F.act(t, "return", story, as: editor, round: 1, stage: 0, comment: "第二段数据需核实来源")
            XCTAssertEqual(returned.status, .ok, returned.text)
            XCTAssertEqual(try returned.json(F.StateOut.self).state, "returned")
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .returned)
            let reporterID = try await t.user("liuyang-reporter").requireID()
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$userID == reporterID).filter(\.$kind == "review.return").count(), 1)
            // Nothing more can happen in the ended round.
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 0).status, .conflict)

            let again = try await F.act(t, "submit", story, as: reporter, comment: "已核实")
            XCTAssertEqual(again.status, .ok, again.text)
            let s = try again.json(F.StateOut.self)
            XCTAssertEqual(s.round, 2); XCTAssertEqual(s.stageIndex, 0); XCTAssertEqual(s.state, "pending")
            XCTAssertEqual(s.history.map(\.action), ["submit", "first_pass", "return", "submit", "first_pass"])
            XCTAssertEqual(s.history.map(\.round), [1, 1, 1, 2, 2])
            XCTAssertEqual(s.history[2].comment, "第二段数据需核实来源")
            // The old round's position is stale now.
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 0).status, .conflict)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 2, stage: 0).status, .ok)
            try await XCTAssertEqualAsync(try await F.auditActions(t, story).filter { $0.hasPrefix("review.") && $0 != "review.first_pass" },
                                          ["review.submit", "review.return", "review.submit", "review.approve"])
        }
    }

    func testRecall() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            let chief = try await t.token(for: "liuyang-chief")
            try await F.act(t, "submit", story, as: reporter)
            let notMine = try await F.act(t, "recall", story, as: editor)
            XCTAssertEqual(notMine.status, .forbidden)
            XCTAssertEqual(try notMine.error().code, "not_author")
            let recalled = try await F.act(t, "recall", story, as: reporter, comment: "补充采访")
            XCTAssertEqual(recalled.status, .ok, recalled.text)
            XCTAssertEqual(try recalled.json(F.StateOut.self).state, "recalled")
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .recalled)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 0).status, .conflict)
            try await XCTAssertEqualAsync(try await F.act(t, "recall", story, as: reporter).status, .conflict)
            // Resubmitted, then acted on at 初审: recalling at 复审 is still possible (the current stage has not acted)…
            try await F.act(t, "submit", story, as: reporter)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 2, stage: 0).status, .ok)
            // …but not with a stale position, and not once the current stage decided.
            try await XCTAssertEqualAsync(try await F.act(t, "recall", story, as: reporter, round: 2, stage: 0).status, .conflict)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: chief, round: 2, stage: 1).status, .ok)
            let late = try await F.act(t, "recall", story, as: reporter, round: 2, stage: 1)
            XCTAssertEqual(late.status, .conflict)
            XCTAssertEqual(try late.error().code, "stage_mismatch")
            try await XCTAssertEqualAsync(try await F.auditActions(t, story).filter { $0 == "review.recall" }.count, 1)
        }
    }

    func testRejectEndsTheStory() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), chief = try await t.token(for: "liuyang-chief")
            try await F.act(t, "submit", story, as: reporter)
            try await XCTAssertEqualAsync(try await F.act(t, "reject", story, as: chief, round: 1, stage: 0).status, .unprocessableEntity)
            let rejected = try await F.act(t, "reject", story, as: chief, round: 1, stage: 0, comment: "选题重复，终止")
            XCTAssertEqual(rejected.status, .ok, rejected.text)
            XCTAssertEqual(try rejected.json(F.StateOut.self).state, "rejected")
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .rejected)
            let resubmit = try await F.act(t, "submit", story, as: reporter)
            XCTAssertEqual(resubmit.status, .conflict)
            XCTAssertEqual(try resubmit.error().code, "cannot_submit")
            try await XCTAssertEqualAsync(try await F.auditActions(t, story).contains("review.reject"), true)
        }
    }

    func testNoStageCanBeSkipped() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            let chief = try await t.token(for: "liuyang-chief")
            try await F.act(t, "submit", story, as: reporter)
            // Straight to 终审 while the story is at 初审.
            let skip = try await F.act(t, "approve", story, as: chief, round: 1, stage: 2)
            XCTAssertEqual(skip.status, .conflict)
            XCTAssertEqual(try skip.error().code, "stage_mismatch")
            // A decision must name its stage.
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: chief).status, .unprocessableEntity)
            // A reporter is no reviewer at all.
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: reporter, round: 1, stage: 0).status, .forbidden)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 0).status, .ok)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: chief, round: 1, stage: 1).status, .ok)
            // The editor lacks review.final: 终审 is forbidden for them.
            let noFinal = try await F.act(t, "approve", story, as: editor, round: 1, stage: 2)
            XCTAssertEqual(noFinal.status, .forbidden)
            XCTAssertEqual(try noFinal.error().code, "stage_forbidden")
            try await XCTAssertEqualAsync(try await F.state(t, story, as: reporter).stageIndex, 2)
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .inReview)
        }
    }

    func testAuthorsCannotApproveTheirOwnWork() async throws {
        try await withTestApp { t in
            // The chief holds every review permission, and still cannot sign their own story.
            let story = try await F.story(t, by: "liuyang-chief")
            let chief = try await t.token(for: "liuyang-chief"), editor = try await t.token(for: "liuyang-editor")
            try await F.act(t, "submit", story, as: chief)
            let own = try await F.act(t, "approve", story, as: chief, round: 1, stage: 0)
            XCTAssertEqual(own.status, .forbidden)
            XCTAssertEqual(try own.error().code, "own_work")
            try await XCTAssertEqualAsync(try await F.act(t, "return", story, as: chief, round: 1, stage: 0, comment: "自己退回").status, .forbidden)
            try await XCTAssertFalseAsync(try await F.state(t, story, as: chief).actions.contains("approve"))
            try await XCTAssertTrueAsync(try await t.send(.GET, "/api/v1/review/queue", as: chief).json(F.QueueOut.self).waiting.isEmpty)
            // A submitter who is not the author is barred too.
            let other = try await F.story(t, by: "liuyang-reporter", headline: "另一篇")
            try await F.act(t, "submit", other, as: editor)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", other, as: editor, round: 1, stage: 0).status, .forbidden)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", other, as: chief, round: 1, stage: 0).status, .ok)
        }
    }

    func testTheSamePersonCannotSignTwoStagesOfARound() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), chief = try await t.token(for: "liuyang-chief")
            let admin = try await t.token(for: "liuyang-admin")
            try await F.act(t, "submit", story, as: reporter)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: chief, round: 1, stage: 0).status, .ok)
            let twice = try await F.act(t, "approve", story, as: chief, round: 1, stage: 1)
            XCTAssertEqual(twice.status, .forbidden)
            XCTAssertEqual(try twice.error().code, "already_signed")
            // Returning is not signing: the chief may still send it back.
            try await XCTAssertEqualAsync(try await F.act(t, "return", story, as: chief, round: 1, stage: 1, comment: "再改").status, .ok)

            // The tenant turns the rule off: it applies from the next submission.
            let liuyang = try await t.tenant("liuyang").requireID()
            struct Config: Encodable { var distinctSigners: Bool }
            let off = try await t.send(.PUT, "/api/v1/review/tenants/\(liuyang)/config", json: Config(distinctSigners: false), as: admin)
            XCTAssertEqual(off.status, .ok, off.text)
            try await F.act(t, "submit", story, as: reporter)
            for stage in 0..<3 {
                let res = try await F.act(t, "approve", story, as: chief, round: 2, stage: stage)
                XCTAssertEqual(res.status, .ok, "stage \(stage): \(res.text)")
            }
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .approved)
        }
    }

    func testConcurrentApprovalsOfOneStageHaveOneWinner() async throws {
        try await withTestApp { t in
            try await F.reviewer(t)
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            let reviewer = try await t.token(for: "liuyang-reviewer")
            for n in 0..<4 {
                let story = try await F.story(t, by: "liuyang-reporter", headline: "并发 \(n)")
                try await F.act(t, "submit", story, as: reporter)
                async let a = F.act(t, "approve", story, as: editor, round: 1, stage: 0, comment: "A")
                async let b = F.act(t, "approve", story, as: reviewer, round: 1, stage: 0, comment: "B")
                let statuses = [try await a.status, try await b.status]
                XCTAssertEqual(statuses.filter { $0 == .ok }.count, 1, "\(statuses)")
                XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 1, "\(statuses)")
                let s = try await F.state(t, story, as: reporter)
                XCTAssertEqual(s.stageIndex, 1, "exactly one stage moved")
                XCTAssertEqual(s.history.filter { $0.action == "approve" }.count, 1)
                try await XCTAssertEqualAsync(try await ReviewEvent.query(on: t.db).filter(\.$storyID == story).filter(\.$action == .approve).count(), 1)
            }
        }
    }

    func testATenantWithTwoStages() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let admin = try await t.token(for: "liuyang-admin")
            struct Config: Encodable { var stages: [String]?; var stagePermissions: [String]? }
            let put = try await t.send(.PUT, "/api/v1/review/tenants/\(liuyang)/config", json: Config(stages: ["初审", "终审"], stagePermissions: nil), as: admin)
            XCTAssertEqual(put.status, .ok, put.text)
            struct ConfigOut: Decodable { struct Stage: Decodable { var name: String; var permission: String; var overridden: Bool }; var stages: [Stage]; var distinctSigners: Bool }
            let config = try put.json(ConfigOut.self)
            XCTAssertEqual(config.stages.map(\.permission), ["review.first", "review.final"])
            XCTAssertTrue(config.distinctSigners)
            try await XCTAssertEqualAsync(try await t.tenant("liuyang").settings.reviewStages, ["初审", "终审"])

            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            let chief = try await t.token(for: "liuyang-chief")
            let s = try await F.act(t, "submit", story, as: reporter).json(F.StateOut.self)
            XCTAssertEqual(s.stages.map(\.name), ["初审", "终审"])
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 0).status, .ok)
            // A settings change mid-round does not move the running story.
            _ = try await t.send(.PUT, "/api/v1/review/tenants/\(liuyang)/config", json: Config(stages: ["一审", "二审", "三审"], stagePermissions: ["default", "review.final", "default"]), as: admin)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: editor, round: 1, stage: 1).status, .forbidden, "终审 needs review.final")
            try await XCTAssertEqualAsync(try await F.act(t, "approve", story, as: chief, round: 1, stage: 1).status, .ok)
            try await XCTAssertEqualAsync(try await F.storyStatus(t, story), .approved)
            // The override table is applied to the next round.
            let next = try await F.story(t, by: "liuyang-reporter", headline: "第二篇")
            let n = try await F.act(t, "submit", next, as: reporter).json(F.StateOut.self)
            XCTAssertEqual(n.stages.map(\.name), ["一审", "二审", "三审"])
            XCTAssertEqual(n.stages.map(\.permission), ["review.first", "review.final", "review.final"])

            // Only a tenant admin changes it, only for their own tenant, only with valid values.
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/review/tenants/\(liuyang)/config", json: Config(stages: nil, stagePermissions: ["review.final"]), as: editor).status, .forbidden)
            let ningxiang = try await t.tenant("ningxiang").requireID()
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/review/tenants/\(ningxiang)/config", json: Config(stages: ["x"], stagePermissions: nil), as: admin).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/review/tenants/\(liuyang)/config", json: Config(stages: nil, stagePermissions: ["publish"]), as: admin).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/review/tenants/\(liuyang)/config", json: Config(stages: [], stagePermissions: nil), as: admin).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "review.config").count(), 2)
        }
    }

    func testDefaultStageRule() {
        func perms(_ n: Int) -> [String] { StagePlan.make(names: (0..<n).map { "S\($0)" }, overrides: []).stages.map(\.permission.rawValue) }
        XCTAssertEqual(perms(1), ["review.final"])
        XCTAssertEqual(perms(2), ["review.first", "review.final"])
        XCTAssertEqual(perms(3), ["review.first", "review.second", "review.final"])
        XCTAssertEqual(perms(5), ["review.first", "review.second", "review.second", "review.second", "review.final"])
        XCTAssertEqual(StagePlan.make(names: ["a", "b", "c"], overrides: [nil, .reviewFinal]).stages.map(\.permission), [.reviewFirst, .reviewFinal, .reviewFinal])
    }

    func testFirstPassIsRecordedAsNotRunAndEnginesPlugIn() async throws {
        try await withTestApp { t in
            // The engine is installed by default (ReviewGateTests); without a checker the pass is recorded as not run.
            XCTAssertEqual(t.app.reviewFirstPass.checker.name, "zhimei-review")
            t.app.reviewFirstPass.use(NotRunFirstPassChecker())
            let story = try await F.story(t, by: "liuyang-reporter")
            let reporter = try await t.token(for: "liuyang-reporter")
            let s = try await F.act(t, "submit", story, as: reporter).json(F.StateOut.self)
            let fp = try XCTUnwrap(s.firstPass)
            XCTAssertEqual(fp.status, "not_run")
            XCTAssertEqual(fp.checker, "none")
            XCTAssertTrue(fp.message.contains("校对引擎尚未启用"))
            XCTAssertTrue(fp.findings.isEmpty)
            try await XCTAssertEqualAsync(try await FirstPassRecord.query(on: t.db).filter(\.$storyID == story).count(), 1)

            // Issue 5 only adds an implementation: it sees the story's text and its findings are shown.
            struct Typos: FirstPassChecker {
                var name: String { "test-typos" }
                func check(_ input: FirstPassInput, on app: Application) async throws -> FirstPassOutcome {
                    input.text.contains("花炮") ? .completed([FirstPassFinding(category: "typo", severity: "warning", message: "疑似错字", excerpt: "花炮", suggestion: "鞭炮")]) : .completed([])
                }
            }
            t.app.reviewFirstPass.use(Typos())
            try await F.act(t, "recall", story, as: reporter)
            let again = try await F.act(t, "submit", story, as: reporter).json(F.StateOut.self)
            XCTAssertEqual(again.firstPass?.status, "findings")
            XCTAssertEqual(again.firstPass?.round, 2)
            XCTAssertEqual(again.firstPass?.findings.first?.excerpt, "花炮")
            let page = try await t.send(.GET, "/review/stories/\(story)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(page.text.contains("疑似错字"))
        }
    }

    func testRemovingAnAIGCLabelNeedsThePermissionAndIsAudited() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter", aiStory: true, aiBlock: true)
            let reporter = try await t.token(for: "liuyang-reporter"), editor = try await t.token(for: "liuyang-editor")
            let chief = try await t.token(for: "liuyang-chief")
            let s = try await F.state(t, story, as: editor)
            XCTAssertEqual(s.aigcLabels.map(\.label), ["AI生成", "AI生成"])
            XCTAssertEqual(s.aigcLabels.map(\.target), ["story", "block"])
            XCTAssertEqual(s.aigcLabels[1].blockIndex, 1)
            XCTAssertEqual(s.aigcLabels[0].provider, "builtin"); XCTAssertEqual(s.aigcLabels[0].model, "textrank-summary")
            // Visible on the review page.
            let page = try await t.send(.GET, "/review/stories/\(story)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(page.text.contains(#"<span class="aigc-label" id="aigc-story-label""#))
            XCTAssertTrue(page.text.contains("aigc-block-label"))

            struct Remove: Encodable { var blockIndex: Int?; var reason: String }
            let path = "/api/v1/review/stories/\(story)/aigc-labels/remove"
            try await XCTAssertEqualAsync(try await t.send(.POST, path, json: Remove(blockIndex: nil, reason: "人工重写"), as: editor).status, .forbidden)
            try await XCTAssertEqualAsync(try await t.send(.POST, path, json: Remove(blockIndex: nil, reason: "人工重写"), as: reporter).status, .forbidden)
            let noReason = try await t.send(.POST, path, json: Remove(blockIndex: nil, reason: "  "), as: chief)
            XCTAssertEqual(noReason.status, .unprocessableEntity)
            XCTAssertEqual(try noReason.error().code, "invalid_reason")
            let removed = try await t.send(.POST, path, json: Remove(blockIndex: 1, reason: "该段已由记者重写"), as: chief)
            XCTAssertEqual(removed.status, .ok, removed.text)
            let after = try removed.json(F.StateOut.self)
            XCTAssertEqual(after.aigcLabels.map(\.visible), [true, false])
            XCTAssertEqual(after.aigcLabels[1].removedReason, "该段已由记者重写")
            XCTAssertEqual(after.aigcLabels[1].provider, "builtin", "the implicit metadata stays")
            try await XCTAssertEqualAsync(try await t.send(.POST, path, json: Remove(blockIndex: 1, reason: "再来一次"), as: chief).status, .conflict)
            try await XCTAssertEqualAsync(try await t.send(.POST, path, json: Remove(blockIndex: 0, reason: "无标识"), as: chief).status, .conflict)
            try await XCTAssertEqualAsync(try await t.send(.POST, path, json: Remove(blockIndex: 99, reason: "越界"), as: chief).status, .unprocessableEntity)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "aigc.label_remove").all()
            XCTAssertEqual(audit.count, 1)
            XCTAssertEqual(audit.first?.actorName, "liuyang-chief")
            XCTAssertTrue(audit.first?.summary.contains("该段已由记者重写") ?? false)
            XCTAssertEqual(after.history.last?.action, "label_remove")
        }
    }

    func testAnotherTenantsStoryIsNotFound() async throws {
        try await withTestApp { t in
            let other = try await F.story(t, by: "ningxiang-reporter")
            let ningxiang = try await t.token(for: "ningxiang-reporter")
            try await F.act(t, "submit", other, as: ningxiang)
            let editor = try await t.token(for: "liuyang-editor"), reporter = try await t.token(for: "liuyang-reporter")
            let chief = try await t.token(for: "liuyang-chief")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/stories/\(other)", as: editor).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/stories/\(other)/history", as: editor).status, .notFound)
            try await XCTAssertEqualAsync(try await F.act(t, "approve", other, as: editor, round: 1, stage: 0).status, .notFound)
            try await XCTAssertEqualAsync(try await F.act(t, "submit", other, as: reporter).status, .notFound)
            try await XCTAssertEqualAsync(try await F.act(t, "recall", other, as: reporter).status, .notFound)
            struct Remove: Encodable { var reason: String }
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/review/stories/\(other)/aigc-labels/remove", json: Remove(reason: "x"), as: chief).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/review/stories/\(other)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor")).status, .notFound)
            try await XCTAssertTrueAsync(try await t.send(.GET, "/api/v1/review/queue", as: editor).json(F.QueueOut.self).waiting.isEmpty)
            try await XCTAssertEqualAsync(try await F.state(t, other, as: ningxiang).state, "pending")
        }
    }

    func testPages() async throws {
        try await withTestApp { t in
            let story = try await F.story(t, by: "liuyang-reporter", headline: "<script>alert(1)</script>花炮")
            try await F.act(t, "submit", story, as: try await t.token(for: "liuyang-reporter"), comment: "<b>请审</b>")
            let editor = try await t.session(for: "liuyang-editor")
            let queue = try await t.send(.GET, "/review", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(queue.status, .ok)
            XCTAssertTrue(queue.text.contains("待我审核"))
            XCTAssertTrue(queue.text.contains("/review/stories/\(story)"))
            XCTAssertFalse(queue.text.contains("<script>alert(1)"), "user content is escaped")
            XCTAssertFalse(queue.text.contains("该模块尚未上线"))
            let page = try await t.send(.GET, "/review/stories/\(story)", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("未发现问题") || page.text.contains("发现问题"), "the engine's first pass is shown")
            for text in ["审核历史", "机器初审", "data-review-action=\"approve\"", "data-review-action=\"return\"", "初审", "&lt;b&gt;请审&lt;/b&gt;"] {
                XCTAssertTrue(page.text.contains(text), "missing \(text)")
            }
            XCTAssertFalse(page.text.contains("<b>请审</b>"))
            let en = try await t.send(.GET, "/review/stories/\(story)", headers: ["Accept": "text/html", "Cookie": "zm_lang=en; zm_session=\(editor.cookie!)"])
            XCTAssertTrue(en.text.contains("Review history"))
            let admin = try await t.session(for: "liuyang-admin")
            let settings = try await t.send(.GET, "/review/settings", headers: ["Accept": "text/html"], as: admin)
            XCTAssertEqual(settings.status, .ok)
            XCTAssertTrue(settings.text.contains("review-settings-form"))
            XCTAssertTrue(settings.text.contains("复审"))
            try await XCTAssertEqualAsync(try await t.send(.GET, "/review/settings", headers: ["Accept": "text/html"], as: editor).status, .forbidden)
        }
    }
}
