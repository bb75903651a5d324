import Fluent
import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// The dashboard's 24-hour figures count every post of the day, from the hourly counts kept at ingest; the kept counts
/// equal a recount of the stored posts (which is also how migration 096 fills them in).
final class OpinionDashboardTests: XCTestCase {
    struct Bucket: Decodable { var total: Int; var positive: Int; var neutral: Int; var negative: Int }
    struct Hot: Decodable { var word: String; var count: Int; var burst: Bool }
    struct Dashboard: Decodable { var volume: [Bucket]; var hotKeywords: [Hot]; var totalPosts: Int }

    /// More posts in a day than the 20,000 the dashboard used to read: every hour's volume and sentiment mix, and the
    /// keyword counts, are those of all the posts; older posts, a post's sixth keyword and other tenants do not count.
    func testDashboardCountsEveryPostOfTheDay() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            let other = try await t.tenant("ningxiang").requireID()
            let now = Date()
            let thisHour = Double(OpinionHourlyCounts.hour(now))
            let sentiments = ["positive", "neutral", "negative"]
            var posts: [OpinionPost] = []
            var want = [[Int]](repeating: [0, 0, 0], count: 24)   // per bucket: positive, neutral, negative
            // Hours 1…22 ago carry 900 + 3·h posts each; the oldest bucket stays empty, so a clock hour turning during
            // the test moves nothing out of the API's window. 100 posts in this hour carry a new word.
            for hoursAgo in 0...22 {
                let n = hoursAgo == 0 ? 100 : 900 + 3 * hoursAgo
                for i in 0..<n {
                    let s = (i + hoursAgo) % 3
                    let at = thisHour - Double(hoursAgo) * 3600 + Double(i % 3600)
                    let words = hoursAgo == 0 ? ["停水", "爆管", "小区", "居民", "抢修", "第六词"] : ["停水", "小区", "居民", "供水", "通知", "第六词"]
                    posts.append(Self.post(tenant, "d\(hoursAgo)-\(i)", sentiment: sentiments[s], at: Date(timeIntervalSince1970: at), keywords: words))
                    want[23 - hoursAgo][s] += 1
                }
            }
            // Two days ago, and another tenant's posts this hour: not in this dashboard.
            for i in 0..<40 { posts.append(Self.post(tenant, "old\(i)", sentiment: "negative", at: now.addingTimeInterval(-2 * 86_400), keywords: ["停水"])) }
            for i in 0..<70 { posts.append(Self.post(other, "n\(i)", sentiment: "negative", at: now, keywords: ["停水", "爆管"])) }
            let toStore = posts
            try await t.db.transaction { tx in try await OpinionIngest.insert(toStore, on: tx) }

            let d = try await OpinionDashboard.build(scope: .only([tenant]), on: t.db, now: now)
            XCTAssertEqual(d.volume.count, 24)
            XCTAssertEqual(d.volume.last?.at.timeIntervalSince1970, thisHour)
            for (i, b) in d.volume.enumerated() {
                XCTAssertEqual([b.positive, b.neutral, b.negative], want[i], "bucket \(i)")
                XCTAssertEqual(b.total, want[i].reduce(0, +))
            }
            let inDay = want.joined().reduce(0, +)
            XCTAssertGreaterThan(inDay, 20_000)
            let hot = Dictionary(d.hotKeywords.map { ($0.word, $0) }, uniquingKeysWith: { a, _ in a })
            XCTAssertEqual(hot["停水"]?.count, inDay)
            XCTAssertEqual(hot["爆管"]?.count, 100)
            XCTAssertEqual(hot["爆管"]?.burst, true, "a word only in this hour bursts")
            XCTAssertEqual(hot["停水"]?.burst, false)
            XCTAssertNil(hot["第六词"], "only a post's first five keywords count")
            XCTAssertEqual(d.totalPosts, inDay + 40)

