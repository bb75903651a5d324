import Fluent
import Vapor
import XCTest
import XCTVapor
import ZIPFoundation
@testable import Zhimei

/// Stories: blocks, rendering, versions, diffs, conflicts, locks, imports and exports, assist, tenancy.
final class StoriesTests: XCTestCase {
    struct StoryOut: Decodable {
        var id: UUID; var tenantId: UUID; var headline: String; var lead: String; var subtitle: String; var byline: String
        var body: [StoryBlock]; var status: String; var version: Int; var editable: Bool; var characters: Int; var topicId: UUID?
    }
    struct Summary: Decodable { var id: UUID; var headline: String }
    struct VersionOut: Decodable { var version: Int; var note: String; var authorName: String }
    struct Segment: Decodable { var op: String; var text: String }
    struct DiffOut: Decodable {
        struct Field: Decodable { var field: String; var changed: Bool; var segments: [Segment] }
        struct Block: Decodable { var change: String; var type: String; var segments: [Segment] }
        var fields: [Field]; var blocks: [Block]; var inserted: Int; var deleted: Int
    }
    struct LockOut: Decodable { var locked: Bool; var mine: Bool; var holderName: String?; var takenOverFrom: String? }
    struct ConflictOut: Decodable {
        struct Err: Decodable { var code: String; var message: String; var messageEn: String }
        var error: Err; var baseVersion: Int; var current: StoryOut; var submitted: Snapshot
        struct Snapshot: Decodable { var headline: String; var body: [StoryBlock] }
    }

    struct NewStory: Encodable { var headline: String; var lead: String? = nil; var tags: [String]? = nil; var body: [StoryBlock] }
    struct Save: Encodable { var baseVersion: Int; var headline: String; var lead: String? = nil; var body: [StoryBlock] }

    static func para(_ s: String) -> StoryBlock { .paragraph([InlineSpan(s)]) }

    func create(_ t: TestApp, _ actor: TestActor, headline: String, body: [StoryBlock], tags: [String]? = nil, lead: String? = nil) async throws -> StoryOut {
        let res = try await t.send(.POST, "/api/v1/stories", json: NewStory(headline: headline, lead: lead, tags: tags, body: body), as: actor)
        XCTAssertEqual(res.status, .created, res.text)
        return try res.json(StoryOut.self)
    }

    // MARK: Rendering

