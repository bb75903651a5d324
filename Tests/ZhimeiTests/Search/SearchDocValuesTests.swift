import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// The in-memory filter values (SearchDocValues, SQLite): searches filtered and ranked with them return exactly what
/// the join with the filter table returns — for any filter, visibility, sort and page — and they follow every write.
final class SearchDocValuesTests: XCTestCase {
    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    static let kinds = ["story", "lead", "topic", "published"]

    /// Documents over three tenants with every filter column varied; published ones are public.
    static func corpus(_ tenants: [UUID], count: Int) -> [SearchDocument] {
        let words = ["防汛", "交通", "乡村振兴", "融媒体", "教育", "医疗"]
        return (0..<count).map { i in
            let kind = kinds[i % kinds.count]
            var d = SearchTests.doc(tenants[i % tenants.count], "\(words[i % 6])第\(i)篇\(words[(i / 6) % 6])",
                                    body: String(repeating: "\(words[(i * 7) % 6])工作持续推进。", count: 1 + i % 5),
                                    state: ["draft", "published", "in_review", "killed"][(i / 3) % 4], kind: kind, day: i % 9,
                                    language: ["zh-Hans", "zh-Hant", "en"][(i / 5) % 3])
            d.category = ["时政", "经济", "", "社会"][(i / 2) % 4]
            d.channel = kind == "published" ? ["website", "app", "wechat"][i % 3] : ""
            d.visibility = kind == "published" ? "public" : "tenant"
            d.updatedAt = SearchTests.base.addingTimeInterval(Double(i % 13) * 3_600)
            return d
        }
    }

    /// A random request: words from the corpus, some filters, a sort and a page.
    static func request(_ g: inout SystemRandomNumberGenerator, tenants: [UUID], keys: [String]) -> SearchRequest {
        var r = SearchRequest()
        let words = ["防汛", "交通", "乡村振兴", "融媒体", "教育", "医疗", "工作", "防汛 OR 教育", "推进 -交通", "\"持续推进\""]
        r.query = SearchQuery.parse(words[Int.random(in: 0..<words.count, using: &g)])
        func some<T>(_ values: [T]) -> [T] { Bool.random(using: &g) ? [] : values.filter { _ in Bool.random(using: &g) } }
        r.tenants = some(tenants + [UUID()])
        r.kinds = some(kinds + ["asset"])
        r.states = some(["draft", "published", "in_review", "killed"])
        r.channels = Int.random(in: 0..<5, using: &g) == 0 ? some(["website", "app", "wechat"]) : []
        r.categories = some(["时政", "经济", "", "社会"])
        r.languages = some(["zh-Hans", "zh-Hant", "en"])
        if Bool.random(using: &g) { r.from = SearchTests.base.addingTimeInterval(Double(Int.random(in: 0..<5, using: &g)) * SearchTests.day) }
        if Bool.random(using: &g) { r.to = SearchTests.base.addingTimeInterval(Double(Int.random(in: 3..<9, using: &g)) * SearchTests.day) }
        if Int.random(in: 0..<4, using: &g) == 0 { r.updatedAfter = SearchTests.base.addingTimeInterval(Double(Int.random(in: 0..<12, using: &g)) * 3_600) }
        if Int.random(in: 0..<4, using: &g) == 0 { r.excludeKeys = (0..<3).map { _ in keys[Int.random(in: 0..<keys.count, using: &g)] } }
        r.sort = Bool.random(using: &g) ? .relevance : .time
        r.recency = Int.random(in: 0..<3, using: &g) == 0
        r.limit = [1, 5, 20][Int.random(in: 0..<3, using: &g)]
        r.offset = [0, 0, 3, 40][Int.random(in: 0..<4, using: &g)]
        // half with facet counts, as the search page asks (counted in the same pass)
        r.facets = Bool.random(using: &g)
        return r
    }

    /// A random visibility: every kind everywhere, or some kinds in some tenants (with stories, published items collapse).
    static func visibility(_ g: inout SystemRandomNumberGenerator, tenants: [UUID]) -> SearchVisibility {
        if Int.random(in: 0..<4, using: &g) == 0 { return .everything(kinds) }
        var byKind: [String: TenantScope] = [:]
        for kind in kinds where Bool.random(using: &g) {
            byKind[kind] = Bool.random(using: &g) ? .all : .only(Set(tenants.filter { _ in Bool.random(using: &g) }))
        }
        return SearchVisibility(byKind: byKind)
    }

