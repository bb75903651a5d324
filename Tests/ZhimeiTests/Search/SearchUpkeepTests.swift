import Fluent
import Foundation
import SQLKit
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// Search upkeep: the sync job follows edits, reindex, the consistency check, saved-search alerts, related material.
final class SearchUpkeepTests: XCTestCase {
    typealias Result = SearchTests.Result
    struct NewStory: Encodable { var headline: String; var lead: String? = nil; var tags: [String]? = nil; var body: [StoryBlock] }
    struct Save: Encodable { var baseVersion: Int; var headline: String; var body: [StoryBlock] }
    struct StoryOut: Decodable { var id: UUID; var version: Int }
    struct Related: Decodable { var keywords: [String]; var items: [SearchTests.Hit] }
    struct Check: Decodable { var indexed: Int; var content: Int; var missing: Int; var stale: Int; var orphaned: Int; var repaired: Bool }

    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    static func para(_ s: String) -> StoryBlock { .paragraph([InlineSpan(s)]) }

    func story(_ t: TestApp, _ actor: TestActor, _ headline: String, _ body: String) async throws -> StoryOut {
        let res = try await t.send(.POST, "/api/v1/stories", json: NewStory(headline: headline, body: [Self.para(body)]), as: actor)
        XCTAssertEqual(res.status, .created, res.text)
        return try res.json(StoryOut.self)
    }

