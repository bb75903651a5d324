import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Opinion sources managed end to end, on SQLite and PostgreSQL: added, changed, switched off and on, given a new
/// secret and deleted through the API and the sources page; a switched-off feed is not polled and a switched-off
/// webhook refuses posts; each feed poll's outcome or error and each delivery's time are kept on the source.
final class OpinionSourceManagementTests: XCTestCase {
    struct Source: Decodable {
        var id: UUID; var kind: String; var webhookPath: String; var webhookSecret: String?; var enabled: Bool; var postsReceived: Int
        var lastPolledAt: Date?; var lastOutcome: String?; var lastError: String?; var lastReceivedAt: Date?; var nextPollAt: Date?; var intervalMinutes: Int?
    }

    func testSourcesAreSwitchedOffChangedRotatedAndDeleted() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withFeedServer { server, t in
            let editor = try await t.token(for: "liuyang-editor"), other = try await t.token(for: "ningxiang-editor")
            await t.app.opinion.webhookThrottle.reset()
            // A feed needs an address; intervals are 1–1440 minutes.
            let noURL = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "无地址", "kind": "feed"], as: editor)
            XCTAssertEqual(noURL.status, .unprocessableEntity)
            XCTAssertEqual(try noURL.error().code, "invalid_url")
            let feed = try await t.send(.POST, "/api/v1/opinion/sources", raw: #"{"name":"本地新闻","kind":"feed","url":"\#(server.url("rss.xml"))","platform":"news","interval_minutes":30}"#, as: editor).json(Source.self)
            let hook = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "微博推送", "kind": "webhook", "platform": "weibo"], as: editor).json(Source.self)
            XCTAssertTrue(feed.enabled && hook.enabled)
            let secret = try XCTUnwrap(hook.webhookSecret)
            let post = #"{"posts":[{"id":"s1","author":"网友甲","text":"浏阳河边垃圾成堆，臭气熏天，没人管！"}]}"#

            // The page lists both, with the webhook's address and secret and the feed's poll button.
            var page = try await t.send(.GET, "/opinion/sources", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("本地新闻") && page.text.contains("微博推送"))
            XCTAssertTrue(page.text.contains(hook.webhookPath) && page.text.contains(secret))
            XCTAssertTrue(page.text.contains("/api/v1/opinion/sources/\(feed.id)/poll"))
            let otherPage = try await t.send(.GET, "/opinion/sources", headers: ["Accept": "text/html"], as: other)
            XCTAssertFalse(otherPage.text.contains("微博推送"), "another tenant's sources")

            // Switched off, the webhook refuses posts (after checking the secret) and says why; on again, it takes them.
            var r = try await t.send(.PATCH, "/api/v1/opinion/sources/\(hook.id)", raw: #"{"enabled":false}"#, as: editor)
            XCTAssertEqual(r.status, .ok, r.text)
            XCTAssertFalse(try r.json(Source.self).enabled)
            r = try await t.send(.POST, hook.webhookPath, headers: ["X-Zhimei-Secret": secret], raw: post)
            XCTAssertEqual(r.status, .forbidden)
            XCTAssertEqual(try r.error().code, "source_off")
            XCTAssertTrue(r.text.contains("已停用") && r.text.contains("switched off"), r.text)
            page = try await t.send(.GET, "/opinion/sources", headers: ["Accept": "text/html"], as: editor)
            XCTAssertTrue(page.text.contains("data-api=\"/api/v1/opinion/sources/\(hook.id)\" data-method=\"PATCH\" data-body='{\"enabled\":true}'"))
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/sources/\(hook.id)", raw: #"{"enabled":true}"#, as: editor).status, .ok)
            r = try await t.send(.POST, hook.webhookPath, headers: ["X-Zhimei-Secret": secret], raw: post)
            XCTAssertEqual(r.status, .accepted, r.text)
            let received = try await XCTUnwrapAsync(try await OpinionSource.find(hook.id, on: t.db))
            XCTAssertEqual(received.postsReceived, 1)
            XCTAssertNotNil(received.lastReceivedAt)

            // A new secret: the old one stops working. Feeds have none.
            let rotated = try await t.send(.POST, "/api/v1/opinion/sources/\(hook.id)/rotate-secret", as: editor).json(Source.self)
            let newSecret = try XCTUnwrap(rotated.webhookSecret)
            XCTAssertNotEqual(newSecret, secret)
            let old = try await t.send(.POST, hook.webhookPath, headers: ["X-Zhimei-Secret": secret], raw: post)
            XCTAssertEqual(try old.error().code, "webhook_secret_invalid")
            try await XCTAssertEqualAsync(try await t.send(.POST, hook.webhookPath, headers: ["X-Zhimei-Secret": newSecret], raw: post).status, .accepted)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/sources/\(feed.id)/rotate-secret", as: editor).status, .conflict)

            // A poll keeps its outcome on the source.
            let outcome = try await OpinionFeeds.poll(feed.id, app: t.app, on: t.db, logger: nil)
            XCTAssertTrue(outcome.hasPrefix("items 4, imported 4"), outcome)
            var polled = try await t.send(.GET, "/api/v1/opinion/sources", as: editor).json([Source].self).first { $0.id == feed.id }
            XCTAssertNotNil(polled?.lastPolledAt)
            XCTAssertEqual(polled?.lastOutcome, outcome)
            XCTAssertNil(polled?.lastError)
            XCTAssertEqual(polled?.postsReceived, 4)
            // A new address (validated) is due at once; a failing one keeps the error, and the last outcome.
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/sources/\(feed.id)", raw: #"{"url":"ftp://x"}"#, as: editor).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/sources/\(feed.id)", raw: #"{"interval_minutes":0}"#, as: editor).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/sources/\(feed.id)", raw: #"{"kind":"webhook"}"#, as: editor).status, .unprocessableEntity)
            let source = try await XCTUnwrapAsync(try await OpinionSource.find(feed.id, on: t.db))
            source.nextPollAt = Date().addingTimeInterval(3600)
            try await source.save(on: t.db)
            let moved = try await t.send(.PATCH, "/api/v1/opinion/sources/\(feed.id)", raw: #"{"url":"\#(server.url("error"))"}"#, as: editor).json(Source.self)
            XCTAssertNil(moved.nextPollAt, "due at once")
            do {
                _ = try await OpinionFeeds.poll(feed.id, app: t.app, on: t.db, logger: nil)
                XCTFail("a feed answering 500 polled without an error")
            } catch {}
            polled = try await t.send(.GET, "/api/v1/opinion/sources", as: editor).json([Source].self).first { $0.id == feed.id }
            XCTAssertTrue(polled?.lastError?.contains("500") ?? false, polled?.lastError ?? "no error kept")
            XCTAssertEqual(polled?.lastOutcome, outcome)
            page = try await t.send(.GET, "/opinion/sources", headers: ["Accept": "text/html"], as: editor)
            XCTAssertTrue(page.text.contains("500"), "the page shows the error")

            // Switched off, the feed is neither scheduled nor polled on demand; nothing is fetched.
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/sources/\(feed.id)", raw: #"{"enabled":false,"url":"\#(server.url("atom.xml"))"}"#, as: editor).status, .ok)
            let offTick = try await OpinionSchedule.tick(on: t.db, logger: nil, now: Date().addingTimeInterval(86_400))
            XCTAssertEqual(offTick.feedsDue, 0)
            let refused = try await t.send(.POST, "/api/v1/opinion/sources/\(feed.id)/poll", as: editor)
            XCTAssertEqual(refused.status, .conflict)
            XCTAssertEqual(try refused.error().code, "source_off")
            let fetches = server.hits("atom.xml")
            let offPoll = try await OpinionFeeds.poll(feed.id, app: t.app, on: t.db, logger: nil)
            XCTAssertEqual(offPoll, "source switched off")
            XCTAssertEqual(server.hits("atom.xml"), fetches)
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/sources/\(feed.id)", raw: #"{"enabled":true}"#, as: editor).status, .ok)
            let onTick = try await OpinionSchedule.tick(on: t.db, logger: nil)
            XCTAssertEqual(onTick.feedsDue, 1, "on again: due")

            // Another tenant's manager finds neither source.
            for (method, path) in [(HTTPMethod.PATCH, "/api/v1/opinion/sources/\(hook.id)"), (.DELETE, "/api/v1/opinion/sources/\(hook.id)"),
                                   (.POST, "/api/v1/opinion/sources/\(hook.id)/rotate-secret")] {
                try await XCTAssertEqualAsync(try await t.send(method, path, raw: #"{"enabled":false}"#, as: other).status, .notFound, path)
            }
            // Deleted: gone from the list and the page, its webhook refuses posts, its posts stay.
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/opinion/sources/\(hook.id)", as: editor).status, .noContent)
            let listed = try await t.send(.GET, "/api/v1/opinion/sources", as: editor).json([Source].self)
            XCTAssertFalse(listed.contains { $0.id == hook.id })
            let afterPage = try await t.send(.GET, "/opinion/sources", headers: ["Accept": "text/html"], as: editor)
            XCTAssertFalse(afterPage.text.contains("微博推送"))
            let gone = try await t.send(.POST, hook.webhookPath, headers: ["X-Zhimei-Secret": newSecret], raw: post)
            XCTAssertEqual(try gone.error().code, "source_off")
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/sources/\(hook.id)", raw: #"{"enabled":true}"#, as: editor).status, .ok)
            let stillGone = try await t.send(.POST, hook.webhookPath, headers: ["X-Zhimei-Secret": newSecret], raw: post)
            XCTAssertEqual(try stillGone.error().code, "source_off", "a deleted source stays off")
            try await XCTAssertEqualAsync(try await OpinionPost.query(on: t.db).filter(\.$sourceID == hook.id).count(), 1, "the same post twice is one post")
            // Every change is audited.
            let actions = try await AuditEntry.query(on: t.db).filter(\.$targetType == "opinion_source").all().map(\.action)
            XCTAssertEqual(actions.filter { $0 == "opinion_source.update" }.count, 6)
            XCTAssertEqual(actions.filter { $0 == "opinion_source.rotate_secret" }.count, 1)
            XCTAssertEqual(actions.filter { $0 == "opinion_source.delete" }.count, 1)
        }
    }

    /// Someone who sees several centres (a platform admin) is told whose each source, scheme and rule is; a county's
    /// editor, who sees one, is not burdened with it.
    func testPagesNameTheCentreForSomeoneWhoSeesSeveral() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            for (tenant, name) in [(liuyang, "浏阳推送"), (ningxiang, "宁乡推送")] {
                let s = OpinionSource()
                s.tenantID = tenant; s.name = name; s.kind = "webhook"; s.platform = "weibo"; s.webhookSecret = "x"; s.postsReceived = 0
                s.createdAt = Date(); s.enabled = true; s.archived = false
                try await s.create(on: t.db)
                _ = try await OpinionRuleManagementTests.scheme(tenant, name: name + "方案", rule: "积水", on: t.db)
                _ = try await OpinionRuleManagementTests.rule(tenant, name: name + "规则", on: t.db)
            }
            let admin = try await t.session(for: "admin"), editor = try await t.session(for: "liuyang-editor")
            for path in ["/opinion/sources", "/opinion/schemes"] {
                let all = try await t.send(.GET, path, headers: ["Accept": "text/html"], as: admin).text
                XCTAssertTrue(all.contains("<span class=\"pill pill-muted\">浏阳市融媒体中心</span>") && all.contains("<span class=\"pill pill-muted\">宁乡市融媒体中心</span>"), path)
                let own = try await t.send(.GET, path, headers: ["Accept": "text/html"], as: editor).text
                XCTAssertTrue(own.contains("浏阳推送") && !own.contains("宁乡推送"), path)
                XCTAssertFalse(own.contains("<span class=\"pill pill-muted\">浏阳市融媒体中心</span>"), path)
            }
        }
    }
}
