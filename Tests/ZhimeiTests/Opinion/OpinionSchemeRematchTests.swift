import Fluent
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// Re-matching a scheme: a new scheme, a changed rule and a scheme switched back on apply to the posts already stored
/// (by a job, a page at a time), not only to posts arriving later; renaming does not re-match; another scheme's
/// matches and another tenant's posts are untouched; a job overtaken by a later change stops.
final class OpinionSchemeRematchTests: XCTestCase {
    struct Scheme: Decodable { var id: UUID; var rematchJobId: UUID? }
    struct Page: Decodable { struct Item: Decodable { var externalId: String }; var items: [Item]; var total: Int }

    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
    }

    func ingest(_ t: TestApp, _ posts: [[String: Any]], as actor: TestActor) async throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["posts": posts]), as: UTF8.self)
        let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: actor)
        XCTAssertEqual(res.status, .created, res.text)
    }

    func matched(_ t: TestApp, _ scheme: UUID, as actor: TestActor) async throws -> [String] {
        let res = try await t.send(.GET, "/api/v1/opinion/posts?limit=100&scheme_id=\(scheme)", as: actor)
        XCTAssertEqual(res.status, .ok, res.text)
        return try res.json(Page.self).items.map(\.externalId).sorted()
    }

    func runJobs(_ t: TestApp) async throws {
        let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
        while try await pool.runOne(owner: "test") {}
    }

    func testStoredPostsAreMatchedAgainWhenTheSchemeChanges() async throws {
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            try await ingest(t, [
                ["id": "a", "author": "网友甲", "platform": "weibo", "text": "金沙路下穿通道积水严重，车辆无法通行。"],
                ["id": "b", "author": "网友乙", "platform": "weibo", "text": "集里街道停电一上午，冰箱里的东西都坏了。"],
                ["id": "c", "author": "浏阳日报", "platform": "news", "text": "金沙路积水已排除，交通恢复。"],
                ["id": "d", "author": "网友丙", "platform": "weibo", "text": "浏阳河畔步道修好了，散步很舒服。"],
            ], as: chief)
            let ningxiang = try await t.token(for: "ningxiang-chief")
            try await ingest(t, [["id": "x", "author": "宁乡网友", "platform": "weibo", "text": "宁乡也有一段路积水了。"]], as: ningxiang)

            // Another scheme matching post a and c stays as it is throughout.
            let other = try await t.send(.POST, "/api/v1/opinion/schemes", raw: #"{"name":"金沙路","rule":"金沙路"}"#, as: chief).json(Scheme.self)
            let created = try await t.send(.POST, "/api/v1/opinion/schemes", raw: #"{"name":"积水","rule":"积水","platforms":["weibo"]}"#, as: chief)
            XCTAssertEqual(created.status, .created, created.text)
            let scheme = try created.json(Scheme.self)
            let job = try XCTUnwrap(scheme.rematchJobId, "creating a scheme queues the job")
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), [], "nothing before the job runs")
            let session = try await t.session(for: "liuyang-chief")
            let html: HTTPHeaders = ["Accept": "text/html"]
            var page = try await t.send(.GET, "/opinion/schemes", headers: html, as: session).text
            for text in ["data-job-stream=\"\(job.uuidString)\"", "正在对已入库信息重新匹配", "平台：weibo", "href=\"/opinion/posts?scheme_id=\(scheme.id.uuidString)\"",
                         "data-api=\"/api/v1/opinion/schemes/\(scheme.id.uuidString)\" data-method=\"PATCH\"", "name=\"platforms\" value=\"weibo\" data-split"] {
                XCTAssertTrue(page.contains(text), "\(text) on the schemes page")
            }
            try await runJobs(t)
            page = try await t.send(.GET, "/opinion/schemes", headers: html, as: session).text
            XCTAssertFalse(page.contains("data-job-stream"), "no re-match in progress once the job is done")
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["a"], "weibo posts about 积水; not the news post, not Ningxiang's")
            try await XCTAssertEqualAsync(try await matched(t, other.id, as: chief), ["a", "c"])
            let done = try await XCTUnwrapAsync(try await Job.find(job, on: t.db))
            XCTAssertEqual(done.state, .succeeded)
            XCTAssertEqual(done.result, "checked 4 posts: 1 added, 0 removed")

            // A new rule: 停电 in, 积水 out (post a keeps the other scheme).
            let changed = try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"rule":"停电 OR 步道"}"#, as: chief).json(Scheme.self)
            XCTAssertNotNil(changed.rematchJobId)
            try await runJobs(t)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["b", "d"])
            try await XCTAssertEqualAsync(try await matched(t, other.id, as: chief), ["a", "c"], "another scheme's matches stay")
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "opinion_scheme.update").all().map(\.summary)
            XCTAssertTrue(audit.contains { $0.contains(#""rule":"积水""#) && $0.contains(#""rule":"停电 OR 步道""#) && $0.contains(#""platforms":"weibo""#) },
                          "the audit keeps what decides the matches, before and after: \(audit)")

            // Renaming does not re-match; switching off keeps the matches; switching on re-matches.
            try await XCTAssertNilAsync(try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"name":"民生"}"#, as: chief).json(Scheme.self).rematchJobId)
            try await XCTAssertNilAsync(try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"enabled":false,"rule":"停电"}"#, as: chief).json(Scheme.self).rematchJobId)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["b", "d"], "a switched-off scheme keeps what it matched")
            try await XCTAssertNotNilAsync(try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"enabled":true}"#, as: chief).json(Scheme.self).rematchJobId)
            try await runJobs(t)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["b"], "the rule changed while it was off applies once it is on")
            let posts = try await OpinionPost.query(on: t.db).filter(\.$externalID == "x").all()
            XCTAssertEqual(posts.map(\.schemeIDs), [[]], "another tenant's post is never matched")

            // The event list narrowed to a scheme: the events of the posts it matched.
            struct Event: Decodable { var id: UUID }
            func events(of ids: [String]) async throws -> Set<UUID> {
                Set(try await OpinionPost.query(on: t.db).filter(\.$externalID ~~ ids).all().compactMap(\.eventID))
            }
            let listed = try await t.send(.GET, "/api/v1/opinion/events?scheme_id=\(other.id)", as: chief).json([Event].self)
            try await XCTAssertEqualAsync(Set(listed.map(\.id)), try await events(of: ["a", "c"]))
            let mine = try await t.send(.GET, "/api/v1/opinion/events?scheme_id=\(scheme.id)", as: chief).json([Event].self)
            try await XCTAssertEqualAsync(Set(mine.map(\.id)), try await events(of: ["b"]))
            let dashboard = try await t.send(.GET, "/opinion?scheme_id=\(scheme.id)", headers: html, as: session).text
            XCTAssertTrue(dashboard.contains(#"<option value="\#(scheme.id.uuidString)" selected>民生</option>"#), "the chosen scheme")
            XCTAssertTrue(dashboard.contains("status=closed&amp;scheme_id=\(scheme.id.uuidString)"), "the 已结案 tab keeps the scheme")
            let rows = dashboard.components(separatedBy: "<a href=\"/opinion/events/").count - 1
            let expected = try await events(of: ["b"]).count
            XCTAssertEqual(rows, expected, "only the scheme's events are listed")
        }
    }

    func testPagesAndAJobOvertakenByALaterChange() async throws {
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            try await ingest(t, (0..<7).map { i in ["id": "p\(i)", "author": "网友\(i)", "platform": "weibo", "text": i % 2 == 0 ? "第\(i)号楼电梯坏了" : "第\(i)号楼绿化很好"] }, as: chief)
            let scheme = try await t.send(.POST, "/api/v1/opinion/schemes", raw: #"{"name":"电梯","rule":"电梯"}"#, as: chief).json(Scheme.self)
            let stored = try await XCTUnwrapAsync(try await OpinionScheme.find(scheme.id, on: t.db))
            let version = stored.updatedAt.timeIntervalSince1970
            let pages = ProgressLog()
            let outcome = try await OpinionSchemeRematch.run(schemeID: scheme.id, version: version, on: t.db, batchSize: 3) { done, total in await pages.add(done, total) }
            XCTAssertEqual(outcome, .init(checked: 7, added: 4, removed: 0, superseded: false))
            try await XCTAssertEqualAsync(await pages.steps, ["3/7", "6/7", "7/7"])
            let again = try await OpinionSchemeRematch.run(schemeID: scheme.id, version: version, on: t.db, batchSize: 3)
            XCTAssertEqual(again, .init(checked: 7, added: 0, removed: 0, superseded: false), "a second run changes nothing")

            _ = try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"rule":"绿化"}"#, as: chief)
            let stale = try await OpinionSchemeRematch.run(schemeID: scheme.id, version: version, on: t.db, batchSize: 3)
            XCTAssertEqual(stale, .init(checked: 0, added: 0, removed: 0, superseded: true), "the job queued before the change leaves the posts alone")
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["p0", "p2", "p4", "p6"])
            try await runJobs(t)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["p1", "p3", "p5"])
        }
    }

    /// A scheme limited to some sources matches their posts only — at ingest and when re-matching; a source of
    /// another tenant or a deleted one is refused; the page offers the tenant's sources.
    func testASchemeLimitedToSources() async throws {
        try await withTestApp { t in
            struct Source: Decodable { var id: UUID }
            let chief = try await t.token(for: "liuyang-chief")
            let forum = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "本地论坛", "kind": "webhook", "platform": "forum"], as: chief).json(Source.self)
            let weibo = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "微博推送", "kind": "webhook", "platform": "weibo"], as: chief).json(Source.self)
            func ingest(_ id: String, _ text: String, source: UUID?) async throws {
                var body: [String: Any] = ["posts": [["id": id, "author": "网友", "text": text]]]
                if let source { body["source_id"] = source.uuidString }
                let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), as: chief)
                XCTAssertEqual(res.status, .created, res.text)
            }
            try await ingest("f1", "小区电梯又坏了", source: forum.id)
            try await ingest("w1", "电梯坏了没人修", source: weibo.id)
            try await ingest("a1", "电梯维修太慢", source: nil)

            let created = try await t.send(.POST, "/api/v1/opinion/schemes", raw: #"{"name":"论坛电梯","rule":"电梯","source_ids":["\#(forum.id)"]}"#, as: chief)
            XCTAssertEqual(created.status, .created, created.text)
            let scheme = try created.json(Scheme.self)
            try await runJobs(t)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["f1"], "stored posts: the forum's only")
            try await ingest("f2", "电梯今天修好了", source: forum.id)
            try await ingest("w2", "电梯修好了吗", source: weibo.id)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["f1", "f2"], "new posts: the forum's only")

            let both = try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"source_ids":["\#(forum.id)","\#(weibo.id)"]}"#, as: chief).json(Scheme.self)
            XCTAssertNotNil(both.rematchJobId, "changing the sources re-matches")
            try await runJobs(t)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["f1", "f2", "w1", "w2"])
            let any = try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"source_ids":[]}"#, as: chief).json(Scheme.self)
            XCTAssertNotNil(any.rematchJobId)
            try await runJobs(t)
            try await XCTAssertEqualAsync(try await matched(t, scheme.id, as: chief), ["a1", "f1", "f2", "w1", "w2"], "no sources: every post")

            let ningxiang = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "宁乡推送", "kind": "webhook"], as: try await t.token(for: "ningxiang-chief")).json(Source.self)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/opinion/sources/\(weibo.id)", as: chief).status, .noContent)
            for bad in [ningxiang.id, weibo.id, UUID()] {
                let res = try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"source_ids":["\#(bad)"]}"#, as: chief)
                XCTAssertEqual(res.status, .unprocessableEntity, res.text)
                XCTAssertTrue(res.text.contains("source_ids"), res.text)
            }

            _ = try await t.send(.PATCH, "/api/v1/opinion/schemes/\(scheme.id)", raw: #"{"source_ids":["\#(forum.id)"]}"#, as: chief)
            let page = try await t.send(.GET, "/opinion/schemes", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-chief")).text
            XCTAssertTrue(page.contains("来源：本地论坛"), page)
            XCTAssertTrue(page.contains(#"name="source_ids" value="\#(forum.id.uuidString)" checked> 本地论坛"#), "the edit form has the scheme's source chosen")
            XCTAssertFalse(page.contains("宁乡推送"), "another tenant's sources are not offered")
            XCTAssertFalse(page.contains("微博推送"), "deleted sources are not offered")
        }
    }

    actor ProgressLog {
        var steps: [String] = []
        func add(_ done: Int, _ total: Int) { steps.append("\(done)/\(total)") }
    }
}
