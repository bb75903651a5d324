import Fluent
import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// One facet value per language and category: a story's "zh" and a lead's "zh-Hans" are one language, a lead's
/// category code and a story's Chinese category one category — in the index, the filter and the facet; migration 065
/// rewrites rows indexed before; both backends.
final class SearchFacetSpellingTests: XCTestCase {
    typealias S = SearchTests

    func index(_ t: TestApp, _ docs: [SearchDocument]) async throws {
        try await SearchService.index(docs, analyzer: try await SearchService.analyzer(t.app), on: t.db)
    }

    func search(_ t: TestApp, _ q: String, as actor: TestActor, extra: String = "") async throws -> S.Result {
        let res = try await t.send(.GET, "/api/v1/search?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")\(extra)", as: actor)
        XCTAssertEqual(res.status, .ok, res.text)
        return try res.json(S.Result.self)
    }

    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    func testSpellings() {
        XCTAssertEqual(["zh", "zh-CN", "zh_cn", " zh-Hans ", "cmn"].map(SearchFacetSpelling.language), Array(repeating: "zh-Hans", count: 5))
        XCTAssertEqual(["zh-TW", "zh-hk", "zh-Hant"].map(SearchFacetSpelling.language), Array(repeating: "zh-Hant", count: 3))
        XCTAssertEqual(SearchFacetSpelling.language("en"), "en")
        XCTAssertEqual(SearchFacetSpelling.category("economy"), "经济")
        XCTAssertEqual(SearchFacetSpelling.category("经济"), "经济")
        XCTAssertEqual(SearchFacetSpelling.category("本地新闻"), "本地新闻")
        XCTAssertEqual(LanguageNames.label("zh-Hant", "zh"), "繁体中文")
        XCTAssertEqual(LanguageNames.label("zh-Hans", "en"), "Chinese (Simplified)")
    }

    func testOneFacetValuePerLanguageAndCategory() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let editor = try await t.token(for: "liuyang-editor")
            var story = S.doc(liuyang, "花炮出口创新高", language: "zh")
            story.category = "经济"
            var lead = S.doc(liuyang, "花炮企业招工", kind: "lead", language: "zh-Hans")
            lead.category = SearchFacetSpelling.category("economy")
            let traditional = S.doc(liuyang, "花炮節開幕", kind: "lead", language: "zh-TW")
            try await index(t, [story, lead, traditional])

            let all = try await search(t, "花炮", as: editor)
            XCTAssertEqual(all.total, 3)
            XCTAssertEqual(all.facets.language.map(\.value).sorted(), ["zh-Hans", "zh-Hant"])
            XCTAssertEqual(all.facets.language.first { $0.value == "zh-Hans" }?.count, 2)
            XCTAssertEqual(all.facets.language.first { $0.value == "zh-Hans" }?.label, "简体中文")
            XCTAssertEqual(all.facets.category.first { $0.value == "经济" }?.count, 2)
            // Any spelling of a language or a lead's category code filters the same rows.
            for filter in ["&language=zh", "&language=zh-Hans", "&language=zh-CN"] {
                try await XCTAssertEqualAsync(try await search(t, "花炮", as: editor, extra: filter).total, 2, filter)
            }
            try await XCTAssertEqualAsync(try await search(t, "花炮", as: editor, extra: "&language=zh-Hant").total, 1)
            try await XCTAssertEqualAsync(try await search(t, "花炮", as: editor, extra: "&category=economy").total, 2)
        }
    }

    func testMigrationRewritesOldSpellings() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let editor = try await t.token(for: "liuyang-editor")
            try await index(t, [S.doc(liuyang, "防汛演练", kind: "story"), S.doc(liuyang, "防汛物资", kind: "lead"),
                                    S.doc(liuyang, "防汛专题", kind: "topic")])
            // Rows as the index held them before 065.
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try await sql.raw("UPDATE search_documents SET language = 'zh' WHERE kind = 'story'").run()
            try await sql.raw("UPDATE search_documents SET category = 'emergency' WHERE kind = 'lead'").run()
            try await sql.raw("UPDATE search_documents SET category = 'normal' WHERE kind = 'topic'").run()
            try await M065_NormalizeSearchFacets().prepare(on: t.db)
            let rows = try await sql.raw("SELECT kind, language, category FROM search_documents ORDER BY kind").all()
            let seen = try rows.map { "\(try $0.decode(column: "kind", as: String.self)) \(try $0.decode(column: "language", as: String.self)) \(try $0.decode(column: "category", as: String.self))" }
            XCTAssertEqual(seen, ["lead zh-Hans 突发", "story zh-Hans 时政", "topic zh-Hans "])
            // The tokens were not touched: the rows are still found, and FTS5's own check passes on SQLite.
            try await XCTAssertEqualAsync(try await search(t, "防汛", as: editor).total, 3)
            if sql.dialect.name != "postgresql" {
                try await sql.raw("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')").run()
                // 065 puts the update trigger back only where it found it: the contentless index (066) has none.
                let triggers = try await sql.raw("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name = 'search_documents_au'").first()
                XCTAssertEqual(try triggers?.decode(column: "n", as: Int.self), 0)
            }
        }
    }
}