    func search(_ t: TestApp, _ q: String, as actor: TestActor) async throws -> Result {
        let res = try await t.send(.GET, "/api/v1/search?q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), as: actor)
        XCTAssertEqual(res.status, .ok, res.text)
        return try res.json(Result.self)
    }

    /// Upgrading past 066 (SQLite): an index of the old, external-content kind is emptied with its sync watermarks, and the
    /// next sync run writes every document again into the contentless index, where search finds them as before.
    func testMigration066RebuildsTheIndexThroughTheSync() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's index")
            let reporter = try await t.token(for: "liuyang-reporter")
            _ = try await story(t, reporter, "浏阳融媒体中心启用新演播厅", "新演播厅今天投入使用。")
            try await SearchService.sync(app: t.app, on: t.db)
            try await XCTAssertEqualAsync(try await search(t, "\"媒体中心\"", as: reporter).total, 1)
            // back to the index before 066, with a row in it, then forward again
            try await M066_ContentlessSearchFTS().revert(on: t.db)
            let old = try await sql.raw("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").first()?.decode(column: "sql", as: String.self)
            XCTAssertTrue(old?.contains("content='search_documents'") == true, old ?? "")
            try await SearchService.sync(app: t.app, on: t.db)
            try await XCTAssertEqualAsync(try await SearchIndex.count(on: t.db), 1)
            try await M066_ContentlessSearchFTS().prepare(on: t.db)
            let new = try await sql.raw("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").first()?.decode(column: "sql", as: String.self)
            XCTAssertTrue(new?.contains("content=''") == true && new?.contains("tokenize='zhimei'") == true, new ?? "")
            try await XCTAssertEqualAsync(try await SearchIndex.count(on: t.db), 0, "emptied")
            try await XCTAssertEqualAsync(try await search(t, "\"媒体中心\"", as: reporter).total, 0)
            try await XCTAssertEqualAsync(try await SearchService.sync(app: t.app, on: t.db) >= 1, true, "the watermarks were reset")
            try await XCTAssertEqualAsync(try await search(t, "\"媒体中心\"", as: reporter).total, 1)
            try await sql.raw("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')").run()
        }
    }

    /// 067 (SQLite): the filter columns move from 064's index into `search_filter`, filled from the rows already indexed,
    /// and its triggers follow every insert, rewrite and delete; searches filter through it (tag and author filters
    /// through the full row).
    func testMigration067KeepsTheFilterTableInStepWithTheRows() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's index")
            let liuyang = try await t.tenant("liuyang").requireID()
            let analyzer = try await SearchService.analyzer(t.app)
            func filterMismatches() async throws -> Int {
                let cols = M068_AddSearchDocumentLength.columns
                let q: SQLQueryString = "SELECT (SELECT COUNT(*) FROM (SELECT \(unsafeRaw: cols) FROM search_filter EXCEPT SELECT \(unsafeRaw: cols) FROM search_documents)) "
                    + "+ (SELECT COUNT(*) FROM (SELECT \(unsafeRaw: cols) FROM search_documents EXCEPT SELECT \(unsafeRaw: cols) FROM search_filter)) AS n"
                return try await sql.raw(q).first()?.decode(column: "n", as: Int.self) ?? -1
            }
            func objects(_ type: String, _ name: String) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = \(bind: type) AND name = \(bind: name)").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            var first = SearchTests.doc(liuyang, "浏阳融媒体中心启用新演播厅", body: "新演播厅今天投入使用。", tags: ["演播厅"], author: "李明")
            let second = SearchTests.doc(liuyang, "浏阳花炮产业安全生产检查", body: "检查覆盖全市花炮企业。", state: "published", day: 1)
            // rows indexed before 067 are carried over (and have no length until written again, 068)
            try await SearchService.index([first, second], analyzer: analyzer, on: t.db)
            try await M068_AddSearchDocumentLength().revert(on: t.db)
            try await M067_SearchFilterTable().revert(on: t.db)
            try await XCTAssertEqualAsync(try await objects("index", "search_documents_filter"), 1)
            try await XCTAssertEqualAsync(try await objects("table", "search_filter"), 0)
            try await M067_SearchFilterTable().prepare(on: t.db)
            try await M068_AddSearchDocumentLength().prepare(on: t.db)
            try await XCTAssertEqualAsync(try await objects("index", "search_documents_filter"), 0, "064's index is dropped")
            try await XCTAssertEqualAsync(try await sql.raw("SELECT COUNT(*) AS n FROM search_filter").first()?.decode(column: "n", as: Int.self), 2)
            try await XCTAssertEqualAsync(try await filterMismatches(), 0)
            let platform = SearchVisibility.everything(["story"])
            func keys(_ q: String, _ setup: (inout SearchRequest) -> Void = { _ in }) async throws -> [String] {
                var r = SearchRequest()
                r.query = SearchQuery.parse(q)
                setup(&r)
                return try await SearchEngine.run(r, analyzed: AnalyzedQuery(r.query, analyzer: analyzer), visibility: platform, on: t.db).hits.map(\.title)
            }
            try await XCTAssertEqualAsync(try await keys("浏阳") { $0.states = ["published"] }, ["浏阳花炮产业安全生产检查"])
            try await XCTAssertEqualAsync(try await keys("浏阳") { $0.tags = ["演播厅"] }, ["浏阳融媒体中心启用新演播厅"])
            try await XCTAssertEqualAsync(try await keys("浏阳 作者:李明"), ["浏阳融媒体中心启用新演播厅"])
            // a rewrite (published now) and a delete are followed; the rewritten row has its length now
            first.state = "published"
            try await SearchService.index([first], analyzer: analyzer, on: t.db)
            try await XCTAssertEqualAsync(try await filterMismatches(), 0)
            let lengths = try await sql.raw("SELECT doc_tokens FROM search_filter ORDER BY seq").all().map { try $0.decode(column: "doc_tokens", as: Int?.self) }
            XCTAssertEqual(lengths, [IndexedRow(first, analyzer: analyzer).docTokens, nil])
            try await XCTAssertEqualAsync(Set(try await keys("浏阳") { $0.states = ["published"] }), ["浏阳花炮产业安全生产检查", "浏阳融媒体中心启用新演播厅"])
            try await SearchIndex.delete(keys: [second.key], on: t.db)
            try await XCTAssertEqualAsync(try await filterMismatches(), 0)
            try await XCTAssertEqualAsync(try await sql.raw("SELECT COUNT(*) AS n FROM search_filter").first()?.decode(column: "n", as: Int.self), 1)
            try await XCTAssertEqualAsync(try await keys("浏阳") { $0.states = ["published"] }, ["浏阳融媒体中心启用新演播厅"])
        }
    }

    func testSyncJobPicksUpNewStoriesAndEdits() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let s = try await story(t, reporter, "浏阳烟花产业转型升级", "烟花企业推进自动化生产线改造。")
            try await XCTAssertEqualAsync(try await search(t, "烟花", as: reporter).total, 0, "not indexed before the job runs")
            // The job kind is registered and runs the sync.
            XCTAssertNotNil(t.app.zhimei.jobs.handler(for: SearchService.syncKind))
            try await SearchService.sync(app: t.app, on: t.db)
            try await XCTAssertEqualAsync(try await search(t, "烟花", as: reporter).items.map(\.id), [s.id])
            let saved = try await t.send(.PUT, "/api/v1/stories/\(s.id)", json: Save(baseVersion: 1, headline: "浏阳花炮产业转型升级",
                                                                                    body: [Self.para("花炮企业推进自动化。")]), as: reporter)
            XCTAssertEqual(saved.status, .ok, saved.text)
            let n = try await SearchService.sync(app: t.app, on: t.db)
            XCTAssertEqual(n, 1, "only the edited story is read again (watermark)")
            try await XCTAssertEqualAsync(try await search(t, "烟花", as: reporter).total, 0)
            try await XCTAssertEqualAsync(try await search(t, "花炮", as: reporter).items.map(\.title), ["浏阳花炮产业转型升级"])
            // Sending it to review changes only its status; the watermark still sees it, and the state filter follows.
            let submitted = try await t.send(.POST, "/api/v1/review/stories/\(s.id)/submit", json: ["comment": "送审"], as: reporter)
            XCTAssertEqual(submitted.status, .ok, submitted.text)
            try await XCTAssertEqualAsync(try await SearchService.sync(app: t.app, on: t.db), 1, "the status change is picked up")
            let inReview = try await t.send(.GET, "/api/v1/search?q=%E8%8A%B1%E7%82%AE&state=in_review", as: reporter).json(Result.self)
            XCTAssertEqual(inReview.items.map(\.id), [s.id])
        }
    }

    func testReindexAndConsistencyCheck() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let a = try await story(t, reporter, "湘江防汛一线", "防汛队员坚守大堤。")
            _ = try await story(t, reporter, "乡村振兴新路径", "合作社带动农民增收。")
            let indexed = try await SearchService.reindex(app: t.app, tenant: nil, on: t.db)
            XCTAssertGreaterThanOrEqual(indexed, 2)
            let admin = try await t.token(for: "admin")
            var check = try await t.send(.GET, "/api/v1/search/check", as: admin).json(Check.self)
            XCTAssertEqual([check.missing, check.stale, check.orphaned], [0, 0, 0])
            // Break the index three ways: drop a row, add an orphan, make one stale.
            try await SearchIndex.delete(keys: ["story:\(a.id.uuidString.lowercased())"], on: t.db)
            let liuyang = try await t.tenant("liuyang").requireID()
            try await SearchService.index([SearchDocument(kind: "story", sourceID: UUID(), tenantID: liuyang, title: "孤儿", date: Date(), updatedAt: Date())],
                                          analyzer: try await SearchService.analyzer(t.app), on: t.db)
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try await sql.raw("UPDATE search_documents SET state = 'approved' WHERE title = '乡村振兴新路径'").run()
            check = try await t.send(.GET, "/api/v1/search/check", as: admin).json(Check.self)
            XCTAssertEqual([check.missing, check.stale, check.orphaned], [1, 1, 1])
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/search/check", as: try await t.token(for: "liuyang-admin")).status, .forbidden)
            let repaired = try await t.send(.POST, "/api/v1/search/check", raw: #"{"repair":true}"#, as: admin)
            XCTAssertEqual(repaired.status, .ok, repaired.text)
            check = try await t.send(.GET, "/api/v1/search/check", as: admin).json(Check.self)
            XCTAssertEqual([check.missing, check.stale, check.orphaned], [0, 0, 0])
            try await XCTAssertEqualAsync(try await search(t, "防汛", as: reporter).items.map(\.id), [a.id])
        }
    }

    /// Reindexing in small batches runs the read/analyse/write pipeline over many batches and sources; it must write
    /// exactly what one large batch writes, and leave nothing missing, stale or orphaned.
    func testReindexInSmallBatchesEqualsOneBatch() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            for i in 0..<5 { _ = try await story(t, reporter, "蓑衣渡巡堤简报第\(i + 1)期", "第\(i + 1)期：蓑衣渡防汛队员坚守大堤。") }
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            @Sendable func rows() async throws -> [String] {
                try await sql.raw("SELECT id, title, tok_body, state FROM search_documents ORDER BY id").all().map {
                    try [$0.decode(column: "id", as: String.self), $0.decode(column: "title", as: String.self),
                         $0.decode(column: "tok_body", as: String.self), $0.decode(column: "state", as: String.self)].joined(separator: "|")
                }
            }
            let whole = try await SearchService.reindex(app: t.app, tenant: nil, on: t.db)
            let expected = try await rows()
            XCTAssertEqual(whole, expected.count)
            XCTAssertGreaterThanOrEqual(whole, 5)
            let small = try await SearchService.reindex(app: t.app, tenant: nil, on: t.db, batch: 2)
            // Each row exactly once: a page's watermark carries the stored `updated_at` (before, the decoded Date could
            // miss it, and CI saw 7 writes for 5 rows).
            XCTAssertEqual(small, whole)
            try await XCTAssertEqualAsync(try await rows(), expected)
            let check = try await SearchService.check(app: t.app, tenant: nil, repair: false, on: t.db)
            XCTAssertEqual([check.missing, check.stale, check.orphaned], [0, 0, 0])
            try await XCTAssertEqualAsync(try await search(t, "蓑衣渡", as: reporter).total, 5)
        }
    }

    /// Rows sharing one `updated_at` across page boundaries. SQLite stores a double and a Date read back is rounded to
    /// the microsecond, so a watermark compared as a Date either matched the whole group again (a timestamp rounded
    /// down: the sync never got past the group, a reindex never ended) or skipped the rest of it (rounded up).
    func testPagingThroughRowsWithTheSameTimestamp() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            var ids: Set<UUID> = []
            for i in 0..<23 { ids.insert(try await story(t, reporter, "同一时刻第\(i)篇", "正文").id) }
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            let pg = sql.dialect.name == "postgresql"
            let source = BuiltInSearchSources.story
            for stamp in ["1767225600.1234564", "1767225600.1234567"] { // rounds down / up to the microsecond when read
                try await sql.raw(pg ? "UPDATE stories SET updated_at = to_timestamp(\(unsafeRaw: stamp))" : "UPDATE stories SET updated_at = \(unsafeRaw: stamp)").run()
                if !pg {
                    let raw = try await sql.raw("SELECT updated_at FROM stories LIMIT 1").first()?.decode(column: "updated_at", as: Double.self)
                    let decoded = try await sql.raw("SELECT updated_at FROM stories LIMIT 1").first()?.decode(column: "updated_at", as: Date.self)
                    XCTAssertNotEqual(decoded?.timeIntervalSince1970, raw, "the case under test: the decoded time differs from the stored one")
                }
                var mark = SearchWatermark.start, seen: [UUID] = []
                for _ in 0..<20 {
                    let page = try await source.changes(after: mark, limit: 10, tenant: nil, on: t.db)
                    guard let last = page.last else { break }
                    seen += page.map(\.sourceID)
                    mark = try await source.watermark(after: last, on: t.db)
                    if page.count < 10 { break }
                }
                XCTAssertEqual(seen.count, Set(seen).count, "no row twice (\(stamp))")
                XCTAssertTrue(ids.isSubset(of: Set(seen)), "every row (\(stamp)): \(ids.subtracting(seen).count) missing")
                let stamps = try await source.stamps(tenant: nil, on: t.db)
                XCTAssertEqual(stamps.count, seen.count, "the consistency check's stamps page the same way")

                // The sync job in pages of 10, from scratch, then once more from its saved mark: nothing left over.
                try await sql.raw("DELETE FROM search_sync_state").run()
                try await SearchIndex.clear(tenant: nil, on: t.db)
                let synced = try await SearchService.sync(app: t.app, on: t.db, batch: 10, maxBatches: 50)
                let indexed = try await sql.raw("SELECT COUNT(*) AS n FROM search_documents WHERE kind = 'story'").first()?.decode(column: "n", as: Int.self)
                XCTAssertEqual(indexed, seen.count, stamp)
                XCTAssertGreaterThanOrEqual(synced, seen.count)
                let again = try await SearchService.sync(app: t.app, on: t.db, batch: 10, maxBatches: 50)
                XCTAssertEqual(again, 0, "the saved mark is past the group (\(stamp))")
                // Reindex in pages of 10 ends, with every story once.
                let written = try await SearchService.reindex(app: t.app, tenant: nil, on: t.db, batch: 10)
                XCTAssertGreaterThanOrEqual(written, seen.count)
                let after = try await SearchService.check(app: t.app, tenant: nil, repair: false, on: t.db)
                XCTAssertEqual([after.missing, after.stale, after.orphaned], [0, 0, 0], stamp)
            }
        }
    }

    struct JobOut: Decodable { var id: UUID; var kind: String; var tenantId: UUID?; var state: String }
    struct ReindexBody: Encodable { var tenantId: UUID? }

    /// The reindex API enqueues a job (platform admins only); the job rebuilds one tenant's part of the index.
    func testReindexAPIRunsAsAJob() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let s = try await story(t, reporter, "浏阳花炮安全检查", "花炮企业安全生产检查覆盖全市。")
            let liuyang = try await t.tenant("liuyang").requireID()
            try await XCTAssertEqualAsync(try await search(t, "花炮", as: reporter).total, 0)
            let denied = try await t.send(.POST, "/api/v1/search/reindex", json: ReindexBody(tenantId: liuyang), as: try await t.token(for: "liuyang-admin"))
            XCTAssertEqual(denied.status, .forbidden, denied.text)
            let admin = try await t.token(for: "admin")
            let unknown = try await t.send(.POST, "/api/v1/search/reindex", json: ReindexBody(tenantId: UUID()), as: admin)
            XCTAssertEqual(unknown.status, .notFound, unknown.text)
            let res = try await t.send(.POST, "/api/v1/search/reindex", json: ReindexBody(tenantId: liuyang), as: admin)
            XCTAssertEqual(res.status, .accepted, res.text)
            let job = try res.json(JobOut.self)
            XCTAssertEqual(job.kind, SearchService.reindexKind)
            XCTAssertEqual(job.tenantId, liuyang)
            try await XCTAssertTrueAsync(try await JobWorkerPool(application: t.app, concurrency: 1, lease: 30).runOne(owner: "test"))
            let done = try await Job.find(job.id, on: t.db)
            XCTAssertEqual(done?.state, .succeeded)
            XCTAssertTrue(done?.result?.hasSuffix(" indexed") == true, done?.result ?? "")
            try await XCTAssertEqualAsync(try await search(t, "花炮", as: reporter).items.map(\.id), [s.id])
        }
    }

    /// Published items are a search source: every member of the tenant finds them, other tenants do not; a killed
    /// story stays as a headline-only tombstone.
    func testPublishedItemsAreSearchable() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t, headline: "浏阳花炮节开幕")
            let chief = try await t.token(for: "liuyang-chief")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
            try await SearchService.sync(app: t.app, on: t.db)
            let reporter = try await t.token(for: "liuyang-reporter")
            let found = try await t.send(.GET, "/api/v1/search?q=%E8%8A%B1%E7%82%AE%E8%8A%82&type=published", as: reporter).json(Result.self)
            XCTAssertEqual(found.items.map(\.id), [story.id!])
            XCTAssertEqual(found.items.first?.state, "published")
            let body = try await t.send(.GET, "/api/v1/search?q=%E5%8F%82%E5%B1%95&type=published", as: try await t.token(for: "liuyang-admin")).json(Result.self)
            XCTAssertEqual(body.total, 1, "the published body (参展) is indexed")
            let other = try await t.send(.GET, "/api/v1/search?q=%E8%8A%B1%E7%82%AE%E8%8A%82&type=published", as: try await t.token(for: "ningxiang-reporter")).json(Result.self)
            XCTAssertEqual(other.total, 0, "another tenant does not see it")
            let killed = try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/kill", raw: #"{"reason":"事实有误"}"#, as: chief)
            XCTAssertEqual(killed.status, .ok, killed.text)
            try await XCTAssertEqualAsync(try await SearchService.sync(app: t.app, on: t.db) >= 1, true)
            let tomb = try await t.send(.GET, "/api/v1/search?q=%E8%8A%B1%E7%82%AE%E8%8A%82&type=published", as: reporter).json(Result.self)
            XCTAssertEqual(tomb.items.map(\.state), ["killed"])
            let gone = try await t.send(.GET, "/api/v1/search?q=%E5%8F%82%E5%B1%95&type=published", as: reporter).json(Result.self)
            XCTAssertEqual(gone.total, 0, "a killed item's text is no longer searchable")
            let report = try await SearchService.check(app: t.app, tenant: nil, repair: false, on: t.db)
            XCTAssertEqual([report.missing, report.stale, report.orphaned], [0, 0, 0])
        }
    }

    func testSavedSearchAlertNotifiesOnNewMatches() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let created = try await t.send(.POST, "/api/v1/search/saved", raw: #"{"name":"防汛动态","query":"防汛"}"#, as: reporter)
            XCTAssertEqual(created.status, .created, created.text)
            try await XCTAssertEqualAsync(try await SavedSearchService.runAlerts(app: t.app, on: t.db), 0)
            // A county the reporter cannot see writes about 防汛: no alert.
            _ = try await story(t, try await t.token(for: "ningxiang-reporter"), "宁乡防汛演练", "防汛演练。")
            try await SearchService.sync(app: t.app, on: t.db)
            try await XCTAssertEqualAsync(try await SavedSearchService.runAlerts(app: t.app, on: t.db), 0)
            _ = try await story(t, try await t.token(for: "liuyang-editor"), "浏阳防汛应急响应", "全市启动防汛四级应急响应。")
            try await SearchService.sync(app: t.app, on: t.db)
            try await XCTAssertEqualAsync(try await SavedSearchService.runAlerts(app: t.app, on: t.db), 1)
            let user = try await t.user("liuyang-reporter").requireID()
            let notes = try await AppNotification.query(on: t.db).filter(\.$userID == user).filter(\.$kind == "search.alert").all()
            XCTAssertEqual(notes.count, 1)
            XCTAssertTrue(notes.first?.title.contains("浏阳防汛应急响应") ?? false, notes.first?.title ?? "")
            try await XCTAssertEqualAsync(try await SavedSearchService.runAlerts(app: t.app, on: t.db), 0, "nothing new since")
        }
    }

    /// A published story is one result for the people who see the story itself (its published version is folded into
    /// it, in the page, the total and the facets alike); asking for published items by type still lists that version.
    func testAStoryAndItsPublishedVersionAreOneResult() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t, headline: "浏阳花炮节开幕")
            let chief = try await t.token(for: "liuyang-chief")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
            try await SearchService.sync(app: t.app, on: t.db)
            for name in ["liuyang-reporter", "liuyang-chief", "admin"] {
                let found = try await search(t, "花炮节", as: try await t.token(for: name))
                XCTAssertEqual(found.items.map(\.id), [story.id!], name)
                XCTAssertEqual(found.items.map(\.type), ["story"], name)
                XCTAssertEqual(found.total, 1, name)
                XCTAssertEqual(found.facets.type.map(\.value), ["story"], name)
                XCTAssertEqual(found.facets.type.map(\.count), [1], name)
            }
            let reporter = try await t.token(for: "liuyang-reporter")
            let versions = try await t.send(.GET, "/api/v1/search?q=%E8%8A%B1%E7%82%AE%E8%8A%82&type=published", as: reporter).json(Result.self)
            XCTAssertEqual(versions.items.map(\.type), ["published"])
            let both = try await t.send(.GET, "/api/v1/search?q=%E8%8A%B1%E7%82%AE%E8%8A%82&type=story,published", as: reporter).json(Result.self)
            XCTAssertEqual(both.items.map(\.type), ["story"], "both types asked for: still one result per story")
        }
    }

    func testRelatedMaterialForADraft() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            let old = try await story(t, reporter, "浏阳花炮安全生产大检查", "全市花炮企业开展安全生产大检查，排查隐患。")
            _ = try await story(t, reporter, "城市绿化提质", "公园绿地面积持续增加。")
            let draft = try await story(t, reporter, "花炮企业复工", "花炮企业复工前必须通过安全生产检查。")
            try await SearchService.sync(app: t.app, on: t.db)
            let res = try await t.send(.POST, "/api/v1/search/related", raw: #"{"text":"花炮企业安全生产检查要常态化","story_id":"\#(draft.id)"}"#, as: reporter)
            XCTAssertEqual(res.status, .ok, res.text)
            let related = try res.json(Related.self)
            XCTAssertFalse(related.keywords.isEmpty)
            XCTAssertEqual(related.items.first?.id, old.id)
            XCTAssertFalse(related.items.contains { $0.id == draft.id }, "the draft itself is left out")
            let byID = try await t.send(.GET, "/api/v1/search/related?story_id=\(draft.id)", as: reporter)
            XCTAssertEqual(byID.status, .ok, byID.text)
            XCTAssertEqual(try byID.json(Related.self).items.first?.id, old.id)
            // The editor carries the panel and its script.
            let page = try await t.send(.GET, "/stories/\(draft.id)/edit", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-reporter"))
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("id=\"search-related\"") && page.text.contains("/js/search-related.js"))
            // Another county's story is not found.
            let other = try await t.send(.GET, "/api/v1/search/related?story_id=\(draft.id)", as: try await t.token(for: "ningxiang-reporter"))
            XCTAssertEqual(other.status, .notFound)
        }
    }

    /// A person keeps at most `maxPerUser` saved searches, also when several are saved at once: with room for one, four
    /// concurrent saves make one and are refused three times (bilingual 422), and another person is not affected.
    func testSavedSearchLimitHoldsUnderConcurrentSaves() async throws {
        try await withTestApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            for i in 0..<(SavedSearchService.maxPerUser - 1) {
                let r = try await t.send(.POST, "/api/v1/search/saved", raw: #"{"name":"检索\#(i)","query":"防汛\#(i)"}"#, as: reporter)
                XCTAssertEqual(r.status, .created, r.text)
            }
            let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, String).self) { group in
                for i in 0..<4 {
                    group.addTask {
                        let r = try await t.send(.POST, "/api/v1/search/saved", raw: #"{"name":"同时\#(i)","query":"抗旱\#(i)"}"#, as: reporter)
                        return (r.status, r.text)
                    }
                }
                return try await group.reduce(into: [(HTTPStatus, String)]()) { $0.append($1) }
            }
            XCTAssertEqual(statuses.filter { $0.0 == .created }.count, 1, "\(statuses.map(\.0))")
            XCTAssertEqual(statuses.filter { $0.0 == .unprocessableEntity && $0.1.contains("saved_search_limit") }.count, 3, "\(statuses)")
            struct Saved: Decodable { var id: UUID }
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/search/saved", as: reporter).json([Saved].self).count, SavedSearchService.maxPerUser)
            let other = try await t.send(.POST, "/api/v1/search/saved", raw: #"{"name":"别人的","query":"防汛"}"#, as: try await t.token(for: "liuyang-editor"))
            XCTAssertEqual(other.status, .created, other.text)
        }
    }
}
