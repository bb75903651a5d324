import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Opinion through the API and the job, on SQLite and PostgreSQL: ingest with bad rows, resumable imports,
/// alerts delivered in the app and by webhook, create topic, merge/split, tenancy and odd input.
final class OpinionAPITests: XCTestCase {
    struct Result: Decodable { var imported: Int; var duplicates: Int; var skipped: Int; var futureTimes: Int; var ids: [UUID]; var eventIds: [UUID]; var problems: [String]; var alerts: Int }
    struct Page: Decodable { var items: [Post]; var total: Int }
    struct Post: Decodable { var id: UUID; var externalId: String; var sentiment: String; var futureTime: Bool; var eventId: UUID?; var duplicateOf: UUID?; var schemeIds: [String] }
    struct Event: Decodable { var id: UUID; var title: String; var postCount: Int; var topicId: UUID?; var status: String }
    struct Detail: Decodable { var event: Event; var spread: Spread; var volume: [Bucket] }
    struct Spread: Decodable { var origins: [String] }
    struct Bucket: Decodable { var total: Int }
    struct Imp: Decodable { var id: UUID; var status: String; var imported: Int; var skipped: Int; var duplicates: Int; var checkpoint: Int64; var problems: [String] }

    func requireText() throws { if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") } }

    func testIngestSkipsBadRowsHandlesDuplicatesAndFutureTimesAndMatchesSchemes() async throws {
        try requireText()
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let scheme = try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "停水监测", "rule": "停水 AND (小区 OR 居民) NOT 演练"], as: editor)
            XCTAssertEqual(scheme.status, .created, scheme.text)
            struct S: Decodable { var id: UUID }
            let schemeID = try scheme.json(S.self).id
            let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400 * 30))
            let body = #"""
            {"posts":[
              {"id":"p1","author":"市民甲","time":"2026-01-02 08:00","text":"浏阳某小区停水三天了，居民非常愤怒，太失望了！","platform":"weibo","likes":"12"},
              {"id":"p1","author":"市民甲","text":"重复的 ID","platform":"weibo"},
              {"id":"p2","author":"市民乙","time":"\#(future)","text":"小区停水的事情有人管吗","repost_of":"p1","platform":"weibo"},
              {"id":"p3","author":"市民丙","text":""},
              {"id":"p4","time":"not a time","text":"时间坏了"},
              "not an object",
              {"id":"p5","author":"通讯员","text":"今天小区停水应急演练顺利完成","platform":"weibo","likes":-5}
            ]}
            """#
            let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: editor)
            XCTAssertEqual(res.status, .created, res.text)
            let r = try res.json(Result.self)
            XCTAssertEqual(r.imported, 3)
            XCTAssertEqual(r.duplicates, 1)
            XCTAssertEqual(r.skipped, 3, "\(r.problems)")
            XCTAssertEqual(r.futureTimes, 1)
            XCTAssertTrue(r.problems.contains { $0.hasPrefix("row 4") })
            // Sending the same batch again adds nothing.
            let again = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: editor).json(Result.self)
            XCTAssertEqual(again.imported, 0)
            XCTAssertEqual(again.duplicates, 4)

            let page = try await t.send(.GET, "/api/v1/opinion/posts?limit=50", as: editor).json(Page.self)
            XCTAssertEqual(page.total, 3)
            let byID = Dictionary(page.items.map { ($0.externalId, $0) }, uniquingKeysWith: { a, _ in a })
            XCTAssertEqual(byID["p1"]?.sentiment, "negative")
            XCTAssertEqual(byID["p2"]?.futureTime, true)
            XCTAssertEqual(byID["p1"]?.schemeIds, [schemeID.uuidString])
            XCTAssertEqual(byID["p5"]?.schemeIds, [], "NOT 演练 excludes the drill")
            let scoped = try await t.send(.GET, "/api/v1/opinion/posts?scheme_id=\(schemeID)", as: editor).json(Page.self)
            XCTAssertEqual(Set(scoped.items.map(\.externalId)), ["p1", "p2"])

            // Tenancy: 宁乡 sees none of 浏阳's posts or events, and cannot open them.
            let other = try await t.token(for: "ningxiang-editor")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/posts", as: other).json(Page.self).total, 0)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/events", as: other).json([Event].self).count, 0)
            let eventID = try XCTUnwrap(byID["p1"]?.eventId)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/events/\(eventID)", as: other).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/opinion/events/\(eventID)", headers: ["Accept": "text/html"], as: other).status, .notFound)
            // The event's spread graph starts at the original poster.
            let detail = try await t.send(.GET, "/api/v1/opinion/events/\(eventID)", as: editor).json(Detail.self)
            XCTAssertEqual(detail.spread.origins.first, "市民甲")
            let html = try await t.send(.GET, "/opinion/events/\(eventID)", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(html.status, .ok)
            XCTAssertTrue(html.text.contains("<svg"), "server-side charts")
            XCTAssertFalse(html.text.contains("<script>"), "no inline script")
        }
    }

    /// A tenant's scheme terms are cut as whole words in its posts (金沙路 was cut 金沙 + 路下 and both reached the
    /// word cloud); another tenant's posts are cut as before.
    func testSchemeTermsAreWholeKeywordsForTheirTenant() async throws {
        try requireText()
        try await withTestApp { t in
            struct Post: Decodable { var externalId: String; var keywords: [String] }
            struct Page: Decodable { var items: [Post] }
            let text = "金沙路下穿通道又积水了，金沙路下穿通道每次下雨都这样"
            let liuyang = try await t.token(for: "liuyang-editor"), ningxiang = try await t.token(for: "ningxiang-editor")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "积水", "rule": "金沙路 OR 积水"], as: liuyang).status, .created)
            for editor in [liuyang, ningxiang] {
                let posted = try await t.send(.POST, "/api/v1/opinion/posts", json: ["posts": [["id": "w1", "author": "市民", "text": text, "platform": "weibo"]]], as: editor)
                XCTAssertEqual(posted.status, .created, posted.text)
            }
            let withScheme = try await t.send(.GET, "/api/v1/opinion/posts", as: liuyang).json(Page.self).items.first?.keywords ?? []
            XCTAssertTrue(withScheme.contains("金沙路"), "\(withScheme)")
            XCTAssertFalse(withScheme.contains("路下"), "\(withScheme)")
            let without = try await t.send(.GET, "/api/v1/opinion/posts", as: ningxiang).json(Page.self).items.first?.keywords ?? []
            XCTAssertFalse(without.contains("金沙路"), "宁乡 has no such scheme: \(without)")
        }
    }

    func testImportJobSkipsMalformedRowsAndResumesFromCheckpoint() async throws {
        try requireText()
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            var lines: [String] = []
            for i in 0..<1100 {
                switch i % 100 {
                case 7: lines.append("{broken json")
                case 8: lines.append(#"{"id":"x\#(i)"}"#)
                case 9: lines.append(#"{"id":"p\#(i - 3)","text":"重复 ID","platform":"weibo"}"#)
                default: lines.append(#"{"id":"p\#(i)","author":"用户\#(i % 37)","text":"第\#(i / 100)号话题：浏阳本地新闻讨论第\#(i)条，关于道路维修和公交线路调整。","platform":"weibo"}"#)
                }
            }
            let res = try await t.send(.POST, "/api/v1/opinion/imports?format=jsonl", headers: ["Content-Type": "application/octet-stream"],
                                       raw: lines.joined(separator: "\n"), as: editor)
            XCTAssertEqual(res.status, .accepted, res.text)
            let created = try res.json(Imp.self)
            XCTAssertEqual(created.status, "queued")
            let analyzer = try await t.app.opinion.analyzer(t.app)
            // Interrupted after the first batch of 500 rows…
            let first = try await OpinionImportJob.run(importID: created.id, analyzer: analyzer, on: t.db, logger: nil, stopAfterBatches: 1)
            XCTAssertEqual(first, "paused")
            var imp = try await t.send(.GET, "/api/v1/opinion/imports/\(created.id)", as: editor).json(Imp.self)
            XCTAssertGreaterThan(imp.checkpoint, 0)
            XCTAssertLessThan(imp.checkpoint, Int64(lines.joined(separator: "\n").utf8.count))
            let importedFirst = imp.imported
            XCTAssertGreaterThan(importedFirst, 450)
            // …then resumed through the API and the job worker.
            // Its job is still queued: resuming (twice) queues no second job beside it, which would read the same rows.
            for _ in 0..<2 {
                try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/imports/\(created.id)/resume", as: editor).status, .accepted)
            }
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$kind == OpinionImportJob.kind).count(), 1)
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 60)
            while try await pool.runOne(owner: "test") {}
            imp = try await t.send(.GET, "/api/v1/opinion/imports/\(created.id)", as: editor).json(Imp.self)
            XCTAssertEqual(imp.status, "done", "\(imp)")
            XCTAssertEqual(imp.imported, 1100 - 33, "11 broken, 11 without text, 11 duplicate IDs")
            XCTAssertEqual(imp.skipped, 22)
            XCTAssertEqual(imp.duplicates, 11)
            XCTAssertTrue(imp.problems.contains { $0.contains("JSON") })
            try await XCTAssertEqualAsync(try await OpinionPost.query(on: t.db).count(), 1067, "no row imported twice across the resume")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/imports/\(created.id)/resume", as: editor).status, .conflict)
            // Empty uploads and unknown formats are 4xx.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/imports?format=jsonl", raw: "", as: editor).status, .badRequest)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/imports?format=xml", raw: "x", as: editor).status, .unprocessableEntity)
        }
    }

    /// An import checks the events it touched against the alert rules: the first batch at once and the rest at the end
    /// (at most every `alertInterval` seconds in between), all of them and not only the first 200 of a batch; a burst
    /// in the file raises its alert.
    func testImportChecksEveryTouchedEventAndRaisesAlerts() async throws {
        try requireText()
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            // 260 unrelated happenings (two posts each), then a burst of 40 angry posts.
            let lines = try await OpinionRuleManagementTests.burstAmongManyEvents(t, as: chief, events: 260)
            let res = try await t.send(.POST, "/api/v1/opinion/imports?format=jsonl", headers: ["Content-Type": "application/octet-stream"],
                                       raw: lines.joined(separator: "\n"), as: chief)
            XCTAssertEqual(res.status, .accepted, res.text)
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 60)
            while try await pool.runOne(owner: "test") {}
            let imp = try await t.send(.GET, "/api/v1/opinion/imports/\(try res.json(Imp.self).id)", as: chief).json(Imp.self)
            XCTAssertEqual(imp.status, "done", "\(imp)")
            let events = try await OpinionEvent.query(on: t.db).all()
            XCTAssertGreaterThan(events.count, 200, "the file touches more events than one check takes")
            XCTAssertEqual(events.filter { $0.heat <= 0 }.map(\.title), [], "every touched event was checked")
            let alerts = try await OpinionAlert.query(on: t.db).all()
            XCTAssertEqual(alerts.count, 1)
            XCTAssertTrue(alerts.first?.title.contains("化工厂") ?? false, alerts.first?.title ?? "")
        }
    }

    /// Two batches of one tenant at once (a webhook sender retrying beside its first delivery) store each post once and
    /// open each event once; another tenant's batch is not held up by them.
    /// An import whose job gives up (here: the text engine's data is missing, so no attempt can analyse a post) is
    /// marked failed with the reason, not left "queued" for good; once the cause is fixed it resumes and finishes.
    func testImportWhoseJobGivesUpIsMarkedFailedWithTheReasonAndResumes() async throws {
        try requireText()
        let text = try XCTUnwrap(TestApp.textDataDirectory)
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("zhimei-no-text-\(UUID().uuidString.prefix(8))").path
        try await withTestApp(extra: ["ZHIMEI_TEXT_DATA": missing]) { t in
            let editor = try await t.token(for: "liuyang-editor")
            let lines = (0..<30).map { #"{"id":"f\#($0)","author":"用户\#($0)","text":"浏阳河大桥第\#($0)次检修，车辆绕行。"}"# }
            let res = try await t.send(.POST, "/api/v1/opinion/imports?format=jsonl", headers: ["Content-Type": "application/octet-stream"],
                                       raw: lines.joined(separator: "\n"), as: editor)
            XCTAssertEqual(res.status, .accepted, res.text)
            let id = try res.json(Imp.self).id
            let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 60)
            // Every attempt fails; the retries' back-off is skipped by making the job due again.
            for attempt in 1...5 {
                try await Job.query(on: t.db).filter(\.$kind == OpinionImportJob.kind).set(\.$runAt, to: Date().addingTimeInterval(-1)).update()
                try await XCTAssertTrueAsync(try await pool.runOne(owner: "test"), "attempt \(attempt)")
                let imp = try await t.send(.GET, "/api/v1/opinion/imports/\(id)", as: editor).json(Imp.self)
                XCTAssertEqual(imp.status, attempt < 5 ? "queued" : "failed", "after attempt \(attempt)")
            }
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$kind == OpinionImportJob.kind).first()?.state, .dead)
            let failed = try await t.send(.GET, "/api/v1/opinion/imports/\(id)", as: editor).json(Imp.self)
            XCTAssertTrue(failed.problems.first?.contains("导入中断") ?? false, "\(failed.problems)")
            XCTAssertTrue(failed.problems.first?.contains("dict.txt") ?? false, "the reason is given: \(failed.problems)")
            // The dashboard says so and offers to resume it.
            let page = try await t.send(.GET, "/opinion", as: editor).text
            XCTAssertTrue(page.contains("导入中断"), "the reason is on the dashboard")
            XCTAssertTrue(page.contains("/api/v1/opinion/imports/\(id.uuidString)/resume"), "resume is offered")
            // The operator installs the data; resuming imports every post.
            try FileManager.default.createSymbolicLink(atPath: missing, withDestinationPath: text)
            defer { try? FileManager.default.removeItem(atPath: missing) }
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/imports/\(id)/resume", as: editor).status, .accepted)
            while try await pool.runOne(owner: "test") {}
            let done = try await t.send(.GET, "/api/v1/opinion/imports/\(id)", as: editor).json(Imp.self)
            XCTAssertEqual(done.status, "done", "\(done)")
            XCTAssertEqual(done.imported, 30)
        }
    }

    /// The worker of an import's last attempt dies (its lease runs out): the import is marked failed when the job is
    /// dead-lettered, not left "running".
    func testImportWhoseLastWorkerDiedIsMarkedFailed() async throws {
        try requireText()
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let res = try await t.send(.POST, "/api/v1/opinion/imports?format=jsonl", headers: ["Content-Type": "application/octet-stream"],
                                       raw: #"{"id":"a1","text":"浏阳河大桥检修。"}"#, as: editor)
            XCTAssertEqual(res.status, .accepted, res.text)
            let id = try res.json(Imp.self).id
            try await Job.query(on: t.db).filter(\.$kind == OpinionImportJob.kind).set(\.$maxAttempts, to: 1).update()
            _ = try await JobQueue.claim(owner: "dying-worker", lease: 0.2, kinds: [OpinionImportJob.kind], on: t.db)
            try await Task.sleep(nanoseconds: 400_000_000)
            try await XCTAssertFalseAsync(try await JobWorkerPool(application: t.app, concurrency: 1, lease: 60).runOne(owner: "test"))
            let imp = try await t.send(.GET, "/api/v1/opinion/imports/\(id)", as: editor).json(Imp.self)
            XCTAssertEqual(imp.status, "failed")
            XCTAssertTrue(imp.problems.first?.contains("lease expired") ?? false, "\(imp.problems)")
        }
    }

    func testConcurrentBatchesOfOneTenantStoreEachPostOnce() async throws {
        try requireText()
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let analyzer = try await t.app.opinion.analyzer(t.app)
            let posts = (0..<120).map { i in
                IncomingPost(externalID: "c\(i)", author: "用户\(i % 9)", postedAt: Date(), text: "浏阳金沙路下穿通道积水第\(i)次，附近居民出行困难。",
                             repostOf: nil, replyTo: nil, likes: 0, reposts: 0, comments: 0, url: nil, platform: "weibo", region: nil)
            }
            let db = t.db
            async let a = OpinionIngest.ingest(posts, tenantID: liuyang, sourceID: nil, analyzer: analyzer, on: db)
            async let b = OpinionIngest.ingest(posts, tenantID: liuyang, sourceID: nil, analyzer: analyzer, on: db)
            async let c = OpinionIngest.ingest(posts, tenantID: ningxiang, sourceID: nil, analyzer: analyzer, on: db)
            let (ra, rb, rc) = try await (a, b, c)
            XCTAssertEqual(ra.imported + rb.imported, 120, "one batch stores them, the other finds them stored")
            XCTAssertEqual(ra.duplicates + rb.duplicates, 120)
            XCTAssertEqual(rc.imported, 120)
            try await XCTAssertEqualAsync(try await OpinionPost.query(on: t.db).filter(\.$tenantID == liuyang).count(), 120)
            let events = try await OpinionEvent.query(on: t.db).filter(\.$tenantID == liuyang).all()
            XCTAssertEqual(Set(events.map(\.title)).count, events.count, "no event opened twice: \(events.map(\.title))")

            // Two processes (no shared queue): the database's unique index refuses the second copy of a post, and the
            // refused batch is read again, so each post is still stored once.
            let more = posts.map { p -> IncomingPost in var q = p; q.externalID = "d" + (p.externalID ?? ""); return q }
            async let x = OpinionIngest.ingestUnqueued(more, tenantID: liuyang, sourceID: nil, analyzer: analyzer, on: db)
            async let y = OpinionIngest.ingestUnqueued(more, tenantID: liuyang, sourceID: nil, analyzer: analyzer, on: db)
            let (rx, ry) = try await (x, y)
            XCTAssertEqual(rx.imported + ry.imported, 120)
            try await XCTAssertEqualAsync(try await OpinionPost.query(on: t.db).filter(\.$tenantID == liuyang).count(), 240)
            // The index itself: a repeated (tenant, platform, ID) cannot be stored.
            let stored = try await XCTUnwrapAsync(try await OpinionPost.query(on: t.db).filter(\.$tenantID == liuyang).first())
            let copy = OpinionPost()
            copy.id = UUID(); copy.tenantID = stored.tenantID; copy.platform = stored.platform; copy.externalID = stored.externalID
            copy.author = stored.author; copy.text = stored.text; copy.textSimplified = stored.textSimplified; copy.language = stored.language
            copy.receivedAt = stored.receivedAt; copy.postedAt = stored.postedAt; copy.futureTime = false; copy.contentHash = stored.contentHash
            copy.simhash = stored.simhash; copy.sentiment = stored.sentiment; copy.sentimentScore = stored.sentimentScore
            copy.keywords = stored.keywords; copy.entities = stored.entities; copy.schemeIDs = stored.schemeIDs
            copy.likes = 0; copy.reposts = 0; copy.comments = 0
            var refused = false
            do { try await copy.create(on: t.db) } catch let error as any DatabaseError where error.isConstraintFailure { refused = true }
            XCTAssertTrue(refused, "a second post with the same platform and ID was stored")
            copy.id = UUID(); copy.externalID = "another-id"
            try await copy.create(on: t.db)
        }
    }

    func testBurstRaisesAlertInAppAndByWebhookWithEmailOutbox() async throws {
        try requireText()
        try await withTestApp { t in
            let receiver = try await NotificationTests.Receiver(failFirst: 0)
            do {
                let liuyang = try await t.tenant("liuyang").requireID()
                let admin = try await t.token(for: "liuyang-admin")
                try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/notification-webhooks/\(liuyang)",
                                                               json: ["url": "http://127.0.0.1:\(receiver.port)/hook", "secret": "opinion-secret-0123456789"], as: admin).status, .ok)
                let chief = try await t.token(for: "liuyang-chief")
                let rule = try await t.send(.POST, "/api/v1/opinion/alert-rules", raw: #"{"name":"负面突增","min_posts":10,"window_minutes":10,"min_negative_share":0.5,"email":"duty@example.cn"}"#, as: chief)
                XCTAssertEqual(rule.status, .created, rule.text)
                // A few posts: below the threshold, no alert.
                func posts(_ n: Int, from: Int) -> String {
                    let items = (from..<(from + n)).map { #"{"id":"b\#($0)","author":"网友\#($0)","text":"浏阳某化工厂排污，河水发臭，居民非常愤怒，投诉无人处理！"}"# }
                    return #"{"posts":["# + items.joined(separator: ",") + "]}"
                }
                let few = try await t.send(.POST, "/api/v1/opinion/posts", raw: posts(3, from: 0), as: chief).json(Result.self)
                XCTAssertEqual(few.alerts, 0)
                let started = Date()
                let many = try await t.send(.POST, "/api/v1/opinion/posts", raw: posts(30, from: 100), as: chief).json(Result.self)
                XCTAssertEqual(many.alerts, 1, "raised in the ingest request itself")
                XCTAssertLessThan(Date().timeIntervalSince(started), 60)
                let alerts = try await OpinionAlert.query(on: t.db).all()
                XCTAssertEqual(alerts.count, 1)
                XCTAssertEqual(alerts[0].emailStatus, "ready")
                XCTAssertTrue(alerts[0].emailPayload.contains("duty@example.cn"))
                // In the app: every opinion reader of 浏阳 got a notification.
                let notes = try await AppNotification.query(on: t.db).filter(\.$kind == "opinion.alert").all()
                XCTAssertGreaterThanOrEqual(notes.count, 2)
                XCTAssertEqual(alerts[0].notified, notes.count)
                // By webhook: the delivery jobs reach the local receiver.
                let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
                while try await pool.runOne(owner: "w") {}
                let hits = receiver.hits.withLockedValue { $0 }
                XCTAssertEqual(hits.count, notes.count)
                XCTAssertTrue(hits.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains("opinion.alert") })
                // The same burst does not alert twice within the window.
                let more = try await t.send(.POST, "/api/v1/opinion/posts", raw: posts(5, from: 500), as: chief).json(Result.self)
                XCTAssertEqual(more.alerts, 0)
                try await receiver.stop()
            } catch {
                try? await receiver.stop()
                throw error
            }
        }
    }

    func testCreateTopicMergeSplitAndResponseCard() async throws {
        try requireText()
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            let body = #"""
            {"posts":[
              {"id":"f1","author":"目击者","text":"浏阳集里街道一处仓库凌晨发生火灾，消防车赶到扑救，无人员伤亡。"},
              {"id":"f2","author":"转发者","text":"转发：浏阳集里街道一处仓库凌晨发生火灾，消防车赶到扑救，无人员伤亡。","repost_of":"f1"},
              {"id":"g1","author":"农技站","text":"宁乡早稻喜获丰收，新品种亩产提高一成。"}
            ]}
            """#
            let r = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: chief).json(Result.self)
            XCTAssertEqual(r.imported, 3)
            XCTAssertEqual(r.eventIds.count, 2)
            let events = try await t.send(.GET, "/api/v1/opinion/events?sort=size", as: chief).json([Event].self)
            let fire = try XCTUnwrap(events.first { $0.postCount == 2 }), rice = try XCTUnwrap(events.first { $0.postCount == 1 })

            struct Card: Decodable { var statement: String; var aiGenerated: Bool; var respondWithinHours: Int; var facts: [String] }
            let card = try await t.send(.GET, "/api/v1/opinion/events/\(fire.id)/response", as: chief).json(Card.self)
            XCTAssertFalse(card.aiGenerated)
            XCTAssertTrue(card.statement.contains("草稿"))
            XCTAssertEqual(card.facts.count, 2)

            let topicRes = try await t.send(.POST, "/api/v1/opinion/events/\(fire.id)/topic", as: chief)
            XCTAssertEqual(topicRes.status, .created, topicRes.text)
            let topicID = try XCTUnwrap(try topicRes.json(Event.self).topicId)
            let topic = try await Topic.find(topicID, on: t.db)
            XCTAssertEqual(topic?.title.contains("火灾"), true)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/events/\(fire.id)/topic", as: chief).status, .conflict)
            let analyst = try await t.token(for: "hunan-editor")
            _ = analyst

            // Merge the rice event into the fire event, then split it back out.
            let merged = try await t.send(.POST, "/api/v1/opinion/events/\(fire.id)/merge", json: ["event_ids": [rice.id]], as: chief)
            XCTAssertEqual(merged.status, .ok, merged.text)
            XCTAssertEqual(try merged.json(Event.self).postCount, 3)
            let riceAfter = try await OpinionEvent.find(rice.id, on: t.db)
            XCTAssertEqual(riceAfter?.status, "merged")
            let ricePost = try await OpinionPost.query(on: t.db).filter(\.$externalID == "g1").first()!
            let split = try await t.send(.POST, "/api/v1/opinion/events/\(fire.id)/split", json: ["post_ids": [ricePost.id!]], as: chief)
            XCTAssertEqual(split.status, .created, split.text)
            XCTAssertEqual(try split.json(Event.self).postCount, 1)
            try await XCTAssertEqualAsync(try await OpinionEvent.find(fire.id, on: t.db)?.postCount, 2)
        }
    }

    /// An event is titled by its first post's topic — a #话题# or a 【headline】 — else by its first sentence without
    /// links and @mentions (before: the whole first sentence, hashtags and links included, as the dashboard showed).
    func testEventTitlesAreThePostsTopic() async throws {
        XCTAssertEqual(OpinionIngest.title(of: "#金沙路下穿通道积水#浏阳金沙路下穿通道：水没过小腿，孩子上学都过不去"), "金沙路下穿通道积水")
        XCTAssertEqual(OpinionIngest.title(of: "＃浏阳暴雨＃城区多处积水"), "浏阳暴雨", "full-width ＃ too")
        XCTAssertEqual(OpinionIngest.title(of: "【浏阳烟花厂突发火情】今晨6时许，城郊一烟花厂仓库起火。"), "浏阳烟花厂突发火情")
        XCTAssertEqual(OpinionIngest.title(of: "@浏阳发布：城区部分路段今晚停水，请提前储水。详见 https://example.com/a#b"), "城区部分路段今晚停水，请提前储水")
        XCTAssertEqual(OpinionIngest.title(of: "#" + String(repeating: "长", count: 40) + "#后来。"), "#" + String(repeating: "长", count: 40) + "#后来",
                       "text between two # longer than a topic is not one")
        XCTAssertEqual(OpinionIngest.title(of: "转发微博"), "转发微博")
        XCTAssertEqual(OpinionIngest.title(of: "  https://t.cn/abc  "), "https://t.cn/abc", "a post of a link alone keeps it")
        XCTAssertEqual(OpinionIngest.title(of: String(repeating: "长", count: 100)).count, 60)
        try requireText()
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            let body = #"""
            {"posts":[
              {"id":"h1","author":"网友甲","text":"#集里街道停电#集里街道从早上八点停电到现在，还没有恢复，家里冰箱的东西都坏了。"},
              {"id":"h2","author":"网友乙","text":"@浏阳供电 集里街道停电一上午了，什么时候恢复？ https://example.com/p/1"}
            ]}
            """#
            let r = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: chief).json(Result.self)
            XCTAssertEqual(r.imported, 2)
            let events = try await t.send(.GET, "/api/v1/opinion/events?sort=size", as: chief).json([Event].self)
            let titles = Set(events.map(\.title))
            XCTAssertTrue(titles.contains("集里街道停电"), "\(titles)")
            XCTAssertFalse(titles.contains { $0.contains("#") || $0.contains("http") || $0.contains("@") }, "\(titles)")
        }
    }

    func testBadInputGetsBilingual4xx() async throws {
        try requireText()
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let cases: [(HTTPMethod, String, String?)] = [
                (.POST, "/api/v1/opinion/posts", "not json"),
                (.POST, "/api/v1/opinion/posts", #"{"posts":"x"}"#),
                (.POST, "/api/v1/opinion/posts", #"{"posts":[],"tenant_id":"nope"}"#),
                (.POST, "/api/v1/opinion/schemes", #"{"name":"x","rule":"((("}"#),
                (.POST, "/api/v1/opinion/schemes", #"{"name":"x","rule":"a","regions":[1]}"#),
                (.POST, "/api/v1/opinion/alert-rules", #"{"name":"x","min_posts":-1}"#),
                (.POST, "/api/v1/opinion/alert-rules", #"{"name":"x","min_negative_share":2}"#),
                (.POST, "/api/v1/opinion/alert-rules", #"{"name":"x","min_posts":9223372036854775807}"#),
                (.POST, "/api/v1/opinion/sources", #"{"name":"x","kind":"ftp"}"#),
                (.GET, "/api/v1/opinion/posts?limit=0", nil),
                (.GET, "/api/v1/opinion/posts?offset=-1", nil),
                (.GET, "/api/v1/opinion/posts?sentiment=angry", nil),
                (.GET, "/api/v1/opinion/posts?event_id=x", nil),
                (.GET, "/api/v1/opinion/events?sort=%00", nil),
                (.GET, "/api/v1/opinion/events/not-a-uuid", nil),
                (.POST, "/api/v1/opinion/webhook/\(UUID())", "{}"),
            ]
            for (method, path, raw) in cases {
                let res = try await t.send(method, path, raw: raw, as: editor)
                XCTAssertTrue((400..<500).contains(Int(res.status.code)), "\(method) \(path): \(res.status)")
                if res.status != .notFound && res.status != .forbidden { XCTAssertFalse(try res.error().message.isEmpty) }
            }
            // Hostile text is stored, never crashes: NUL, control characters, 4-byte scalars, huge counts.
            let hostile = #"{"posts":[{"id":"\u0000","text":"\u0001😀𠀀\u0000测试","likes":1e300,"reposts":"99999999999999999999","time":-1}]}"#
            let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: hostile, as: editor)
            XCTAssertEqual(res.status, .created, res.text)
        }
    }
}
