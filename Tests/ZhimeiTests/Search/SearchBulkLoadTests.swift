import Fluent
import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// The bulk path (reindex, bench) finds exactly what the ordinary per-row path finds, replaces rows by key, and
/// leaves the trigger and a consistent FTS5 index behind (SQLite's own integrity check); both backends.
final class SearchBulkLoadTests: XCTestCase {
    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    func keys(_ t: TestApp, _ q: String, tenant: UUID) async throws -> [String] {
        var r = SearchRequest()
        r.query = SearchQuery.parse(q)
        r.facets = false
        r.limit = 50
        let analyzer = try await SearchService.analyzer(t.app)
        let out = try await SearchEngine.run(r, analyzed: AnalyzedQuery(r.query, analyzer: analyzer, synonyms: [:]),
                                             visibility: .everything(["story", "lead"]), on: t.db)
        return out.hits.map(\.key)
    }

    func testBulkLoadMatchesTheOrdinaryPath() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let analyzer = try await SearchService.analyzer(t.app)
            let docs = (0..<30).map { i in
                SearchTests.doc(liuyang, "第\(i)期 " + (i % 3 == 0 ? "湘江防汛一线" : "乡村振兴新路径"),
                                body: i % 2 == 0 ? "浏阳市融媒体中心报道：防汛队员坚守大堤。" : "合作社带动农民增收，花炮产业安全生产。",
                                tags: i % 5 == 0 ? ["农业"] : [], kind: i % 4 == 0 ? "lead" : "story", day: i)
            }
            // The per-row (trigger) path first: remember its answers, then clear and load the same rows in bulk.
            try await SearchService.index(docs, analyzer: analyzer, on: t.db)
            let queries = ["防汛", "媒体", "乡村振兴 -防汛", "tag:农业", "\"媒体中心\"", "花炮 OR 大堤"]
            var expected: [String: [String]] = [:]
            for q in queries { expected[q] = try await keys(t, q, tenant: liuyang) }
            XCTAssertEqual(expected["防汛"]?.count, 20)
            try await SearchIndex.clear(tenant: nil, on: t.db)
            try await XCTAssertEqualAsync(try await keys(t, "防汛", tenant: liuyang), [])

            let rows = await SearchService.analyze(docs, analyzer: analyzer)
            // A stale copy of the first document in the same batch: the later copy wins.
            var copy = rows[0]
            copy.tokTitle = "过期"
            let stale = copy
            try await SearchBulkLoad.session(on: t.db) { bulk in
                try await bulk.write([stale] + Array(rows[0..<15]))
                try await bulk.write(Array(rows[15...]))
            }
            try await XCTAssertEqualAsync(try await SearchIndex.count(on: t.db), 30)
            for q in queries { try await XCTAssertEqualAsync(try await keys(t, q, tenant: liuyang), expected[q] ?? [], q) }
            try await XCTAssertEqualAsync(try await keys(t, "过期", tenant: liuyang), [])

            // Rewriting an indexed key in bulk replaces its postings (the old words no longer find it).
            var edited = docs[3]
            edited.title = "洞庭湖候鸟保护"
            edited.body = "候鸟越冬。"
            let changed = edited
            try await SearchBulkLoad.session(on: t.db) { bulk in
                try await bulk.write(await SearchService.analyze([changed], analyzer: analyzer))
            }
            try await XCTAssertEqualAsync(try await keys(t, "候鸟", tenant: liuyang), [changed.key])
            let stillFlood = try await keys(t, "防汛", tenant: liuyang)
            XCTAssertFalse(stillFlood.contains(changed.key))
            try await XCTAssertEqualAsync(try await SearchIndex.count(on: t.db), 30)

            // The ordinary (per-row) path indexes beside the bulk one.
            try await SearchService.index([SearchTests.doc(liuyang, "岳麓书院夜游")], analyzer: analyzer, on: t.db)
            try await XCTAssertEqualAsync(try await keys(t, "书院", tenant: liuyang).count, 1)

            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            if sql.dialect.name != "postgresql" {
                // The contentless index (066) holds exactly one entry per row, under the row's seq, and the rows keep no tokens.
                let ftsRows = try await sql.raw("SELECT rowid AS r FROM search_fts ORDER BY rowid").all().map { try $0.decode(column: "r", as: Int.self) }
                let seqs = try await sql.raw("SELECT seq FROM search_documents ORDER BY seq").all().map { try $0.decode(column: "seq", as: Int.self) }
                XCTAssertEqual(ftsRows, seqs)
                try await XCTAssertEqualAsync(try await sql.raw("SELECT COUNT(*) AS n FROM search_documents WHERE tok_body <> '' OR tok_title <> ''").first()?.decode(column: "n", as: Int.self), 0)
                // FTS5's own check of its index structure.
                try await sql.raw("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')").run()
                // Merging the segments changes nothing a query returns.
                var before: [String: [String]] = [:]
                for q in queries { before[q] = try await keys(t, q, tenant: liuyang) }
                try await SearchBulkLoad.session(on: t.db) { bulk in try await bulk.optimize() }
                try await sql.raw("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')").run()
                for q in queries { try await XCTAssertEqualAsync(try await keys(t, q, tenant: liuyang), before[q] ?? [], q) }
                // The session's connection settings (page cache, sync, checkpoint interval, secure delete) are in force during
                // it and put back after.
                try await t.db.withConnection { conn in
                    let c = try XCTUnwrap(conn as? any SQLDatabase)
                    @Sendable func pragmas(_ sql: any SQLDatabase) async throws -> [Int] {
                        var out: [Int] = []
                        for name in ["cache_size", "synchronous", "wal_autocheckpoint", "secure_delete"] {
                            out.append(try await sql.raw(SQLQueryString("PRAGMA \(unsafeRaw: name)")).first()?.decode(column: name, as: Int.self) ?? -1)
                        }
                        return out
                    }
                    let outside = try await pragmas(c)
                    let inside = try await SearchBulkLoad.session(on: conn) { bulk in try await pragmas(try XCTUnwrap(bulk.db as? any SQLDatabase)) }
                    XCTAssertEqual(inside, [-SearchBulkLoad.cacheKiB, 1, SearchBulkLoad.checkpointPages, 0])
                    XCTAssertEqual(outside.last, 1, "the bundled SQLite's default: freed pages are zeroed")
                    try await XCTAssertEqualAsync(try await pragmas(c), outside)
                    // FTS5's merge width is a setting of the index itself, not of the connection: 16 inside, back after.
                    let before = try await SearchBulkLoad.automerge(c)
                    let during = try await SearchBulkLoad.session(on: conn) { bulk in try await SearchBulkLoad.automerge(try XCTUnwrap(bulk.db as? any SQLDatabase)) }
                    XCTAssertEqual(during, SearchBulkLoad.bulkAutomerge)
                    try await XCTAssertEqualAsync(try await SearchBulkLoad.automerge(c), before)
                    XCTAssertEqual(before, 4)
                }
            }
        }
    }
}
