import Fluent
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Vapor
import XCTest
@testable import Zhimei

/// Publishing end to end through HTTP: who may publish what, the public site, the content API, feeds,
/// corrections, kills with tombstones, scheduling and the audit trail.
final class PublishingTests: XCTestCase {
    func testOnlyApprovedStoriesAndPermittedRolesPublish() async throws {
        try await withTestApp { t in
            let draft = try await PublishingFixtures.approvedStory(t, status: .draft)
            let approved = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            let reporter = try await t.session(for: "liuyang-reporter")
            let refused = try await t.send(.POST, "/api/v1/publishing/stories/\(draft.id!)/publish", raw: "{}", as: chief)
            XCTAssertEqual(refused.status, .conflict)
            XCTAssertEqual(try refused.error().code, "not_approved")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(approved.id!)/publish", raw: "{}", as: reporter).status, .forbidden)
            // Another tenant's chief editor cannot see the story at all.
            let other = try await t.session(for: "ningxiang-chief")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(approved.id!)/publish", raw: "{}", as: other).status, .notFound)
            let bad = try await t.send(.POST, "/api/v1/publishing/stories/\(approved.id!)/publish", raw: #"{"channels":["fax"]}"#, as: chief)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            let ok = try await t.send(.POST, "/api/v1/publishing/stories/\(approved.id!)/publish", raw: "{}", as: chief)
            XCTAssertEqual(ok.status, .ok, ok.text)
            let rows = try await Publication.query(on: t.db).filter(\.$storyID == approved.id!).all()
            XCTAssertEqual(Set(rows.map(\.channel)), Set(ChannelKind.allCases))
            XCTAssertTrue(rows.allSatisfy { $0.state == .published })
            // Publishing the same version again creates nothing new (exactly once per channel).
            _ = try await t.send(.POST, "/api/v1/publishing/stories/\(approved.id!)/publish", raw: "{}", as: chief)
            try await XCTAssertEqualAsync(try await Publication.query(on: t.db).filter(\.$storyID == approved.id!).count(), ChannelKind.allCases.count)
            try await XCTAssertEqualAsync(try await Story.find(approved.id!, on: t.db)?.status, .published)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "publishing.publish").filter(\.$targetID == approved.id!.uuidString).count()
            XCTAssertEqual(audit, 1)
        }
    }

    /// The publishing desk lists every approved and published story of the tenant, 50 a page, newest change first, all
    /// or one state with its count; drafts and other tenants' stories never (before: the 100 most recent only).
    func testDeskPagesThroughEveryReadyStory() async throws {
        try await withTestApp { t in
            let start = Date().addingTimeInterval(-10_000)
            for i in 0..<70 {
                let s = try await PublishingFixtures.approvedStory(t, headline: "待发稿件\(i)号", status: i % 7 == 0 ? .published : .approved)
                s.updatedAt = start.addingTimeInterval(Double(i) * 10)
                try await s.save(on: t.db)
            }
            _ = try await PublishingFixtures.approvedStory(t, headline: "草稿不应出现", status: .draft)
            _ = try await PublishingFixtures.approvedStory(t, tenant: "ningxiang", headline: "宁乡稿件不应出现")
            let chief = try await t.session(for: "liuyang-chief")
            let first = try await t.send(.GET, "/publishing", headers: ["Accept": "text/html"], as: chief)
            XCTAssertEqual(first.status, .ok)
            XCTAssertTrue(first.text.contains("待发稿件69号") && first.text.contains("待发稿件20号") && !first.text.contains("待发稿件19号"), "page 1: the newest 50")
            XCTAssertFalse(first.text.contains("草稿不应出现") || first.text.contains("宁乡稿件不应出现"))
            XCTAssertTrue(first.text.contains("<span class=\"pill\">70</span>") && first.text.contains("<span class=\"pill\">60</span>")
                          && first.text.contains("<span class=\"pill\">10</span>"), "counts: all, approved, published")
            XCTAssertTrue(first.text.contains("href=\"/publishing?page=2\""))
            let second = try await t.send(.GET, "/publishing?page=2", headers: ["Accept": "text/html"], as: chief)
            XCTAssertTrue(second.text.contains("待发稿件0号") && second.text.contains("待发稿件19号") && !second.text.contains("待发稿件20号"), "page 2: the oldest 20")
            let published = try await t.send(.GET, "/publishing?status=published", headers: ["Accept": "text/html"], as: chief)
            let shown = (0..<70).filter { published.text.contains("待发稿件\($0)号<") }
            XCTAssertEqual(shown, Array(stride(from: 0, to: 70, by: 7)), "published only")
            XCTAssertFalse(published.text.contains("page=2"))
            // An unknown status lists both; a page past the end the last.
            let odd = try await t.send(.GET, "/publishing?status=draft&page=99", headers: ["Accept": "text/html"], as: chief)
            XCTAssertEqual(odd.status, .ok)
            XCTAssertTrue(odd.text.contains("待发稿件0号") && !odd.text.contains("草稿不应出现"))
        }
    }

