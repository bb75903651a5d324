import Fluent
import Foundation
import SQLKit
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// Search: Chinese tokens, T/S, query syntax, bad input, tenancy, ranking order on both backends, upkeep.
final class SearchTests: XCTestCase {
    struct Facet: Decodable { var value: String; var label: String; var count: Int }
    struct Facets: Decodable { var type: [Facet]; var state: [Facet]; var tenant: [Facet]; var category: [Facet]; var language: [Facet] }
    struct Hit: Decodable { var id: UUID; var type: String; var tenantId: UUID; var title: String; var titleHtml: String; var snippetHtml: String; var state: String }
    struct Result: Decodable { var total: Int; var items: [Hit]; var facets: Facets; var highlight: [String] }

    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    static let day: TimeInterval = 86_400
    static let base = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01

    static func doc(_ tenant: UUID, _ title: String, lead: String = "", body: String = "", tags: [String] = [], author: String = "张三",
                    state: String = "draft", kind: String = "story", day: Int = 0, language: String = "zh-Hans") -> SearchDocument {
        SearchDocument(kind: kind, sourceID: UUID(), tenantID: tenant, title: title, lead: lead, body: body, tags: tags, category: "时政",
                       author: author, state: state, language: language, date: base.addingTimeInterval(Double(day) * Self.day),
                       updatedAt: base.addingTimeInterval(Double(day) * Self.day))
    }

    func index(_ t: TestApp, _ docs: [SearchDocument]) async throws {
        try await SearchService.index(docs, analyzer: try await SearchService.analyzer(t.app), on: t.db)
    }

    func search(_ t: TestApp, _ q: String, as actor: TestActor, extra: String = "") async throws -> Result {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let res = try await t.send(.GET, "/api/v1/search?q=\(encoded)\(extra)", as: actor)
        XCTAssertEqual(res.status, .ok, res.text)
        return try res.json(Result.self)
    }

    func titles(_ r: Result) -> [String] { r.items.map(\.title) }

    /// Asserts the titles a query returns (in order, or as a set).
    func expect(_ t: TestApp, _ q: String, as actor: TestActor, extra: String = "", _ expected: [String], ordered: Bool = true,
                file: StaticString = #filePath, line: UInt = #line) async throws {
        let got = titles(try await search(t, q, as: actor, extra: extra))
        if ordered { XCTAssertEqual(got, expected, q, file: file, line: line) } else { XCTAssertEqual(Set(got), Set(expected), q, file: file, line: line) }
    }

    func total(_ t: TestApp, _ q: String, as actor: TestActor, extra: String = "") async throws -> Int {
        try await search(t, q, as: actor, extra: extra).total
    }