            // The same through the API, as the editor's page polls it; a platform view adds the other tenant.
            let api = try await t.send(.GET, "/api/v1/opinion/dashboard", as: try await t.token(for: "liuyang-editor"))
            XCTAssertEqual(api.status, .ok, api.text)
            let viaAPI = try api.json(Dashboard.self)
            XCTAssertEqual(viaAPI.volume.map(\.total).reduce(0, +), inDay)
            XCTAssertEqual(viaAPI.hotKeywords.first { $0.word == "爆管" }?.count, 100)
            let both = try await OpinionDashboard.build(scope: .only([tenant, other]), on: t.db, now: now)
            XCTAssertEqual(both.volume.last?.negative, want[23][2] + 70)
            let everyone = try await OpinionDashboard.build(scope: .all, on: t.db, now: now)
            XCTAssertEqual(everyone.volume.last?.negative, want[23][2] + 70)
            XCTAssertEqual(everyone.totalPosts, inDay + 40 + 70)
            let neither = try await OpinionDashboard.build(scope: .only([]), on: t.db, now: now)
            XCTAssertEqual(neither.volume.map(\.total).reduce(0, +), 0)
        }
    }

    /// Posts ingested through the API (analysis, sentiment, keywords) leave exactly the counts a recount of the
    /// stored posts gives — the recount is what migration 096 writes for posts stored before it.
    func testKeptCountsEqualARecountOfThePosts() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let texts = ["浏阳某小区停水三天了，居民非常愤怒！", "自来水公司连夜抢修，点赞工作人员", "停水通知：明天上午检修管道",
                         "转发：浏阳某小区停水三天了，居民非常愤怒！", "宁乡菜市场开业，市民排队参观", "菜市场价格上涨，群众议论纷纷"]
            var rows: [String] = []
            for (i, text) in texts.enumerated() {
                for day in 0..<3 {
                    rows.append(#"{"id":"r\#(i)-\#(day)","author":"市民\#(i)","time":"\#(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-Double(day * 40_000 + i * 1_800))))","text":"\#(text)","platform":"weibo"}"#)
                }
            }
            let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: #"{"posts":[\#(rows.joined(separator: ","))]}"#, as: editor)
            XCTAssertEqual(res.status, .created, res.text)
            let sql = try OpinionIngest.sqlDatabase(t.db)
            func cells(_ statement: SQLQueryString) async throws -> [String: Int] {
                var out: [String: Int] = [:]
                for row in try await sql.raw(statement).all() {
                    let tenant = try row.decode(column: "tenant_id", as: UUID.self)
                    out["\(tenant) \(try row.decode(column: "hour", as: Int64.self)) \(try row.decode(column: "key", as: String.self))", default: 0]
                        += try row.decode(column: "n", as: Int.self)
                }
                return out
            }
            let kept = try await cells("SELECT tenant_id, hour, key, n FROM opinion_hourly_counts")
            var recounted: [String: Int] = [:]
            for statement in OpinionHourlyCounts.recount(OpinionSQLDialect(sql)) {
                recounted.merge(try await cells(statement)) { $0 + $1 }
            }
            XCTAssertEqual(kept, recounted)
            XCTAssertEqual(kept.filter { $0.key.hasSuffix(" s:negative") || $0.key.hasSuffix(" s:positive") || $0.key.hasSuffix(" s:neutral") }.values.reduce(0, +), 18)
            XCTAssertTrue(kept.keys.contains { $0.hasSuffix(" k:停水") }, "\(kept.keys.sorted())")
        }
    }

    /// A post of `tenant` stated and arrived at `at`.
    static func post(_ tenant: UUID, _ id: String, sentiment: String, at: Date, keywords: [String]) -> OpinionPost {
        let p = OpinionPost()
        p.id = UUID(); p.tenantID = tenant; p.platform = "weibo"; p.externalID = id; p.author = "甲"
        p.text = "帖子"; p.textSimplified = "帖子"; p.language = "zh"; p.futureTime = false
        p.postedAt = at; p.receivedAt = at
        p.likes = 0; p.reposts = 0; p.comments = 0
        p.contentHash = id; p.simhash = 0
        p.sentiment = sentiment; p.sentimentScore = 0
        p.keywords = keywords; p.entities = []; p.eventID = nil; p.schemeIDs = []
        return p
    }

    /// The dashboard's imports: state in words, how far each has read, its counts and skipped rows; a paused or failed
    /// one offers "resume", one still running is marked for live progress; the import form offers the tenant's sources.
    func testDashboardShowsImportsWithProgressAndResume() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let source = OpinionSource()
            source.tenantID = liuyang; source.name = "微博导出"; source.kind = "import"; source.platform = "weibo"; source.webhookSecret = "s"
            source.postsReceived = 0; source.createdAt = Date(); source.enabled = true; source.archived = false
            try await source.create(on: t.db)
            func record(_ tenant: UUID, _ status: String, checkpoint: Int64, problems: [String] = [], at: Date) async throws -> UUID {
                let i = OpinionImport()
                i.tenantID = tenant; i.sourceID = tenant == liuyang ? source.id : nil; i.format = "jsonl"; i.path = "/nonexistent/x.jsonl"
                i.totalBytes = 1_000; i.checkpoint = checkpoint; i.rowsRead = Int(checkpoint / 10); i.imported = Int(checkpoint / 20)
                i.duplicates = 3; i.skipped = problems.count; i.futureTimes = 0; i.problems = problems; i.status = status
                i.createdAt = at; i.updatedAt = at
                try await i.create(on: t.db)
                return try i.requireID()
            }
            let now = Date()
            let paused = try await record(liuyang, "paused", checkpoint: 420, problems: ["row 7: not a JSON object / 不是 JSON 对象"], at: now)
            let running = try await record(liuyang, "running", checkpoint: 250, at: now.addingTimeInterval(-60))
            _ = try await record(liuyang, "done", checkpoint: 1_000, at: now.addingTimeInterval(-120))
            let other = try await record(ningxiang, "failed", checkpoint: 10, at: now)
            let editor = try await t.token(for: "liuyang-editor")
            let page = try await t.send(.GET, "/opinion", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(page.status, .ok)
            let text = page.text
            XCTAssertTrue(text.contains("已暂停") && text.contains("导入中") && text.contains("已完成"), "states in words")
            XCTAssertFalse(text.contains(other.uuidString), "another tenant's import")
            XCTAssertTrue(text.contains("value=\"42\"") && text.contains("42%") && text.contains("25%") && text.contains("100%"), "progress")
            XCTAssertTrue(text.contains("data-api=\"/api/v1/opinion/imports/\(paused)/resume\""), "resume a paused import")
            XCTAssertFalse(text.contains("/api/v1/opinion/imports/\(running)/resume"), "a running import is not resumed")
            XCTAssertTrue(text.contains("data-import-id=\"\(running)\" data-live=\"1\""), "live progress for the running import")
            XCTAssertTrue(text.contains("row 7: not a JSON object"), "skipped rows")
            XCTAssertTrue(text.contains("<option value=\"\(try source.requireID())\">微博导出</option>"), "the form offers the source")
            XCTAssertTrue(text.contains("&quot;running&quot;:&quot;导入中&quot;") || text.contains("\"running\":\"导入中\""), "labels for the live progress")
        }
    }

    /// Every import is reachable: the dashboard shows the newest five and links to /opinion/imports, which pages
    /// through all of them (50 a page) by state; the API pages with limit/offset and filters by status (before: the
    /// newest 100, older ones unreachable). Another tenant's imports appear nowhere.
    func testEveryImportIsReachableByPageAndAPI() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let start = Date().addingTimeInterval(-10_000)
            var ids: [UUID] = []   // liuyang's, oldest first
            func record(_ tenant: UUID, _ status: String, at: Date) async throws -> UUID {
                let i = OpinionImport()
                i.tenantID = tenant; i.format = "jsonl"; i.path = "/nonexistent/x.jsonl"; i.totalBytes = 100; i.checkpoint = 100
                i.rowsRead = 1; i.imported = 1; i.duplicates = 0; i.skipped = 0; i.futureTimes = 0; i.problems = []; i.status = status
                i.createdAt = at; i.updatedAt = at
                try await i.create(on: t.db)
                return try i.requireID()
            }
            for n in 0..<57 { ids.append(try await record(liuyang, n < 2 ? "failed" : "done", at: start.addingTimeInterval(Double(n)))) }
            var others: [UUID] = []
            for n in 0..<3 { others.append(try await record(ningxiang, "failed", at: start.addingTimeInterval(Double(n)))) }
            let editor = try await t.token(for: "liuyang-editor")
            func shown(_ html: String) -> [String] {
                html.components(separatedBy: "data-import-id=\"").dropFirst().map { String($0.prefix(36)) }
            }
            let dashboard = try await t.send(.GET, "/opinion", headers: ["Accept": "text/html"], as: editor).text
            XCTAssertEqual(shown(dashboard), ids.suffix(5).reversed().map(\.uuidString), "the newest five")
            XCTAssertTrue(dashboard.contains("href=\"/opinion/imports\">全部导入任务 (57)"), "a link to all of them")

            let first = try await t.send(.GET, "/opinion/imports", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(first.status, .ok)
            XCTAssertEqual(shown(first.text), ids.suffix(50).reversed().map(\.uuidString))
            XCTAssertTrue(first.text.contains("/opinion/imports?page=2"), "a link to the next page")
            let second = try await t.send(.GET, "/opinion/imports?page=2", headers: ["Accept": "text/html"], as: editor).text
            XCTAssertEqual(shown(second), ids.prefix(7).reversed().map(\.uuidString), "the oldest seven, on page 2 only")
            let failed = try await t.send(.GET, "/opinion/imports?status=failed", headers: ["Accept": "text/html"], as: editor).text
            XCTAssertEqual(shown(failed), [ids[1], ids[0]].map(\.uuidString))
            XCTAssertTrue(failed.contains("失败 <span class=\"count\">2</span>") && failed.contains("已完成 <span class=\"count\">55</span>"), "counts by state")
            for page in [dashboard, first.text, second, failed] {
                XCTAssertFalse(others.contains { page.contains($0.uuidString) }, "another tenant's import")
            }

            struct Imp: Decodable { var id: UUID }
            let all = try await t.send(.GET, "/api/v1/opinion/imports", as: editor).json([Imp].self).map(\.id)
            XCTAssertEqual(all, ids.reversed())
            let tail = try await t.send(.GET, "/api/v1/opinion/imports?limit=10&offset=50", as: editor).json([Imp].self).map(\.id)
            XCTAssertEqual(tail, ids.prefix(7).reversed())
            let onlyFailed = try await t.send(.GET, "/api/v1/opinion/imports?status=failed", as: editor).json([Imp].self).map(\.id)
            XCTAssertEqual(onlyFailed, [ids[1], ids[0]])
            for bad in ["status=stuck", "limit=0", "limit=201", "offset=-1"] {
                let res = try await t.send(.GET, "/api/v1/opinion/imports?\(bad)", as: editor)
                XCTAssertEqual(res.status, .unprocessableEntity, bad)
            }
        }
    }
}