    func testPublicSiteContentAPIAndFeeds() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            let body = #"{"overrides":{"social":{"headline":"社交标题"}}}"#
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: body, as: chief).status, .ok)
            let id = story.id!.uuidString.lowercased()

            let page = try await t.send(.GET, "/site/liuyang/articles/\(id)", headers: ["Accept": "text/html"])
            XCTAssertEqual(page.status, .ok)
            XCTAssertFalse(page.text.contains("<script>alert"), "user text must be escaped")
            XCTAssertTrue(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            XCTAssertTrue(page.text.contains("<link rel=\"canonical\" href=\"http://localhost:8080/site/liuyang/articles/\(id)\">"))
            XCTAssertTrue(page.text.contains("property=\"og:title\""))
            XCTAssertTrue(page.text.contains("AI生成"))
            XCTAssertNotNil(page.headers.first(name: "Content-Security-Policy"))
            XCTAssertFalse(page.text.contains("style=\""), "no inline styles on our pages")
            for path in ["/site/liuyang", "/site/liuyang/tags/%E8%8A%B1%E7%82%AE", "/site/liuyang/categories/%E7%BB%8F%E6%B5%8E", "/site/liuyang/search?q=%E8%8A%B1%E7%82%AE"] {
                let r = try await t.send(.GET, path, headers: ["Accept": "text/html"])
                XCTAssertEqual(r.status, .ok, path)
                XCTAssertTrue(r.text.contains("/site/liuyang/articles/\(id)"), path)
                XCTAssertNotNil(r.headers.first(name: "Content-Security-Policy"), path)
            }
            let miss = try await t.send(.GET, "/site/liuyang/search?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%AF%8D", headers: ["Accept": "text/html"])
            XCTAssertFalse(miss.text.contains("/site/liuyang/articles/\(id)"))
            try await XCTAssertEqualAsync(try await t.send(.GET, "/site/nosuchtenant").status, .notFound)
            let sitemap = try await t.send(.GET, "/site/liuyang/sitemap.xml")
            XCTAssertTrue(sitemap.text.contains("<loc>http://localhost:8080/site/liuyang/articles/\(id)</loc>"))

            let item = try await t.send(.GET, "/api/v1/public/liuyang/items/\(id)")
            XCTAssertEqual(item.status, .ok)
            let etag = try XCTUnwrap(item.headers.first(name: .eTag))
            XCTAssertTrue(item.headers.first(name: .cacheControl)?.contains("max-age") ?? false)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: item.body)) as? [String: Any]
            XCTAssertEqual(json?["headline"] as? String, story.headline)
            XCTAssertEqual(json?["ai_generated"] as? Bool, true)
            let cached = try await t.send(.GET, "/api/v1/public/liuyang/items/\(id)", headers: ["If-None-Match": etag])
            XCTAssertEqual(cached.status, .notModified)
            let list = try await t.send(.GET, "/api/v1/public/liuyang/items?page=1&per_page=5")
            XCTAssertEqual(list.status, .ok)
            XCTAssertTrue(list.text.contains(id))
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/public/liuyang/items?per_page=100000").status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/public/ningxiang/items/\(id)").status, .notFound, "another tenant's site does not show it")

            let rss = try await t.send(.GET, "/site/liuyang/feed.rss")
            XCTAssertEqual(rss.headers.contentType?.subType, "rss+xml")
            let rssDoc = try XMLFeed.parse(rss.text)
            XCTAssertEqual(rssDoc.values("guid"), ["urn:uuid:\(id)"])
            XCTAssertEqual(rssDoc.values("title").last, story.headline)
            let pubDate = try XCTUnwrap(rssDoc.values("pubDate").first)
            XCTAssertNotNil(FeedRenderer.rfc822Parser.date(from: pubDate), "RFC 822 date: \(pubDate)")
            let atom = try await t.send(.GET, "/site/liuyang/categories/%E7%BB%8F%E6%B5%8E/feed.atom")
            let atomDoc = try XMLFeed.parse(atom.text)
            XCTAssertTrue(atomDoc.values("id").contains("urn:uuid:\(id)"))
            let updated = try XCTUnwrap(atomDoc.values("updated").first)
            XCTAssertNotNil(ISO8601DateFormatter().date(from: updated), "RFC 3339 date: \(updated)")
            let social = try await Publication.query(on: t.db).filter(\.$storyID == story.id!).filter(\.$channel == .social).first()
            XCTAssertTrue(social?.rendered.hasPrefix("社交标题") ?? false)
            XCTAssertLessThanOrEqual(social?.rendered.count ?? 999, 140)
        }
    }

    func testCorrectionAndKillReachEveryChannel() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            let id = story.id!.uuidString.lowercased()
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/correct", raw: #"{"note":"x"}"#, as: chief).status, .conflict)
            _ = try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief)
            _ = try await t.send(.GET, "/site/liuyang/articles/\(id)")   // warm the cache
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/correct", raw: #"{"note":""}"#, as: chief).status, .unprocessableEntity)
            let corrected = try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/correct", raw: #"{"note":"出口增长应为3.6%"}"#, as: chief)
            XCTAssertEqual(corrected.status, .ok)
            try await XCTAssertTrueAsync(try await t.send(.GET, "/site/liuyang/articles/\(id)").text.contains("出口增长应为3.6%"), "cache invalidated")
            try await XCTAssertTrueAsync(try await t.send(.GET, "/api/v1/public/liuyang/items/\(id)").text.contains("出口增长应为3.6%"))
            try await XCTAssertTrueAsync(try await t.send(.GET, "/site/liuyang/feed.rss").text.contains("【更正】"))
            try await XCTAssertTrueAsync(try await t.send(.GET, "/api/v1/public/liuyang/items/\(id)/ninjs?version=2.2").text.contains("ednote"))
            let previews = try await t.send(.GET, "/api/v1/publishing/stories/\(story.id!)", as: chief)
            XCTAssertTrue(previews.text.contains("出口增长应为3.6%"))

            let killed = try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/kill", raw: #"{"reason":"事实错误"}"#, as: chief)
            XCTAssertEqual(killed.status, .ok)
            let tomb = try await t.send(.GET, "/api/v1/public/liuyang/items/\(id)")
            XCTAssertEqual(tomb.status, .gone)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: tomb.body)) as? [String: Any]
            XCTAssertEqual(json?["state"] as? String, "killed")
            XCTAssertEqual(json?["reason"] as? String, "事实错误")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/public/liuyang/items/\(id)/ninjs").status, .gone)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/site/liuyang/articles/\(id)").status, .gone)
            try await XCTAssertFalseAsync(try await t.send(.GET, "/site/liuyang/feed.atom").text.contains(id))
            try await XCTAssertFalseAsync(try await t.send(.GET, "/site/liuyang").text.contains(id))
            try await XCTAssertFalseAsync(try await t.send(.GET, "/api/v1/public/liuyang/items").text.contains(id))
            let actions = try await AuditEntry.query(on: t.db).filter(\.$targetID == story.id!.uuidString).all().map(\.action)
            XCTAssertTrue(actions.contains("publishing.correct") && actions.contains("publishing.kill"))
        }
    }

    func testScheduleEmbargoAndUpdate() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            let id = story.id!.uuidString.lowercased()
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let r = try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: #"{"channels":["website","app"],"at":"\#(later)"}"#, as: chief)
            XCTAssertEqual(r.status, .ok, r.text)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/site/liuyang/articles/\(id)").status, .notFound, "not visible before its time")
            let job = try await Job.query(on: t.db).filter(\.$kind == PublishingService.releaseJob).first()
            XCTAssertNotNil(job)
            XCTAssertGreaterThan(job?.runAt ?? Date(), Date().addingTimeInterval(3000))
            // Time passes: make it due and let the job system release it.
            for p in try await Publication.query(on: t.db).filter(\.$storyID == story.id!).all() { p.publishAt = Date().addingTimeInterval(-1); try await p.save(on: t.db) }
            job?.runAt = Date().addingTimeInterval(-1); try await job?.save(on: t.db)
            try await PublishingFixtures.drainJobs(t)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/site/liuyang/articles/\(id)").status, .ok)

            // Update: a new approved version supersedes the old one on the same channels.
            story.headline = "更新后的标题"; story.version = 2; story.status = .approved
            try await story.save(on: t.db)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: #"{"channels":["website"]}"#, as: chief).status, .ok)
            let rows = try await Publication.query(on: t.db).filter(\.$storyID == story.id!).filter(\.$channel == .website).all()
            XCTAssertEqual(rows.first { $0.storyVersion == 1 }?.state, .superseded)
            XCTAssertEqual(rows.first { $0.storyVersion == 2 }?.state, .published)
            try await XCTAssertTrueAsync(try await t.send(.GET, "/site/liuyang/articles/\(id)").text.contains("更新后的标题"))
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "publishing.update").count()
            XCTAssertEqual(audit, 1)

            // An embargo on the story itself wins over "now".
            let embargoed = try await PublishingFixtures.approvedStory(t, headline: "禁发稿")
            embargoed.embargo = Date().addingTimeInterval(600); try await embargoed.save(on: t.db)
            _ = try await t.send(.POST, "/api/v1/publishing/stories/\(embargoed.id!)/publish", raw: "{}", as: chief)
            let states = try await Publication.query(on: t.db).filter(\.$storyID == embargoed.id!).all().map(\.state)
            XCTAssertTrue(!states.isEmpty && states.allSatisfy { $0 == .scheduled })
        }
    }

    /// A scheduled release whose job is given up (here its worker died during the last attempt) tells whoever scheduled
    /// it, with a link to the story's publishing page; the story is not silently left scheduled past its time.
    func testGivenUpScheduledReleaseNotifiesTheScheduler() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t, headline: "定时发布的稿件")
            let chief = try await t.session(for: "liuyang-chief")
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let r = try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: #"{"channels":["website"],"at":"\#(later)"}"#, as: chief)
            XCTAssertEqual(r.status, .ok, r.text)
            let job = try await XCTUnwrapAsync(try await Job.query(on: t.db).filter(\.$kind == PublishingService.releaseJob).first())
            job.runAt = Date().addingTimeInterval(-1); job.maxAttempts = 1
            try await job.save(on: t.db)
            _ = try await JobQueue.claim(owner: "dying-worker", lease: 0.2, kinds: [PublishingService.releaseJob], on: t.db)
            try await Task.sleep(nanoseconds: 400_000_000)
            try await XCTAssertFalseAsync(try await JobWorkerPool(application: t.app, concurrency: 1, lease: 30).runOne(owner: "test"))
            try await XCTAssertEqualAsync(try await Job.find(job.id, on: t.db)?.state, .dead)
            let chiefID = try await XCTUnwrapAsync(try await User.query(on: t.db).filter(\.$username == "liuyang-chief").first()?.id)
            let notes = try await AppNotification.query(on: t.db).filter(\.$userID == chiefID).filter(\.$kind == "publishing.release_failed").all()
            XCTAssertEqual(notes.count, 1)
            XCTAssertTrue(notes.first?.title.contains("定时发布的稿件") ?? false, notes.first?.title ?? "")
            XCTAssertEqual(notes.first?.link, "/publishing/stories/\(story.id!.uuidString)")
        }
    }

    func testPublicPagesRejectBadInputWithout500() async throws {
        try await withTestApp { t in
            for path in ["/site/liuyang/articles/not-a-uuid", "/site/liuyang/search?q=" + String(repeating: "a", count: 300),
                         "/site/liuyang/tags/%00", "/api/v1/public/liuyang/items?page=0", "/api/v1/public/liuyang/items?page=abc",
                         "/api/v1/public/liuyang/items/\(UUID())/ninjs?version=9", "/site/liuyang/media/\(UUID())/\(UUID())",
                         "/site/" + String(repeating: "x", count: 100), "/api/v1/public/liuyang/items?tag=%01"] {
                let r = try await t.send(.GET, path)
                XCTAssertLessThan(r.status.code, 500, path)
                XCTAssertGreaterThanOrEqual(r.status.code, 400, path)
            }
        }
    }
}