    func testChineseTokensAndTraditionalSimplified() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            try await index(t, [
                Self.doc(liuyang, "浏阳市融媒体中心启用新演播厅", body: "新演播厅今天投入使用。"),
                Self.doc(liuyang, "鄉村振興新氣象", body: "浏阳市推進鄉村振興，農民收入持續增長。", language: "zh-Hant"),
                Self.doc(liuyang, "花炮产业安全生产检查", body: "安全检查覆盖全市花炮企业。"),
            ])
            let admin = try await t.token(for: "admin")
            // Whole word and its part both find 融媒体中心.
            try await expect(t, "融媒体", as: admin, ["浏阳市融媒体中心启用新演播厅"])
            try await expect(t, "媒体", as: admin, ["浏阳市融媒体中心启用新演播厅"])
            // Simplified query finds the Traditional story, and the Traditional query finds it too.
            try await expect(t, "乡村振兴", as: admin, ["鄉村振興新氣象"])
            let trad = try await search(t, "鄉村振興", as: admin)
            XCTAssertEqual(titles(trad), ["鄉村振興新氣象"])
            XCTAssertTrue(trad.items[0].titleHtml.contains("<mark>"), trad.items[0].titleHtml)
            let studio = try await search(t, "演播厅", as: admin)
            XCTAssertEqual(studio.items.first?.snippetHtml.contains("<mark>演播厅</mark>"), true, studio.items.first?.snippetHtml ?? "")
        }
    }

    func testQuerySyntax() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            try await index(t, [
                Self.doc(liuyang, "防汛抗旱工作会议召开", body: "会议部署防汛工作。", tags: ["防汛"], author: "李四"),
                Self.doc(liuyang, "浏阳河水位上涨", body: "防汛形势严峻，抗旱任务也重。", author: "王五"),
                Self.doc(liuyang, "抗旱保苗在行动", body: "农业部门组织抗旱。", tags: ["农业"], author: "王五"),
                Self.doc(liuyang, "城市交通改造", body: "交通改造工程进入新阶段。", author: "赵六"),
            ])
            let admin = try await t.token(for: "admin")
            try await expect(t, "防汛", as: admin, ["防汛抗旱工作会议召开", "浏阳河水位上涨"], ordered: false)
            try await expect(t, "防汛 -会议", as: admin, ["浏阳河水位上涨"])
            try await expect(t, "防汛 OR 交通", as: admin, ["防汛抗旱工作会议召开", "浏阳河水位上涨", "城市交通改造"], ordered: false)
            try await expect(t, "标题:防汛", as: admin, ["防汛抗旱工作会议召开"])
            try await expect(t, "抗旱 作者:王五 tag:农业", as: admin, ["抗旱保苗在行动"])
            try await expect(t, "\"交通改造工程\"", as: admin, ["城市交通改造"])
            let n82829 = try await total(t, "\"改造交通\"", as: admin); XCTAssertEqual(n82829, 0, "a phrase needs its words in order")
            try await expect(t, "抗旱", as: admin, extra: "&tag=%E5%86%9C%E4%B8%9A", ["抗旱保苗在行动"])
            let n64983 = try await total(t, "防汛", as: admin, extra: "&from=2027-01-01"); XCTAssertEqual(n64983, 0)
        }
    }

    /// SQLite (066): the `zhimei` FTS5 tokenizer gives a word's sub-words the word's position — a phrase may begin on
    /// one (浏阳 of 浏阳市) but not on a piece that is no sub-word (市), and sub-words do not lengthen the field for bm25.
    func testSQLiteTokenizerPutsSubwordsAtTheirWordsPosition() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's tokenizer")
            let liuyang = try await t.tenant("liuyang").requireID()
            try await index(t, [Self.doc(liuyang, "浏阳市融媒体中心启用新演播厅", body: "正文。", day: 1)])
            func matches(_ fts: String) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM search_fts WHERE search_fts MATCH \(bind: fts)").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            try await XCTAssertEqualAsync(try await matches("tok_title : \"浏阳 融\""), 1)
            try await XCTAssertEqualAsync(try await matches("tok_title : \"融 媒体 中心\""), 1)
            try await XCTAssertEqualAsync(try await matches("tok_title : \"演播\""), 1)
            try await XCTAssertEqualAsync(try await matches("tok_title : \"市 融\""), 0)
            try await XCTAssertEqualAsync(try await matches("tok_title : \"浏阳 浏阳市\""), 0)
            // the title's size is its 7 words (浏阳市 融 媒体 中心 启用 新 演播厅), not 9 with the sub-words 浏阳 and 演播
            let size = try await sql.raw("SELECT hex(sz) AS h FROM search_fts_docsize").first()?.decode(column: "h", as: String.self)
            XCTAssertEqual(size?.prefix(2), "07")  // the first varint: the title column
        }
    }

    /// A phrase is found inside a compound: "媒体中心" (媒体 + 中心) in 融媒体中心 (融媒体 + 中心); the words must
    /// still follow each other, Latin words keep whole-word ends, and an excluded phrase drops what it would find.
    func testPhraseMatchesInsideCompounds() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            try await index(t, [
                Self.doc(liuyang, "浏阳市融媒体中心启用新演播厅", body: "新演播厅今天投入使用。", day: 3),
                Self.doc(liuyang, "媒体走进中心城区", body: "记者在中心城区采访。", day: 2),
                Self.doc(liuyang, "New York Times visits", body: "A delegation from New York met the newsroom.", day: 1),
                Self.doc(liuyang, "Renew Yorkshire pudding", body: "renew yorkshire recipes", day: 0),
            ])
            let admin = try await t.token(for: "admin")
            try await expect(t, "\"媒体中心\"", as: admin, ["浏阳市融媒体中心启用新演播厅"])
            try await expect(t, "标题:\"媒体中心\"", as: admin, ["浏阳市融媒体中心启用新演播厅"])
            try await expect(t, "\"融媒体中心\"", as: admin, ["浏阳市融媒体中心启用新演播厅"])
            try await expect(t, "媒体 中心", as: admin, ["浏阳市融媒体中心启用新演播厅", "媒体走进中心城区"], ordered: false)
            let reversed = try await total(t, "\"中心媒体\"", as: admin); XCTAssertEqual(reversed, 0, "the words must be in order")
            try await expect(t, "\"媒体中心\" OR 演播厅", as: admin, ["浏阳市融媒体中心启用新演播厅"])
            try await expect(t, "\"new york\"", as: admin, ["New York Times visits"])
            try await expect(t, "媒体 -\"媒体中心\"", as: admin, ["媒体走进中心城区"])
            try await expect(t, "城区 -\"媒体走进\"", as: admin, [])
            try await expect(t, "york OR yorkshire -\"new york\"", as: admin, ["Renew Yorkshire pudding"])
        }
    }

    /// 作者: with pinyin initials finds the author's name; surnames are read as surnames (单 shan, 曾 zeng).
    func testAuthorPinyinInitials() async throws {
        guard let dir = TestApp.textDataDirectory, SearchPinyin.load(textData: dir) != nil else { throw XCTSkip("pinyin table missing: run scripts/review/setup-data.sh") }
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            try await index(t, [
                Self.doc(liuyang, "防汛一线见闻", author: "张晓明", day: 3),
                Self.doc(liuyang, "评书艺术传承", author: "单田芳", day: 2),
                Self.doc(liuyang, "湘军历史研究", author: "曾国藩 李四", day: 1),
                Self.doc(liuyang, "乡村学校新貌", author: "赵雪", day: 0),
            ])
            let admin = try await t.token(for: "admin")
            try await expect(t, "作者:zxm", as: admin, ["防汛一线见闻"])
            try await expect(t, "作者:ZXM", as: admin, ["防汛一线见闻"])
            try await expect(t, "作者:zx", as: admin, ["防汛一线见闻", "乡村学校新貌"])
            try await expect(t, "作者:stf", as: admin, ["评书艺术传承"])
            try await expect(t, "作者:dtf", as: admin, [])
            try await expect(t, "作者:zgf", as: admin, ["湘军历史研究"])
            try await expect(t, "作者:cgf", as: admin, [])
            try await expect(t, "作者:ls", as: admin, ["湘军历史研究"])
            try await expect(t, "防汛", as: admin, extra: "&author=zxm", ["防汛一线见闻"])
            try await expect(t, "作者:晓明", as: admin, ["防汛一线见闻"])
        }
        let p = SearchPinyin.load(textData: TestApp.textDataDirectory!)!
        XCTAssertEqual(p.field("张晓明，李四/王五"), " zxm ls ww ")
        XCTAssertEqual(p.field("记者 Tom"), " jz ")
        XCTAssertEqual(p.field(""), "")
    }

    func testBadInputIsPlainText() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            try await index(t, [Self.doc(liuyang, "OR 1=1 测试稿件", body: "NEAR 星号 * 和 ^ 插入符")])
            let admin = try await t.token(for: "admin")
            for q in ["，。！？……", "!!!", "\" OR 1=1 --", "'; DROP TABLE search_documents; --", "NEAR(测试 稿件) * ^ : {tok_title}",
                      "\"未闭合的引号 测试", "测试 \"", "-", "OR", "标题:", "tag:\"", "\u{0}\u{1}测试", String(repeating: "新闻发布会 ", count: 2000)] {
                let r = try await search(t, q, as: admin)
                XCTAssertLessThanOrEqual(r.total, 1, q)
            }
            let n9560 = try await total(t, "，。！？", as: admin); XCTAssertEqual(n9560, 0)
            let n29533 = try await total(t, "\"测试 稿件", as: admin); XCTAssertEqual(n29533, 1, "an unbalanced quote is plain text")
            try await expect(t, "\" OR 1=1 --", as: admin, ["OR 1=1 测试稿件"])
            let rows = try await SearchIndex.count(on: t.db)
            XCTAssertEqual(rows, 1)
            // Bad filters are clear 400s, never 500s.
            for bad in ["limit=0", "limit=abc", "offset=-1", "sort=x", "from=2026-13-45", "tenant_id=nope", "type=nothing", "recency=maybe"] {
                let res = try await t.send(.GET, "/api/v1/search?q=a&\(bad)", as: admin)
                XCTAssertEqual(res.status, .unprocessableEntity, bad + res.text)
            }
            // NUL and control characters in filters are plain text too (PostgreSQL text cannot hold NUL).
            for odd in ["author=%00x", "tag=%00%01", "state=%00", "category=a%00b", "q=%00", "language=%E2%80%AE%00"] {
                let res = try await t.send(.GET, "/api/v1/search?\(odd)", as: admin)
                XCTAssertEqual(res.status, .ok, odd + res.text)
            }
            let saved = try await t.send(.POST, "/api/v1/search/saved", raw: #"{"name":"a\u0000b","query":"\u0000测试"}"#, as: admin)
            XCTAssertEqual(saved.status, .created, saved.text)
            let long = try await t.send(.GET, "/api/v1/search?q=" + String(repeating: "a", count: 10_000), as: admin)
            XCTAssertEqual(long.status, .ok)
            // A query too long for a URL (10,000 Chinese characters are 90 KB percent-encoded, over the server's
            // 80 KiB request head) goes by POST, with the same filters and the same answer as GET.
            let posted = try await t.send(.POST, "/api/v1/search", raw: #"{"q":"\#(String(repeating: "测试稿件", count: 2_500))","limit":5}"#,
                                          as: admin, overNetwork: true)
            XCTAssertEqual(posted.status, .ok, posted.text)
            XCTAssertEqual(try posted.json(Result.self).items.map(\.title), ["OR 1=1 测试稿件"])
            let viaGet = try await search(t, "测试 -星号", as: admin, extra: "&type=story&state=draft&limit=5&sort=time&recency=true")
            let viaPost = try await t.send(.POST, "/api/v1/search", raw: #"{"q":"测试 -星号","type":"story","state":"draft","limit":5,"sort":"time","recency":true}"#, as: admin)
            XCTAssertEqual(try viaPost.json(Result.self).items.map(\.id), viaGet.items.map(\.id))
            let both = try await t.send(.POST, "/api/v1/search", raw: #"{"q":"测试","type":"story","state":"draft"}"#, as: admin)
            XCTAssertEqual(try both.json(Result.self).total, 1)
            let other = try await t.send(.POST, "/api/v1/search", raw: #"{"q":"测试","state":"published"}"#, as: admin)
            XCTAssertEqual(try other.json(Result.self).total, 0, "the body's filters apply")
            for bad in [#"{"limit":0}"#, #"{"q":"\#(String(repeating: "a", count: SearchRequestParser.maxQ + 1))"}"#, #"{"sort":"x"}"#,
                        #"{"limit":"x"}"#, #"{"recency":"maybe"}"#, #"{"tenant_id":"nope"}"#, #"[1,2]"#, "not json"] {
                let res = try await t.send(.POST, "/api/v1/search", raw: bad, as: admin)
                XCTAssertTrue((400..<500).contains(res.status.code), "\(bad.prefix(40)): \(res.status)")
                XCTAssertTrue(res.text.contains("message_en"), res.text)
            }
        }
    }

    func testTenancyInResultsFacetsAndCounts() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            try await index(t, [
                Self.doc(liuyang, "浏阳独家未发稿件烟花", body: "独家内容烟花", state: "draft"),
                Self.doc(ningxiang, "宁乡烟花安全检查", body: "宁乡的烟花报道", state: "published"),
            ])
            let county = try await t.token(for: "ningxiang-editor")
            let r = try await search(t, "烟花", as: county)
            XCTAssertEqual(titles(r), ["宁乡烟花安全检查"])
            XCTAssertEqual(r.total, 1)
            XCTAssertEqual(r.facets.tenant.map(\.value), [ningxiang.uuidString.lowercased()])
            XCTAssertEqual(r.facets.state.map(\.value), ["published"])
            let exclusive = try await search(t, "独家", as: county)
            XCTAssertEqual(exclusive.total, 0)
            XCTAssertTrue(exclusive.facets.tenant.isEmpty && exclusive.items.isEmpty)
            // Asking for the other tenant explicitly returns nothing.
            let n87033 = try await total(t, "烟花", as: county, extra: "&tenant_id=\(liuyang)"); XCTAssertEqual(n87033, 0)
            let page = try await t.send(.GET, "/search?q=%E7%83%9F%E8%8A%B1", headers: ["Accept": "text/html"], as: try await t.session(for: "ningxiang-editor"))
            XCTAssertEqual(page.status, .ok)
            XCTAssertFalse(page.text.contains("独家"))
            XCTAssertTrue(page.text.contains("宁乡"))
            XCTAssertTrue(page.text.contains("<mark>烟花</mark>"), "highlighted")
            XCTAssertTrue(page.text.contains("class=\"topbar-search\""), "the top bar has the search box")
            // The platform admin sees both, with both tenants in the facets.
            let all = try await search(t, "烟花", as: try await t.token(for: "admin"))
            XCTAssertEqual(all.total, 2)
            XCTAssertEqual(Set(all.facets.tenant.map(\.value)), [liuyang.uuidString.lowercased(), ningxiang.uuidString.lowercased()])
        }
    }

    /// The same fixed corpus ranks in the same order on SQLite (bm25) and PostgreSQL (ts_rank): title > lead > tags > body,
    /// ties by date (newer first). This test runs on both backends with one expected order.
    func testRankingOrderIsTheSameOnBothBackends() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let filler = "本报讯 今年以来，全市各部门认真落实各项部署，推动经济社会持续健康发展。"
            try await index(t, [
                Self.doc(liuyang, "正文提到甲", body: filler + "防汛" + filler, day: 1),
                Self.doc(liuyang, "导语提到", lead: "防汛工作全面展开", body: filler, day: 1),
                Self.doc(liuyang, "防汛会商会议", body: filler, day: 1),
                Self.doc(liuyang, "标签提到", body: filler, tags: ["防汛"], day: 1),
                Self.doc(liuyang, "正文提到乙", body: filler + "防汛" + filler, day: 3),
                Self.doc(liuyang, "无关", body: filler, day: 5),
            ])
            let admin = try await t.token(for: "admin")
            let r = try await search(t, "防汛", as: admin)
            XCTAssertEqual(titles(r), ["防汛会商会议", "导语提到", "标签提到", "正文提到乙", "正文提到甲"], TestApp.backendName)
            let byTime = try await search(t, "防汛", as: admin, extra: "&sort=time")
            XCTAssertEqual(byTime.items.first?.title, "正文提到乙")
        }
    }

    /// Pages: the total is the number of all matches on every page (also the last, short one), a page past the end is empty
    /// but still counted, and the pages together are the whole ranked list, by relevance and by time.
    func testPagesAndTotals() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let docs = (0..<7).map { i in Self.doc(liuyang, "防汛第\(i)篇" + String(repeating: "防汛", count: i), body: "正文。", day: i) }
            try await index(t, docs + [Self.doc(liuyang, "无关稿件", body: "正文。")])
            let admin = try await t.token(for: "admin")
            let all = try await search(t, "防汛", as: admin, extra: "&limit=100")
            XCTAssertEqual(all.total, 7)
            for sort in ["relevance", "time"] {
                let whole = try await search(t, "防汛", as: admin, extra: "&limit=100&sort=\(sort)")
                var paged: [String] = []
                for offset in stride(from: 0, to: 7, by: 3) {
                    let page = try await search(t, "防汛", as: admin, extra: "&limit=3&offset=\(offset)&sort=\(sort)")
                    XCTAssertEqual(page.total, 7, "page at \(offset), \(sort)")
                    paged += titles(page)
                }
                XCTAssertEqual(paged, titles(whole), sort)
            }
            let byTime = try await search(t, "防汛", as: admin, extra: "&limit=2&sort=time")
            XCTAssertEqual(titles(byTime), ["防汛第6篇" + String(repeating: "防汛", count: 6), "防汛第5篇" + String(repeating: "防汛", count: 5)])
            let past = try await search(t, "防汛", as: admin, extra: "&limit=3&offset=30")
            XCTAssertEqual(past.items.count, 0)
            XCTAssertEqual(past.total, 7, "a page past the end still reports the total")
            let filtered = try await search(t, "防汛", as: admin, extra: "&limit=2&from=2026-01-04")
            XCTAssertEqual(filtered.total, 4, "filters count too")
        }
    }

    /// The page's facets: nothing is active until a value is chosen; a value without a value ("（无）") is shown with its
    /// count but is not a link (an empty filter is no filter, and a missing parameter used to mark it active).
    func testSearchPageFacetLinks() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            var plain = Self.doc(liuyang, "防汛简报甲", body: "正文。")
            plain.category = ""
            try await index(t, [plain, Self.doc(liuyang, "防汛简报乙", body: "正文。")])
            let editor = try await t.session(for: "liuyang-editor")
            let page = try await t.send(.GET, "/search?q=%E9%98%B2%E6%B1%9B", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(page.status, .ok)
            let facets = String(page.text.split(separator: "search-facets").dropFirst().first ?? "")
            XCTAssertFalse(facets.isEmpty)
            XCTAssertFalse(facets.contains("class=\"active\""), "no facet is active before one is chosen")
            XCTAssertTrue(facets.contains("<span class=\"facet-none\">（无）</span>"), facets)
            XCTAssertTrue(facets.contains("category=%E6%97%B6%E6%94%BF"), "时政 is a link")
            let chosen = try await t.send(.GET, "/search?q=%E9%98%B2%E6%B1%9B&category=%E6%97%B6%E6%94%BF", headers: ["Accept": "text/html"], as: editor)
            let chosenFacets = String(chosen.text.split(separator: "search-facets").dropFirst().first ?? "")
            XCTAssertEqual(chosenFacets.components(separatedBy: "class=\"active\"").count - 1, 1, "the chosen value is active")
            XCTAssertTrue(chosen.text.contains("简报乙") && !chosen.text.contains("简报甲"))
            // no hits: no (empty) facet card, and the results take the whole width
            let none = try await t.send(.GET, "/search?q=%E6%97%A0%E6%AD%A4%E8%AF%8D%E8%AF%AD", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(none.status, .ok)
            XCTAssertFalse(none.text.contains("search-facets"), "no facet card without hits")
            XCTAssertTrue(none.text.contains("search-layout search-layout-single"))
            XCTAssertFalse(none.text.contains("search-suggestion"), "nothing to correct in 无此词语")
            // a misspelt query that finds nothing is offered the proofreader's spelling
            let typo = try await t.send(.GET, "/search?q=%E5%86%8D%E6%8E%A5%E5%86%8D%E5%8A%B1", headers: ["Accept": "text/html"], as: editor)
            XCTAssertTrue(typo.text.contains("是不是要找") && typo.text.contains("q=%E5%86%8D%E6%8E%A5%E5%86%8D%E5%8E%89"), typo.text)
        }
    }

    /// Facet counts from the one grouped pass equal those of one query per facet (the fallback for many combinations).
    func testFacetCountsOnePassEqualsPerField() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            var docs: [SearchDocument] = []
            for i in 0..<12 {
                var d = Self.doc(i % 3 == 0 ? ningxiang : liuyang, "防汛第\(i)篇", body: "正文。", state: ["draft", "published", "in_review"][i % 3],
                                 kind: i % 4 == 0 ? "lead" : "story", day: i, language: i % 5 == 0 ? "zh-Hant" : "zh-Hans")
                d.category = ["时政", "经济"][i % 2]
                docs.append(d)
            }
            try await index(t, docs)
            let analyzer = try await SearchService.analyzer(t.app)
            var r = SearchRequest()
            r.query = SearchQuery.parse("防汛")
            let a = AnalyzedQuery(r.query, analyzer: analyzer)
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            let pg = sql.dialect.name == "postgresql"
            let base = try XCTUnwrap(SearchEngine.fromWhere(r, a, visibility: .everything(["story", "lead"]), pg: pg))
            let onePass = try await SearchEngine.facetCounts(sql, base)
            let perField = try await SearchEngine.facetCounts(sql, base, combinationLimit: 1)
            XCTAssertEqual(Set(onePass.keys), ["type", "state", "tenant", "category", "language"])
            for (key, values) in onePass {
                XCTAssertEqual(values.map { "\($0.value)=\($0.count)" }, (perField[key] ?? []).map { "\($0.value)=\($0.count)" }, key)
            }
            XCTAssertEqual(onePass["type"]?.map { "\($0.value)=\($0.count)" }, ["story=9", "lead=3"])
            XCTAssertEqual(onePass["state"]?.reduce(0) { $0 + $1.count }, 12)

            // A page with facets comes from one pass too: the same hits, total and counts as the page and a second pass.
            func line(_ f: [String: [(value: String, count: Int)]]) -> [String] {
                f.sorted { $0.key < $1.key }.flatMap { k, v in v.map { "\(k):\($0.value)=\($0.count)" } }
            }
            for (sort, offset, limit) in [(SearchRequest.Sort.relevance, 0, 5), (.relevance, 5, 5), (.time, 0, 20), (.time, 10, 5), (.relevance, 30, 5)] {
                r.sort = sort; r.offset = offset; r.limit = limit
                r.facets = false
                let page = try await SearchEngine.run(r, analyzed: a, visibility: .everything(["story", "lead"]), on: t.db)
                let ranked = try await SearchEngine.rankedWithFacets(sql, r, a, base, pg: pg, now: Date(), limit: limit, offset: offset)
                let one = try XCTUnwrap(ranked)
                XCTAssertEqual(one.hits.map(\.key), page.hits.map(\.key), "\(sort) \(offset)")
                XCTAssertEqual(one.hits.map(\.title), page.hits.map(\.title))
                XCTAssertEqual(one.hits.map { ($0.score * 1e6).rounded() }, page.hits.map { ($0.score * 1e6).rounded() })
                XCTAssertEqual(one.total, 12)
                XCTAssertEqual(page.total, 12, "the page's total, past the end too: \(sort) \(offset)")
                XCTAssertEqual(line(one.facets), line(onePass))
                r.facets = true
                let viaRun = try await SearchEngine.run(r, analyzed: a, visibility: .everything(["story", "lead"]), on: t.db)
                XCTAssertEqual(viaRun.hits.map(\.key), page.hits.map(\.key))
                XCTAssertEqual(viaRun.total, 12)
                XCTAssertEqual(line(viaRun.facets), line(onePass))
            }
            let tooMany = try await SearchEngine.rankedWithFacets(sql, r, a, base, pg: pg, now: Date(), limit: 5, offset: 0, combinationLimit: 1)
            XCTAssertNil(tooMany?.total, "too many combinations: the caller counts per field")
        }
    }
}