    func testRenderingEscapesHostileContent() throws {
        let id = UUID()
        let blocks: [StoryBlock] = [
            .paragraph([InlineSpan("<script>alert(1)</script>", bold: true), InlineSpan("点我", link: "javascript:alert(1)"),
                        InlineSpan("\"><img src=x onerror=alert(1)>", italic: true), InlineSpan("好链接", link: "https://example.com/?a=1&b=\"2\"")]),
            .heading(level: 2, [InlineSpan("<h1>标题</h1>")]),
            .table(rows: [["<b>表头</b>", "x"], ["<iframe>", "y"]], header: true),
            .image(key: "stories/x/\(UUID())", caption: "<svg onload=alert(1)>", alt: "\" onerror=\"alert(1)"),
            .embed(url: "javascript:alert(1)"),
            .video(src: "javascript:alert(1)"),
        ]
        let html = StoryRenderer.html(blocks, storyID: id)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<img src=x"))
        XCTAssertFalse(html.contains("<iframe"))
        XCTAssertFalse(html.contains("<svg"))
        XCTAssertFalse(html.contains("javascript:"), html)
        XCTAssertFalse(html.contains("onerror=\""), html)
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("<strong>&lt;script&gt;"))
        XCTAssertTrue(html.contains("<a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\""))
        XCTAssertTrue(html.contains("<th>&lt;b&gt;表头&lt;/b&gt;</th>"))
        // Validation refuses unsafe links and foreign media outright.
        XCTAssertThrowsError(try StoryValidation.blocks([.paragraph([InlineSpan("x", link: "javascript:alert(1)")])], tenantID: id))
        XCTAssertThrowsError(try StoryValidation.blocks([.paragraph([InlineSpan("x", link: "data:text/html,<script>")])], tenantID: id))
        XCTAssertThrowsError(try StoryValidation.blocks([.embed(url: "https://evil.example.com/x")], tenantID: id))
        XCTAssertThrowsError(try StoryValidation.blocks([.image(key: "stories/\(UUID())/\(UUID())")], tenantID: id))
        XCTAssertNoThrow(try StoryValidation.blocks([.embed(url: "https://player.bilibili.com/player.html?bvid=1"),
                                                     .paragraph([InlineSpan("信", link: "mailto:news@example.com")])], tenantID: id))
        // NUL and control characters never reach the database.
        let cleaned = try StoryValidation.blocks([.paragraph([InlineSpan("a\u{0}b\u{7}c")])], tenantID: id)
        XCTAssertEqual(cleaned.first?.plainText, "abc")
    }

    func testBlockJSONShapeRoundTrips() throws {
        let label = AIGCLabel(provider: "builtin", model: "textrank", generatedAt: Date(timeIntervalSince1970: 1_800_000_000))
        let blocks: [StoryBlock] = [
            .paragraph([InlineSpan("正文", bold: true), InlineSpan("链接", link: "https://a.cn")], aigc: label),
            .heading(level: 3, [InlineSpan("小标题")]), .quote([InlineSpan("引文")], attribution: "某人"),
            .list(ordered: true, items: [[InlineSpan("一")], [InlineSpan("二")]]), .image(key: "k", caption: "c", alt: "a"),
            .video(src: "https://v.cn/1.mp4"), .audio(src: "https://a.cn/1.mp3", caption: "音"), .table(rows: [["a", "b"]], header: true),
            .embed(url: "https://v.qq.com/x", caption: "嵌入"),
        ]
        let data = try JSONEncoder().encode(blocks)
        XCTAssertEqual(try JSONDecoder().decode([StoryBlock].self, from: data), blocks)
        let json = String(decoding: try JSONEncoder().encode(blocks[0]), as: UTF8.self)
        XCTAssertTrue(json.contains("\"type\":\"paragraph\""), json)
        XCTAssertEqual(blocks[0].aigc, label)
        XCTAssertNil(blocks[0].withAIGC(nil).aigc)
    }

    // MARK: Diff

    func testChineseCharacterDiff() {
        let segments = StoryDiff.text("融媒体中心", "融媒中心")
        XCTAssertEqual(segments, [DiffSegment(op: .equal, text: "融媒"), DiffSegment(op: .delete, text: "体"), DiffSegment(op: .equal, text: "中心")])
        let changed = StoryDiff.text("浏阳市花炮产业出口增长", "浏阳花炮产业出口大幅增长")
        XCTAssertEqual(changed.filter { $0.op == .delete }.map(\.text), ["市"])
        XCTAssertEqual(changed.filter { $0.op == .insert }.map(\.text), ["大幅"])
        // Random edits: the script always rebuilds both sides.
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("融媒体中心浏阳花炮新闻ab，。")
        for _ in 0..<200 {
            let a = String((0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let b = String((0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let d = StoryDiff.text(a, b)
            XCTAssertEqual(d.filter { $0.op != .insert }.map(\.text).joined(), a)
            XCTAssertEqual(d.filter { $0.op != .delete }.map(\.text).joined(), b)
        }
        XCTAssertEqual(StoryDiff.html([DiffSegment(op: .insert, text: "<b>"), DiffSegment(op: .delete, text: "&")]), "<ins>&lt;b&gt;</ins><del>&amp;</del>")
    }

    // MARK: Versions, diff, restore

    func testCreateUpdateVersionsDiffAndRestore() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let created = try await create(t, editor, headline: "浏阳融媒体中心启用新平台", body: [Self.para("浏阳市融媒体中心今天启用新平台。"), Self.para("第二段不变。")])
            XCTAssertEqual(created.version, 1)
            XCTAssertEqual(created.status, "draft")
            let liuyang = try await t.tenant("liuyang").requireID()
            XCTAssertEqual(created.tenantId, liuyang)

            let saved = try await t.send(.PUT, "/api/v1/stories/\(created.id)", json: Save(baseVersion: 1, headline: "浏阳融媒中心启用新平台",
                                                                                          body: [Self.para("浏阳市融媒中心今天启用新平台。"), Self.para("第二段不变。"), Self.para("新增一段。")]), as: editor)
            XCTAssertEqual(saved.status, .ok, saved.text)
            XCTAssertEqual(try saved.json(StoryOut.self).version, 2)

            let versions = try await t.send(.GET, "/api/v1/stories/\(created.id)/versions", as: editor).json([VersionOut].self)
            XCTAssertEqual(versions.map(\.version), [2, 1])
            XCTAssertEqual(versions.last?.note, "create")

            let diff = try await t.send(.GET, "/api/v1/stories/\(created.id)/diff?from=1&to=2", as: editor).json(DiffOut.self)
            let headline = try XCTUnwrap(diff.fields.first { $0.field == "headline" })
            XCTAssertTrue(headline.changed)
            XCTAssertEqual(headline.segments.filter { $0.op == "delete" }.map(\.text), ["体"])
            XCTAssertEqual(headline.segments.filter { $0.op == "insert" }.count, 0)
            XCTAssertEqual(diff.blocks.map(\.change), ["modified", "equal", "added"])
            XCTAssertEqual(diff.blocks[0].segments.map(\.op), ["equal", "delete", "equal"])
            XCTAssertEqual(diff.blocks[0].segments[1].text, "体")
            XCTAssertEqual(diff.deleted, 2)
            XCTAssertEqual(diff.inserted, "新增一段。".unicodeScalars.count)

            let restored = try await t.send(.POST, "/api/v1/stories/\(created.id)/restore", json: ["version": 1], as: editor)
            XCTAssertEqual(restored.status, .ok, restored.text)
            let r = try restored.json(StoryOut.self)
            XCTAssertEqual(r.version, 3)
            XCTAssertEqual(r.headline, "浏阳融媒体中心启用新平台")
            XCTAssertEqual(r.body, created.body)
            let notes = try await t.send(.GET, "/api/v1/stories/\(created.id)/versions", as: editor).json([VersionOut].self)
            XCTAssertEqual(notes.first?.note, "restore:1")
            // Each save is audited.
            let audits = try await AuditEntry.query(on: t.db).filter(\.$targetID == created.id.uuidString).all().map(\.action)
            XCTAssertEqual(audits.filter { $0 == "story.save" }.count, 2)
            XCTAssertTrue(audits.contains("story.create"))
            // Bad input: missing base version, unknown version, hostile link.
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/stories/\(created.id)", raw: #"{"headline":"x"}"#, as: editor).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/stories/\(created.id)/diff?from=1&to=99", as: editor).status, .notFound)
            let hostile = try await t.send(.PUT, "/api/v1/stories/\(created.id)", raw: #"{"base_version":3,"headline":"x","body":[{"type":"paragraph","spans":[{"text":"x","link":"javascript:alert(1)"}]}]}"#, as: editor)
            XCTAssertEqual(hostile.status, .unprocessableEntity)
            _ = try hostile.error()
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/stories/\(created.id)", raw: #"{"base_version":3,"headline":"x","body":[{"type":"nope"}]}"#, as: editor).status, .badRequest)
        }
    }

    func testStaleBaseVersionIsAConflictWithBothVersions() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let reporter = try await t.token(for: "liuyang-reporter")
            let s = try await create(t, editor, headline: "冲突测试", body: [Self.para("原文")])
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "冲突测试", body: [Self.para("编辑甲的修改")]), as: editor).status, .ok)
            let stale = try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "冲突测试", body: [Self.para("记者乙的修改")]), as: reporter)
            XCTAssertEqual(stale.status, .conflict)
            let conflict = try stale.json(ConflictOut.self)
            XCTAssertEqual(conflict.error.code, "version_conflict")
            XCTAssertFalse(conflict.error.messageEn.isEmpty)
            XCTAssertEqual(conflict.baseVersion, 1)
            XCTAssertEqual(conflict.current.version, 2)
            XCTAssertEqual(conflict.current.body, [Self.para("编辑甲的修改")])
            XCTAssertEqual(conflict.submitted.body, [Self.para("记者乙的修改")])
            // A retried save of content that already is the current version is not a conflict (and adds no version).
            let retried = try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "冲突测试", body: [Self.para("编辑甲的修改")]), as: editor)
            XCTAssertEqual(retried.status, .ok, retried.text)
            XCTAssertEqual(try retried.json(StoryOut.self).version, 2)
            // Nothing was overwritten.
            let now = try await t.send(.GET, "/api/v1/stories/\(s.id)", as: editor).json(StoryOut.self)
            XCTAssertEqual(now.version, 2)
            XCTAssertEqual(now.body, [Self.para("编辑甲的修改")])
        }
    }

    func testEditLockAndTakeOver() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let reporter = try await t.token(for: "liuyang-reporter")
            let s = try await create(t, editor, headline: "锁测试", body: [Self.para("原文")])
            let mine = try await t.send(.POST, "/api/v1/stories/\(s.id)/lock", raw: "{}", as: editor).json(LockOut.self)
            XCTAssertTrue(mine.locked && mine.mine)
            // Another writer cannot save or lock without taking over.
            let blocked = try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "锁测试", body: [Self.para("抢写")]), as: reporter)
            XCTAssertEqual(blocked.status, .conflict)
            XCTAssertEqual(try blocked.error().code, "story_locked")
            let refused = try await t.send(.POST, "/api/v1/stories/\(s.id)/lock", raw: "{}", as: reporter)
            XCTAssertEqual(refused.status, .conflict)
            XCTAssertTrue(try refused.error().message.contains("正在编辑"))
            let state = try await t.send(.GET, "/api/v1/stories/\(s.id)/lock", as: reporter).json(LockOut.self)
            XCTAssertTrue(state.locked)
            XCTAssertFalse(state.mine)
            // Take-over: recorded, and the previous holder's heartbeat learns about it.
            let taken = try await t.send(.POST, "/api/v1/stories/\(s.id)/lock", raw: #"{"take_over":true}"#, as: reporter).json(LockOut.self)
            XCTAssertTrue(taken.mine)
            XCTAssertNotNil(taken.takenOverFrom)
            let lost = try await t.send(.POST, "/api/v1/stories/\(s.id)/lock/heartbeat", as: editor)
            XCTAssertEqual(lost.status, .conflict)
            XCTAssertEqual(try lost.error().code, "lock_lost")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/stories/\(s.id)/lock/heartbeat", as: reporter).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "锁测试", body: [Self.para("接管后保存")]), as: reporter).status, .ok)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "story.lock_takeover").first()
            XCTAssertEqual(audit?.targetID, s.id.uuidString)
            let editorID = try await t.user("liuyang-editor").requireID()
            let notice = try await AppNotification.query(on: t.db).filter(\.$userID == editorID).filter(\.$kind == "story.lock_takeover").first()
            XCTAssertEqual(notice?.link, "/stories/\(s.id.uuidString)")
            XCTAssertTrue(notice?.title.contains("接管") ?? false)
            // Release; the editor may lock again.
            let released = try await t.send(.DELETE, "/api/v1/stories/\(s.id)/lock", as: reporter).json(LockOut.self)
            XCTAssertFalse(released.locked)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/stories/\(s.id)/lock", raw: "{}", as: editor).status, .ok)
        }
    }

    func testStoryInReviewCannotBeEdited() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let s = try await create(t, editor, headline: "送审稿件", body: [Self.para("原文")])
            let story = try await XCTUnwrapAsync(try await Story.find(s.id, on: t.db))
            let req = Request(application: t.app, on: t.app.eventLoopGroup.next())
            try await StoryService.setStatus(story, .inReview, on: req)
            XCTAssertEqual(story.version, 1)
            let res = try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "改", body: [Self.para("改")]), as: editor)
            XCTAssertEqual(res.status, .conflict)
            let error = try res.error()
            XCTAssertEqual(error.code, "story_in_review")
            XCTAssertTrue(error.message.contains("稿件审核中"))
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/stories/\(s.id)/lock", raw: "{}", as: editor).status, .conflict)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/stories/\(s.id)/restore", json: ["version": 1], as: editor).status, .conflict)
            let got = try await t.send(.GET, "/api/v1/stories/\(s.id)", as: editor).json(StoryOut.self)
            XCTAssertEqual(got.status, "in_review")
            XCTAssertFalse(got.editable)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "story.status").first()
            XCTAssertEqual(audit?.targetID, s.id.uuidString)
            // Returned: editable again.
            try await StoryService.setStatus(story, .returned, on: req)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "改", body: [Self.para("改")]), as: editor).status, .ok)
            let reloaded = try await XCTUnwrapAsync(try await Story.find(s.id, on: t.db))
            XCTAssertTrue(StoryService.plainText(reloaded).contains("改"))
        }
    }

    func testAnotherTenantsStoryIsNotFound() async throws {
        try await withTestApp { t in
            let liuyang = try await t.token(for: "liuyang-editor")
            let ningxiang = try await t.token(for: "ningxiang-editor")
            let s = try await create(t, liuyang, headline: "浏阳独家", body: [Self.para("内容")])
            for (method, path) in [(HTTPMethod.GET, ""), (.GET, "/versions"), (.GET, "/diff"), (.GET, "/export/docx"), (.GET, "/export/txt"), (.POST, "/lock"), (.POST, "/assist")] {
                try await XCTAssertEqualAsync(try await t.send(method, "/api/v1/stories/\(s.id)\(path)", raw: method == .POST ? "{}" : nil, as: ningxiang).status, .notFound, path)
            }
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "x", body: []), as: ningxiang).status, .notFound)
            let list = try await t.send(.GET, "/api/v1/stories", as: ningxiang).json([Summary].self)
            XCTAssertFalse(list.contains { $0.id == s.id })
            let own = try await t.send(.GET, "/api/v1/stories?mine=true", as: liuyang).json([Summary].self)
            XCTAssertEqual(own.map(\.id), [s.id])
            // A payload naming another tenant is refused.
            let other = try await t.tenant("ningxiang").requireID()
            let res = try await t.send(.POST, "/api/v1/stories", raw: #"{"headline":"越权","tenant_id":"\#(other)"}"#, as: liuyang)
            XCTAssertEqual(res.status, .forbidden)
        }
    }

    func testLongStoriesFitTheBodyLimit() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let s = try await create(t, editor, headline: "长稿", body: [Self.para("短")])
            // 497,500 characters of 4-byte UTF-8 (over the 2 MB default request limit, under the 500,000-character story limit).
            let long = (0..<2500).map { _ in Self.para(String(repeating: "𠀀", count: 199)) }
            let res = try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "长稿", body: long), as: editor)
            XCTAssertEqual(res.status, .ok, String(res.text.prefix(300)))
            XCTAssertEqual(try res.json(StoryOut.self).body.count, 2500)
            // Over a real socket (where the request-size limit applies): a 2.1 MB body reaches the handler (not the
            // platform's 2 MB cap), and one block over the story limit is refused with a bilingual 413 of our own.
            let tooLong = long + [Self.para(String(repeating: "字", count: 2600))]
            let refused = try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 2, headline: "长稿", body: tooLong), as: editor, overNetwork: true)
            XCTAssertEqual(refused.status, .payloadTooLarge)
            XCTAssertEqual(try refused.error().code, "story_too_long")
        }
    }

    func testStoryForATopic() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            struct TopicOut: Decodable { var id: UUID }
            let topicRes = try await t.send(.POST, "/api/v1/topics", raw: #"{"title":"花炮安全生产专题"}"#, as: reporter)
            XCTAssertEqual(topicRes.status, .created, topicRes.text)
            let topic = try topicRes.json(TopicOut.self)
            let res = try await t.send(.POST, "/api/v1/stories", raw: #"{"topic_id":"\#(topic.id)"}"#, as: reporter)
            XCTAssertEqual(res.status, .created, res.text)
            let s = try res.json(StoryOut.self)
            XCTAssertEqual(s.topicId, topic.id)
            XCTAssertEqual(s.headline, "花炮安全生产专题")
            let page = try await t.send(.GET, "/stories/new?topic_id=\(topic.id)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-reporter"))
            XCTAssertTrue(page.text.contains("花炮安全生产专题"))
            // Another tenant's topic is not found; nothing is created.
            let other = try await t.send(.POST, "/api/v1/stories", raw: #"{"headline":"x","topic_id":"\#(topic.id)"}"#, as: try await t.token(for: "ningxiang-reporter"))
            XCTAssertEqual(other.status, .notFound)
            try await XCTAssertEqualAsync(try await Story.query(on: t.db).count(), 1)
        }
    }

    // MARK: Import and export

    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")!

    /// A DOCX written by hand the way Word structures it: styles, numbering, a table and an image.
    static func sampleDocx() throws -> Data {
        let w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
        let document = """
        <?xml version="1.0" encoding="UTF-8"?><w:document \(w) xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>
        <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>花炮产业调查</w:t></w:r></w:p>
        <w:p><w:r><w:t xml:space="preserve">浏阳花炮</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>出口增长</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>三成</w:t></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>。</w:t></w:r></w:p>
        <w:p><w:pPr><w:pStyle w:val="2"/></w:pPr><w:r><w:t>市场分析</w:t></w:r></w:p>
        <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>第一项</w:t></w:r></w:p>
        <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>第二项</w:t></w:r></w:p>
        <w:tbl><w:tr><w:tc><w:p><w:r><w:t>年份</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>产值</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>2025</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>300亿</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
        <w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="p" descr="烟花"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
        <w:p><w:hyperlink r:id="rId10"><w:r><w:t>坏链接</w:t></w:r></w:hyperlink><w:hyperlink r:id="rId11"><w:r><w:t>好链接</w:t></w:r></w:hyperlink></w:p>
        </w:body></w:document>
        """
        let rels = """
        <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/><Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="javascript:alert(1)" TargetMode="External"/><Relationship Id="rId11" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.liuyang.gov.cn/" TargetMode="External"/></Relationships>
        """
        let styles = "<?xml version=\"1.0\"?><w:styles \(w)><w:style w:type=\"paragraph\" w:styleId=\"2\"><w:name w:val=\"heading 2\"/></w:style></w:styles>"
        let numbering = "<?xml version=\"1.0\"?><w:numbering \(w)><w:abstractNum w:abstractNumId=\"3\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"decimal\"/></w:lvl></w:abstractNum><w:num w:numId=\"5\"><w:abstractNumId w:val=\"3\"/></w:num></w:numbering>"
        return try zip([("[Content_Types].xml", Data("<Types/>".utf8)), ("word/document.xml", Data(document.utf8)), ("word/_rels/document.xml.rels", Data(rels.utf8)),
                        ("word/styles.xml", Data(styles.utf8)), ("word/numbering.xml", Data(numbering.utf8)), ("word/media/image1.png", png)])
    }

    static func zip(_ entries: [(String, Data)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
                data.subdata(in: Int(pos)..<min(Int(pos) + size, data.count))
            }
        }
        return archive.data!
    }

    /// Sends a multipart upload (binary-safe).
    static func upload(_ t: TestApp, _ path: String, file: Data, filename: String, fields: [String: String] = [:], as actor: TestActor) async throws -> TestingHTTPResponse {
        let boundary = "zhimei-\(UUID().uuidString)"
        var body = Data()
        for (k, v) in fields { body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8) }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += file
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        headers.replaceOrAdd(name: .accept, value: "application/json")
        actor.authorize(&headers, csrf: true)
        return try await t.app.testable().performTest(request: TestingHTTPRequest(method: .POST, url: URI(path: path), headers: headers, body: ByteBuffer(data: body)))
    }

    func testDocxImportProducesBlocks() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let res = try await Self.upload(t, "/api/v1/stories/import", file: try Self.sampleDocx(), filename: "调查.docx", as: reporter)
            XCTAssertEqual(res.status, .created, res.text)
            let s = try res.json(StoryOut.self)
            XCTAssertEqual(s.headline, "花炮产业调查")   // the first Heading 1 becomes the headline
            XCTAssertEqual(s.body.map(\.kind), [.paragraph, .heading, .list, .table, .image, .paragraph])
            XCTAssertEqual(s.body[0], .paragraph([InlineSpan("浏阳花炮"), InlineSpan("出口增长", bold: true), InlineSpan("三成", italic: true), InlineSpan("。")]))
            XCTAssertEqual(s.body[1], .heading(level: 2, [InlineSpan("市场分析")]))
            XCTAssertEqual(s.body[2], .list(ordered: true, items: [[InlineSpan("第一项")], [InlineSpan("第二项")]]))
            XCTAssertEqual(s.body[3], .table(rows: [["年份", "产值"], ["2025", "300亿"]], header: true))
            guard case .image(let key, _, let alt, _) = s.body[4] else { return XCTFail("no image") }
            XCTAssertEqual(alt, "烟花")
            try await XCTAssertEqualAsync(try await t.app.zhimei.blobs.get(key), Self.png)
            XCTAssertEqual(s.body[5], .paragraph([InlineSpan("坏链接"), InlineSpan("好链接", link: "https://www.liuyang.gov.cn/")]))
            // The image is served to the tenant only.
            let id = key.split(separator: "/").last!
            let img = try await t.send(.GET, "/api/v1/stories/\(s.id)/media/\(id)", as: reporter)
            XCTAssertEqual(img.status, .ok)
            XCTAssertEqual(img.headers.contentType?.description, "image/png")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/stories/\(s.id)/media/\(id)", as: try await t.token(for: "ningxiang-editor")).status, .notFound)
            let versions = try await t.send(.GET, "/api/v1/stories/\(s.id)/versions", as: reporter).json([VersionOut].self)
            XCTAssertEqual(versions.first?.note, "import:docx")
        }
    }

    func testDocxExportRoundTripAndText() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let draft = try await create(t, editor, headline: "出口<增长>", body: [Self.para("占位")])
            let media = try await Self.upload(t, "/api/v1/stories/\(draft.id)/media", file: Self.png, filename: "a.png", as: editor)
            XCTAssertEqual(media.status, .created, media.text)
            struct MediaOut: Decodable { var key: String }
            let key = try media.json(MediaOut.self).key
            let body: [StoryBlock] = [
                .heading(level: 2, [InlineSpan("一、总体情况")]),
                .paragraph([InlineSpan("浏阳花炮"), InlineSpan("出口", bold: true), InlineSpan("增长 & <稳定>", italic: true), InlineSpan("官网", link: "https://www.liuyang.gov.cn/")]),
                .list(ordered: false, items: [[InlineSpan("甲")], [InlineSpan("乙")]]),
                .list(ordered: true, items: [[InlineSpan("一")], [InlineSpan("二")]]),
                .table(rows: [["年份", "产值"], ["2025", "300亿"]], header: true),
                .image(key: key, caption: "", alt: "烟花"),
                .quote([InlineSpan("引用一句话")]),
            ]
            let saved = try await t.send(.PUT, "/api/v1/stories/\(draft.id)", json: Save(baseVersion: 1, headline: "出口<增长>", lead: "导语一句。", body: body), as: editor)
            XCTAssertEqual(saved.status, .ok, saved.text)
            let docx = try await t.send(.GET, "/api/v1/stories/\(draft.id)/export/docx", as: editor)
            XCTAssertEqual(docx.status, .ok)
            XCTAssertEqual(docx.headers.contentType?.description, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            let data = Data(buffer: docx.body)
            // The package has the parts Word needs.
            let archive = try Archive(data: data, accessMode: .read)
            for part in ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml", "word/numbering.xml"] {
                XCTAssertNotNil(archive[part], part)
            }
            // Re-import: the same blocks come back.
            let back = try await Self.upload(t, "/api/v1/stories/import", file: data, filename: "x.docx", as: editor)
            XCTAssertEqual(back.status, .created, back.text)
            let again = try back.json(StoryOut.self)
            XCTAssertEqual(again.headline, "出口<增长>")
            XCTAssertEqual(again.lead, "导语一句。")
            XCTAssertEqual(again.body.count, body.count)
            for (x, y) in Swift.zip(again.body, body) {
                if case .image(_, _, let alt, _) = x { XCTAssertEqual(alt, "烟花"); continue }
                XCTAssertEqual(x, y)
            }
            let text = try await t.send(.GET, "/api/v1/stories/\(draft.id)/export/txt", as: editor)
            XCTAssertEqual(text.status, .ok)
            XCTAssertTrue(text.text.hasPrefix("出口<增长>\n\n导语一句。"))
            XCTAssertTrue(text.text.contains("1. 一\n2. 二"))
        }
    }

    func testCorruptDocxAndZipBombsAreRejected() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            var corrupt = Data([0x50, 0x4B, 0x03, 0x04])
            corrupt += Data((0..<5000).map { _ in UInt8.random(in: 0...255) })
            let r1 = try await Self.upload(t, "/api/v1/stories/import", file: corrupt, filename: "坏.docx", as: editor)
            XCTAssertEqual(r1.status, .unprocessableEntity, r1.text)
            XCTAssertEqual(try r1.error().code, "docx_corrupt")
            // A ZIP without word/document.xml.
            let r2 = try await Self.upload(t, "/api/v1/stories/import", file: try Self.zip([("hello.txt", Data("hi".utf8))]), filename: "x.docx", as: editor)
            XCTAssertEqual(try r2.error().code, "docx_corrupt")
            // A bomb: 60 MB of zeros deflates to ~60 KB (ratio ~1000:1).
            let zeros = Data(count: 60 * 1024 * 1024)
            let bomb = try Self.zip([("word/document.xml", zeros)])
            XCTAssertLessThan(bomb.count, 1_000_000)
            let r3 = try await Self.upload(t, "/api/v1/stories/import", file: bomb, filename: "bomb.docx", as: editor)
            XCTAssertEqual(r3.status, .unprocessableEntity)
            let e3 = try r3.error()
            XCTAssertEqual(e3.code, "docx_rejected")
            XCTAssertTrue(e3.message.contains("压缩炸弹"))
            // 5 MB at a high ratio (under the size limits) is refused by the ratio check.
            let ratio = try Self.zip([("word/document.xml", Data(count: 5 * 1024 * 1024))])
            try await XCTAssertEqualAsync(try await Self.upload(t, "/api/v1/stories/import", file: ratio, filename: "r.docx", as: editor).error().code, "docx_rejected")
            // Headers that lie: the sizes say 1 KB, the entry inflates to 60 MB. Inflating stops at the declared size.
            var liar = [UInt8](bomb)
            func patch(_ signature: [UInt8], sizeOffset: Int) {
                var i = 0
                while i + 4 <= liar.count {
                    if Array(liar[i..<(i + 4)]) == signature {
                        for (k, b) in [UInt8(0x00), 0x04, 0x00, 0x00].enumerated() { liar[i + sizeOffset + k] = b }   // 1024
                    }
                    i += 1
                }
            }
            patch([0x50, 0x4B, 0x03, 0x04], sizeOffset: 22)   // local file header: uncompressed size
            patch([0x50, 0x4B, 0x01, 0x02], sizeOffset: 24)   // central directory: uncompressed size
            let r4 = try await Self.upload(t, "/api/v1/stories/import", file: Data(liar), filename: "liar.docx", as: editor)
            XCTAssertEqual(r4.status, .unprocessableEntity, r4.text)
            XCTAssertTrue(["docx_rejected", "docx_corrupt"].contains(try r4.error().code))
            XCTAssertTrue(try r4.error().code == "docx_rejected", r4.text)
            // Path traversal names.
            let traversal = try Self.zip([("word/document.xml", Data("<w:document/>".utf8)), ("../../etc/evil", Data("x".utf8))])
            try await XCTAssertEqualAsync(try await Self.upload(t, "/api/v1/stories/import", file: traversal, filename: "t.docx", as: editor).error().code, "docx_rejected")
            // Not multipart → 415; nothing was created.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/stories/import", raw: "{}", as: editor).status, .unsupportedMediaType)
            try await XCTAssertEqualAsync(try await Story.query(on: t.db).count(), 0)
        }
    }

    func testHTMLAndMarkdownImportsStripHostileContent() async throws {
        let html = """
        <html><head><style>p{color:red}</style><script>alert(1)</script></head><body>
        <h1 class="MsoTitle" style="x">标题<script>evil()</script></h1>
        <p class=MsoNormal onclick="alert(1)"><b>粗体</b>普通<i>斜体</i><a href="javascript:alert(1)">坏链接</a><a href="https://a.cn/x">好链接</a><o:p></o:p></p>
        <ul><li>一</li><li>二<ul><li>二点一</li></ul></li></ul>
        <blockquote>引文</blockquote>
        <table><tr><th>甲</th><th>乙</th></tr><tr><td>1</td><td>2</td></tr></table>
        <img src="javascript:alert(1)" onerror="alert(1)"><iframe src="https://evil"></iframe>
        <p style="background:url(javascript:alert(1)); width: expression(alert(1))">&lt;script&gt;文本&amp;</p>
        </body></html>
        """
        let blocks = HTMLImporter.parse(html).compactMap { if case .block(let b) = $0 { return b } else { return nil } }
        XCTAssertEqual(blocks, [
            .heading(level: 1, [InlineSpan("标题")]),
            .paragraph([InlineSpan("粗体", bold: true), InlineSpan("普通"), InlineSpan("斜体", italic: true), InlineSpan("坏链接"), InlineSpan("好链接", link: "https://a.cn/x")]),
            .list(ordered: false, items: [[InlineSpan("一")], [InlineSpan("二")], [InlineSpan("二点一")]]),
            .quote([InlineSpan("引文")]),
            .table(rows: [["甲", "乙"], ["1", "2"]], header: true),
            .paragraph([InlineSpan("<script>文本&")]),
        ])
        let md = """
        # 大标题

        第一段**加粗**和*斜体*，[链接](https://a.cn)与[坏](javascript:alert(1))。
        续行。

        ## 小标题
        > 引用
        - 甲
        - 乙

        1. 一
        2. 二

        | 年 | 值 |
        |---|---|
        | 2025 | **300** |

        <script>alert(1)</script>

        ![图](https://a.cn/p.png)
        """
        let mdBlocks = MarkdownImporter.parse(md).compactMap { if case .block(let b) = $0 { return b } else { return nil } }
        XCTAssertEqual(mdBlocks, [
            .heading(level: 1, [InlineSpan("大标题")]),
            .paragraph([InlineSpan("第一段"), InlineSpan("加粗", bold: true), InlineSpan("和"), InlineSpan("斜体", italic: true), InlineSpan("，"),
                        InlineSpan("链接", link: "https://a.cn"), InlineSpan("与坏。续行。")]),
            .heading(level: 2, [InlineSpan("小标题")]),
            .quote([InlineSpan("引用")]),
            .list(ordered: false, items: [[InlineSpan("甲")], [InlineSpan("乙")]]),
            .list(ordered: true, items: [[InlineSpan("一")], [InlineSpan("二")]]),
            .table(rows: [["年", "值"], ["2025", "300"]], header: true),
            .paragraph([InlineSpan("图片：图", link: "https://a.cn/p.png")]),
        ])
        // Through the API: paste conversion and file import.
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            struct Convert: Encodable { var format: String; var content: String }
            struct BlocksOut: Decodable { var blocks: [StoryBlock] }
            let res = try await t.send(.POST, "/api/v1/stories/convert", json: Convert(format: "html", content: "<p onmouseover=x>粘贴<script>alert(1)</script><a href='javascript:void(0)'>链</a></p>"), as: editor)
            XCTAssertEqual(res.status, .ok, res.text)
            XCTAssertEqual(try res.json(BlocksOut.self).blocks, [.paragraph([InlineSpan("粘贴链")])])
            let imported = try await Self.upload(t, "/api/v1/stories/import", file: Data(md.utf8), filename: "稿件.md", as: editor)
            XCTAssertEqual(imported.status, .created, imported.text)
            let s = try imported.json(StoryOut.self)
            XCTAssertEqual(s.headline, "大标题")
            XCTAssertFalse(try JSONEncoder().encode(s.body).description.isEmpty)
            XCTAssertFalse(String(decoding: try JSONEncoder().encode(s.body), as: UTF8.self).contains("javascript"))
            let htmlOut = try await t.send(.GET, "/api/v1/stories/\(s.id)/html", as: editor)
            XCTAssertFalse(htmlOut.text.contains("<script"))
        }
    }

    // MARK: Assist

    func testAssistReturnsSummaryHeadlinesKeywordsAndRelated() async throws {
        guard TestApp.textDataDirectory != nil else { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let text = "浏阳花炮产业今年出口额同比增长三成。浏阳市花炮企业积极开拓欧美市场，花炮出口订单排到了年底。业内人士表示，花炮产业转型升级带动了出口增长，安全生产水平也不断提高。"
            let earlier = try await create(t, editor, headline: "浏阳花炮出口订单排到年底", body: [Self.para("花炮企业忙生产，出口订单饱满。")], tags: ["花炮"])
            _ = try await create(t, editor, headline: "宁静的乡村图书馆", body: [Self.para("乡村图书馆开放。")])
            let other = try await create(t, try await t.token(for: "ningxiang-editor"), headline: "宁乡花炮出口", body: [Self.para("花炮出口。")])
            let s = try await create(t, editor, headline: "花炮产业出口增长", body: [Self.para(text)], lead: "浏阳花炮出口增长三成。")
            struct AssistOut: Decodable {
                struct K: Decodable { var word: String }
                struct R: Decodable { var id: UUID; var headline: String }
                struct L: Decodable { var provider: String; var model: String }
                var summary: String; var headlines: [String]; var keywords: [K]; var tags: [String]; var related: [R]
                var characters: Int; var readingMinutes: Int; var aigc: L
            }
            let res = try await t.send(.POST, "/api/v1/stories/\(s.id)/assist", raw: "{}", as: editor)
            XCTAssertEqual(res.status, .ok, res.text)
            let a = try res.json(AssistOut.self)
            XCTAssertFalse(a.summary.isEmpty)
            XCTAssertTrue((3...5).contains(a.headlines.count), "\(a.headlines)")
            XCTAssertEqual(Set(a.headlines).count, a.headlines.count)
            XCTAssertTrue(a.headlines.allSatisfy { $0.count <= 30 })
            XCTAssertTrue(a.keywords.map(\.word).contains("花炮"), "\(a.keywords.map(\.word))")
            XCTAssertFalse(a.tags.isEmpty)
            XCTAssertEqual(a.related.first?.id, earlier.id)
            XCTAssertFalse(a.related.contains { $0.id == other.id || $0.id == s.id })
            XCTAssertEqual(a.characters, StoryAssist.countCharacters(StoryService.plainText(headline: "花炮产业出口增长", subtitle: "", lead: "浏阳花炮出口增长三成。", body: [Self.para(text)])))
            XCTAssertEqual(a.readingMinutes, 1)
            XCTAssertEqual(a.aigc.provider, "builtin")
            // Unsaved content from the editor is analysed instead of the stored version.
            let unsaved = try await t.send(.POST, "/api/v1/stories/\(s.id)/assist", json: NewStory(headline: "图书馆", body: [Self.para("乡村图书馆开放，村民读书热情高。")]), as: editor).json(AssistOut.self)
            XCTAssertTrue(unsaved.keywords.map(\.word).contains("图书馆"), "\(unsaved.keywords.map(\.word))")
        }
        XCTAssertEqual(StoryAssist.countCharacters("浏阳 news 2025年，好！"), 6)
        XCTAssertEqual(StoryAssist.readingMinutes(900), 2)
        XCTAssertEqual(StoryAssist.readingMinutes(0), 0)
    }

    // MARK: Pages

    func testPagesRender() async throws {
        try await withTestApp { t in
            let editor = try await t.session(for: "liuyang-editor")
            let s = try await create(t, try await t.token(for: "liuyang-editor"), headline: "<b>页面</b>测试", body: [.paragraph([InlineSpan("<script>x</script>正文")])])
            try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "<b>页面</b>测试", body: [Self.para("改过的正文")]), as: try await t.token(for: "liuyang-editor"))
            for path in ["/stories", "/stories?status=draft&mine=1", "/stories/new", "/stories/\(s.id)", "/stories/\(s.id)/edit", "/stories/\(s.id)/versions?from=1&to=2"] {
                let res = try await t.send(.GET, path, headers: ["Accept": "text/html"], as: editor)
                XCTAssertEqual(res.status, .ok, path)
                XCTAssertFalse(res.text.contains("<b>页面</b>"), path)
                XCTAssertFalse(res.text.contains("<script>x</script>"), path)
            }
            let list = try await t.send(.GET, "/stories", headers: ["Accept": "text/html"], as: editor)
            XCTAssertTrue(list.text.contains("&lt;b&gt;页面&lt;/b&gt;测试"))
            let versions = try await t.send(.GET, "/stories/\(s.id)/versions?from=1&to=2", headers: ["Accept": "text/html"], as: editor)
            XCTAssertTrue(versions.text.contains("<ins>"), "diff shows insertions")
            let other = try await t.session(for: "ningxiang-editor")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/stories/\(s.id)", headers: ["Accept": "text/html"], as: other).status, .notFound)
        }
    }
}