/// A tiny XML reader for tests: the text of every element by name (Foundation's XMLParser, which rejects malformed XML).
final class XMLFeed: NSObject, XMLParserDelegate {
    private var stack: [String] = []
    private var text = ""
    private(set) var elements: [(String, String)] = []

    static func parse(_ xml: String) throws -> XMLFeed {
        let feed = XMLFeed()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = feed
        guard parser.parse() else { throw TestError("XML does not parse: \(parser.parserError.map { "\($0)" } ?? "?")") }
        return feed
    }

    func values(_ name: String) -> [String] { elements.filter { $0.0 == name }.map(\.1) }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        stack.append(name); text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        elements.append((name, text.trimmingCharacters(in: .whitespacesAndNewlines)))
        _ = stack.popLast(); text = ""
    }
}

/// Hostile input on the staff API: control characters and NUL never reach the database (PostgreSQL rejects NUL in text).
final class PublishingInputTests: XCTestCase {
    func testControlCharactersAreRefusedOrCleaned() async throws {
        try await withTestApp { t in
            let admin = try await t.session(for: "liuyang-admin")
            let tenantID = try await t.tenant("liuyang").requireID()
            for body in [#"{"name":"a\u0000b","kind":"webhook","target":"http://127.0.0.1:1/x"}"#,
                         #"{"name":"ok","kind":"webhook","target":"http://127.0.0.1:1/x","secret":"s\u0000"}"#,
                         #"{"name":"ok","kind":"webhook","target":"http://127.0.0.1:1/\u0000"}"#,
                         #"{"name":"ok","kind":"s3","target":"http://127.0.0.1:1","bucket":"b"}"#,
                         #"{"name":"ok","kind":"ftp","target":"x"}"#,
                         // A port the HTTP client would trap on: refused here, never delivered to.
                         #"{"name":"ok","kind":"webhook","target":"http://127.0.0.1:99999/x"}"#,
                         #"{"name":"ok","kind":"ninjs_push","target":"http://u:p@127.0.0.1:8080/x"}"#] {
                let r = try await t.send(.POST, "/api/v1/publishing/tenants/\(tenantID)/destinations", raw: body, as: admin)
                XCTAssertEqual(r.status, .unprocessableEntity, body)
            }
            let put = try await t.send(.PUT, "/api/v1/publishing/tenants/\(tenantID)/channels/social", raw: ##"{"hashtags":["a\u0000b","#c"],"max_length":100}"##, as: admin)
            XCTAssertEqual(put.status, .ok, put.text)
            XCTAssertTrue(put.text.contains(#""hashtags":["ab","c"]"#), put.text)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/publishing/tenants/\(tenantID)/channels/social", raw: #"{"max_length":5}"#, as: admin).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/publishing/tenants/\(tenantID)/channels/fax", raw: "{}", as: admin).status, .notFound)
            let story = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            let r = try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish",
                                     raw: #"{"channels":["website"],"overrides":{"website":{"headline":"标题\u0000含空字符"}}}"#, as: chief)
            XCTAssertEqual(r.status, .ok, r.text)
            try await XCTAssertEqualAsync(try await Publication.query(on: t.db).filter(\.$storyID == story.id!).first()?.headline, "标题含空字符")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/correct", raw: #"{"note":"\u0000"}"#, as: chief).status, .unprocessableEntity)
        }
    }
}
