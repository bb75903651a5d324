import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// `zhimei_bm25` (SQLite): bm25() itself when counting in full, the given counts' IDF when sampled, and the engine's
/// phrase list numbered as FTS5 numbers it.
final class SearchRankingTests: XCTestCase {
    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    /// 80 stories: every one mentions 融媒体; 演播厅 in every fourth title, 乡村振兴 in a few bodies, Latin words and numbers
    /// in some leads, lengths vary.
    func corpus(_ tenant: UUID) -> [SearchDocument] {
        (0..<80).map { i in
            SearchTests.doc(tenant, i % 4 == 0 ? "融媒体中心启用新演播厅\(i)" : "融媒体中心报道第\(i)期",
                            lead: (i % 3 == 0 ? "演播厅今天投入使用" : "记者在现场") + (i % 10 == 0 ? "，Zhimei AI 5G 报道 2026年!" : ""),
                            body: String(repeating: "融媒体记者走进乡村。", count: 1 + i % 5) + (i % 9 == 0 ? "乡村振兴取得新进展。" : ""),
                            tags: i % 2 == 0 ? ["融媒体"] : ["民生"], day: i)
        }
    }

    static let queries = ["融媒体 演播厅", "\"乡村振兴\"", "标题:演播厅 记者", "演播厅 OR 乡村振兴", "融媒体 -乡村振兴", "tag:民生 融媒体"]

    /// Scores per row for a MATCH expression and a ranking call (e.g. "bm25(search_fts, 10.0, 5.0, 3.0, 1.0)").
    func scores(_ sql: any SQLDatabase, _ fts: String, _ call: String) async throws -> [Int: Double] {
        var out: [Int: Double] = [:]
        for row in try await sql.raw("SELECT rowid AS r, \(unsafeRaw: call) AS s FROM search_fts WHERE search_fts MATCH \(bind: fts)").all() {
            out[try row.decode(column: "r", as: Int.self)] = try row.decode(column: "s", as: Double.self)
        }
        return out
    }

    func analyzed(_ t: TestApp, _ q: String) async throws -> AnalyzedQuery {
        AnalyzedQuery(SearchQuery.parse(q), analyzer: try await SearchService.analyzer(t.app))
    }