    func compare(_ t: TestApp, _ r: SearchRequest, _ v: SearchVisibility, _ a: AnalyzedQuery, _ note: String) async throws {
        // one clock for both, since the recency boost depends on it
        let now = SearchTests.base.addingTimeInterval(5 * SearchTests.day)
        let joined = try await SearchEngine.run(r, analyzed: a, visibility: v, on: t.db, now: now, docValues: false)
        let inMemory = try await SearchEngine.run(r, analyzed: a, visibility: v, on: t.db, now: now)
        XCTAssertEqual(inMemory.total, joined.total, note)
        XCTAssertEqual(inMemory.hits.map(\.key), joined.hits.map(\.key), note)
        XCTAssertEqual(inMemory.hits.map { ($0.score * 1e9).rounded() }, joined.hits.map { ($0.score * 1e9).rounded() }, note)
        func line(_ f: [String: [(value: String, count: Int)]]) -> [String] {
            f.sorted { $0.key < $1.key }.flatMap { k, v in v.map { "\(k):\($0.value)=\($0.count)" } }
        }
        XCTAssertEqual(line(inMemory.facets), line(joined.facets), note)
        if r.facets { XCTAssertEqual(inMemory.facets["type"]?.reduce(0) { $0 + $1.count }, joined.total, note) }
    }

    func testSameResultsAsTheJoinForAnyFilterVisibilityAndPage() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's in-memory filter values")
            let tenants = [try await t.tenant("liuyang").requireID(), try await t.tenant("ningxiang").requireID(), try await t.tenant("shaoshan").requireID()]
            let docs = Self.corpus(tenants, count: 240)
            try await SearchService.index(docs, analyzer: try await SearchService.analyzer(t.app), on: t.db)
            let analyzer = try await SearchService.analyzer(t.app)
            var g = SystemRandomNumberGenerator()
            let served = SearchDocValues.searchesServed.withLockedValue { $0 }
            var nonEmpty = 0
            for i in 0..<300 {
                let r = Self.request(&g, tenants: tenants, keys: docs.map(\.key))
                let v = Self.visibility(&g, tenants: tenants)
                let a = AnalyzedQuery(r.query, analyzer: analyzer)
                try await compare(t, r, v, a, "request \(i): \(r) \(v)")
                if try await SearchEngine.run(r, analyzed: a, visibility: v, on: t.db).total > 0 { nonEmpty += 1 }
            }
            // the in-memory path really ran (twice per request: compare, then the count above), and found things
            XCTAssertEqual(SearchDocValues.searchesServed.withLockedValue { $0 } - served, 600)
            XCTAssertGreaterThan(nonEmpty, 60)
        }
    }

    func testFollowsRewritesDeletesAndReusedRowNumbers() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's in-memory filter values")
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let analyzer = try await SearchService.analyzer(t.app)
            var docs = (0..<6).map { SearchTests.doc(liuyang, "防汛第\($0)篇", state: "draft", day: $0) }
            try await SearchService.index(docs, analyzer: analyzer, on: t.db)
            var r = SearchRequest()
            r.query = SearchQuery.parse("防汛")
            r.facets = false
            let a = AnalyzedQuery(r.query, analyzer: analyzer)
            let liuyangOnly = SearchVisibility(byKind: ["story": .only([liuyang])])
            func keys(_ r: SearchRequest, _ v: SearchVisibility) async throws -> [String] {
                try await compare(t, r, v, a, "\(r)")
                return try await SearchEngine.run(r, analyzed: a, visibility: v, on: t.db).hits.map(\.key)
            }
            let drafts = { var x = r; x.states = ["draft"]; return x }()
            let published = { var x = r; x.states = ["published"]; return x }()
            let all = try await keys(drafts, liuyangOnly)
            XCTAssertEqual(all.count, 6)
            let got1 = try await keys(published, liuyangOnly)
            XCTAssertEqual(got1, [])

            // a rewrite (state, date) is seen by the next search
            docs[2].state = "published"
            docs[2].date = SearchTests.base.addingTimeInterval(30 * SearchTests.day)
            try await SearchService.index([docs[2]], analyzer: analyzer, on: t.db)
            let got2 = try await keys(published, liuyangOnly)
            XCTAssertEqual(got2, [docs[2].key])
            let got3 = try await keys(drafts, liuyangOnly)
            XCTAssertEqual(got3.count, 5)
            var byTime = drafts
            byTime.states = []
            byTime.sort = .time
            let got4 = try await keys(byTime, liuyangOnly)
            XCTAssertEqual(got4.first, docs[2].key, "its new date")

            // The newest row is deleted and a row of another tenant takes its row number: a liuyang person must not
            // find it, and the deleted one is gone.
            let last = try await sql.raw("SELECT MAX(seq) AS n FROM search_documents").first()?.decode(column: "n", as: Int.self)
            try await sql.raw("DELETE FROM search_documents WHERE seq = \(bind: last)").run()
            let other = SearchTests.doc(ningxiang, "防汛宁乡篇", state: "draft", day: 1)
            try await SearchService.index([other], analyzer: analyzer, on: t.db)
            let reused = try await sql.raw("SELECT seq FROM search_documents WHERE id = \(bind: other.key)").first()?.decode(column: "seq", as: Int.self)
            XCTAssertEqual(reused, last, "SQLite gives the next row the deleted row's number")
            let got5 = try await keys(r, liuyangOnly)
            XCTAssertEqual(Set(got5), Set(docs.map(\.key)).subtracting([docs[5].key]))
            let got6 = try await keys(r, SearchVisibility(byKind: ["story": .only([ningxiang])]))
            XCTAssertEqual(got6, [other.key])

            // A log pruned past the snapshot's version: the values are read again, and still agree.
            try await sql.raw("INSERT INTO search_filter_changes (seq) SELECT seq FROM search_filter").run()
            try await SearchIndex.sql(t.db).raw("DELETE FROM search_filter_changes").run()
            docs[0].state = "killed"
            try await SearchService.index([docs[0]], analyzer: analyzer, on: t.db)
            let killed = { var x = r; x.states = ["killed"]; return x }()
            let got7 = try await keys(killed, liuyangOnly)
            XCTAssertEqual(got7, [docs[0].key])
        }
    }

    /// Which snapshot a search uses, by the version its transaction sees.
    func testPlanByVersion() {
        let store = SearchDocValuesStore()
        func plan(_ change: Int64, _ maxSeq: Int64, oldest: Int64?) -> String {
            switch store.plan(for: SearchDocValuesVersion(change: change, maxSeq: maxSeq), oldestLogged: oldest) {
            case .use(let s): return "use \(s.version.change)/\(s.version.maxSeq)"
            case .catchUp(let s): return "catch up from \(s.version.change)/\(s.version.maxSeq)"
            case .rebuild: return "rebuild"
            case .join: return "join"
            }
        }
        XCTAssertEqual(plan(5, 100, oldest: 1), "rebuild", "nothing in memory yet")
        XCTAssertEqual(plan(5, 100, oldest: 1), "join", "while another search rebuilds")
        store.finishRebuild()
        store.publish(SearchDocValuesBuilder().snapshot(SearchDocValuesVersion(change: 5, maxSeq: 100)))
        XCTAssertEqual(plan(5, 100, oldest: 1), "use 5/100")
        XCTAssertEqual(plan(5, 90, oldest: 1), "use 5/100", "rows added later have no postings in that transaction")
        XCTAssertEqual(plan(5, 120, oldest: 1), "catch up from 5/100", "rows added since")
        XCTAssertEqual(plan(9, 100, oldest: 3), "catch up from 5/100", "the log holds changes 6 to 9")
        XCTAssertEqual(plan(9, 100, oldest: 7), "rebuild", "changes 6 and 7 were pruned")
        store.finishRebuild()
        XCTAssertEqual(plan(9, 100, oldest: nil), "rebuild", "an empty log after changes")
        store.finishRebuild()
        XCTAssertEqual(plan(5 + SearchDocValues.largestCatchUp + 1, 100, oldest: 1), "rebuild", "too many changes to catch up")
        store.finishRebuild()
        XCTAssertEqual(plan(4, 100, oldest: 1), "join", "a transaction older than every snapshot")
        store.publish(SearchDocValuesBuilder().snapshot(SearchDocValuesVersion(change: 9, maxSeq: 100)))
        XCTAssertEqual(plan(5, 100, oldest: 1), "use 5/100", "an older snapshot is kept for a transaction that started before")
        XCTAssertEqual(plan(7, 100, oldest: 1), "catch up from 5/100")
        for c in Int64(10)...Int64(12) { store.publish(SearchDocValuesBuilder().snapshot(SearchDocValuesVersion(change: c, maxSeq: 100))) }
        XCTAssertEqual(plan(5, 100, oldest: 1), "join", "only the newest \(SearchDocValues.keptSnapshots) are kept")
        // a migration changed the schema (a filter table made anew, a column added): rows changed without the log
        switch store.plan(for: SearchDocValuesVersion(change: 12, maxSeq: 100, schema: 1), oldestLogged: 1) {
        case .rebuild: break
        default: XCTFail("another schema must be read again")
        }
    }
}