    func testCountingInFullGivesBM25sScores() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's ranking function")
            try await SearchService.index(corpus(try await t.tenant("liuyang").requireID()), analyzer: try await SearchService.analyzer(t.app), on: t.db)
            for q in Self.queries {
                let fts = try await analyzed(t, q).fts5
                let expected = try await scores(sql, fts, "bm25(search_fts, \(SearchEngine.bm25Weights))")
                XCTAssertFalse(expected.isEmpty, q)
                let got = try await scores(sql, fts, "zhimei_bm25(search_fts, \(SearchEngine.bm25Weights), NULL, NULL)")
                XCTAssertEqual(got, expected, q)
                // the length from the row (068) instead of FTS5's docsize: the same scores
                let joined = try await scores(sql, fts, "zhimei_bm25(search_fts, \(SearchEngine.bm25Weights), (SELECT doc_tokens FROM search_filter WHERE seq = search_fts.rowid), NULL)")
                XCTAssertEqual(joined, expected, q)
            }
        }
    }

    /// Given each phrase's exact count as a "sample" of every row, the scores are bm25()'s — so the engine's phrase list
    /// (`ftsPhrases`) is in FTS5's order: counts given to the wrong phrases would change them. A smaller count for a
    /// one-phrase query raises every score by exactly the IDF's ratio.
    func testSampledCountsAreTheIDFsCounts() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's ranking function")
            try await SearchService.index(corpus(try await t.tenant("liuyang").requireID()), analyzer: try await SearchService.analyzer(t.app), on: t.db)
            func count(_ fts: String) async throws -> Int {
                try await sql.raw("SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH \(bind: fts)").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            let rows = try await sql.raw("SELECT count(*) AS n FROM search_documents").first()?.decode(column: "n", as: Int.self) ?? -1
            XCTAssertEqual(rows, 80)
            for q in Self.queries {
                let a = try await analyzed(t, q)
                var counts: [Int] = []
                for phrase in a.ftsPhrases { counts.append(try await count(phrase)) }
                if counts.count > 1 { XCTAssertGreaterThan(Set(counts).count, 1, "\(q): the phrases' counts differ, so an order mix-up shows") }
                let sample = SearchIDFSample(rows: rows, hits: counts)
                let expected = try await scores(sql, a.fts5, "bm25(search_fts, \(SearchEngine.bm25Weights))")
                // the engine's own score expression (with the row's length from the filter table) and the sample's arguments
                let engine = "SELECT search_fts.rowid AS r, " + SearchEngine.score(SearchRequest(), a, pg: false, now: Date(), sample: sample)
                    + " AS s FROM search_fts JOIN search_filter d ON d.seq = search_fts.rowid WHERE search_fts MATCH \(bind: a.fts5)"
                var got: [Int: Double] = [:]
                for row in try await sql.raw(engine).all() { got[try row.decode(column: "r", as: Int.self)] = try row.decode(column: "s", as: Double.self) }
                XCTAssertEqual(got.count, expected.count, q)
                for (row, s) in expected { XCTAssertEqual(got[row] ?? 0, -s, accuracy: abs(s) * 1e-12, q) }
            }
            // one phrase in 9 of 80 rows; a sample saying 1 of 40 (2 of 80) raises its IDF from log(71.5/9.5) to log(78.5/2.5)
            let fts = try await analyzed(t, "\"乡村振兴\"").fts5
            let full = try await scores(sql, fts, "zhimei_bm25(search_fts, \(SearchEngine.bm25Weights), NULL, NULL)")
            let counted = try await count(fts)
            let sampled = try await scores(sql, fts, "zhimei_bm25(search_fts, \(SearchEngine.bm25Weights), NULL, 40, 1)")  // 1 of 40 → 2 of 80
            let ratio = log((80.0 - 2 + 0.5) / 2.5) / log((80.0 - Double(counted) + 0.5) / (Double(counted) + 0.5))
            XCTAssertGreaterThan(ratio, 1.5)
            for (row, s) in full { XCTAssertEqual(sampled[row] ?? 0, s * ratio, accuracy: abs(s) * 1e-9) }
        }
    }

    /// The engine samples only an index larger than the window: common phrases get the window's count, rare ones none
    /// (counted in full); and a search over such an index ranks as counting in full does when the sample is exact.
    func testTheSampleCoversTheNewestRowsAndLeavesRarePhrasesToAFullCount() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's ranking function")
            try await SearchService.index(corpus(try await t.tenant("liuyang").requireID()), analyzer: try await SearchService.analyzer(t.app), on: t.db)
            let a = try await analyzed(t, "融媒体 乡村振兴")
            let none = try await SearchIDFSample.take(sql, phrases: a.ftsPhrases, window: 80)
            XCTAssertNil(none, "the window holds the whole index: count in full")
            let taken = try await SearchIDFSample.take(sql, phrases: a.ftsPhrases, window: 40)
            let sample = try XCTUnwrap(taken)
            XCTAssertEqual(sample.rows, 40)
            var expected: [Int?] = []
            for phrase in a.ftsPhrases {
                let n = try await sql.raw("SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH \(bind: phrase) AND rowid > (SELECT max(seq) - 40 FROM search_documents)")
                    .first()?.decode(column: "n", as: Int.self) ?? -1
                expected.append(n >= SearchIDFSample.minimumHits ? n : nil)
            }
            XCTAssertEqual(sample.hits, expected)
            XCTAssertEqual(sample.hits.first, 40, "融媒体 is in each of the newest 40 rows")
            XCTAssertEqual(sample.hits.last, .some(nil), "乡村振兴 (or its last piece) is in too few of them: counted in full")
        }
    }
}
