import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// `zhimei_top` (SQLite): the same rows, in the same order, and the same count as `ORDER BY … LIMIT k` and `COUNT(*)`.
final class SearchTopMatchesTests: XCTestCase {
    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    func testKeepsWhatOrderByAndLimitKeep() async throws {
        try await withTestApp { t in
            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try XCTSkipIf(sql.dialect.name == "postgresql", "SQLite's aggregate")
            try await sql.raw("CREATE TABLE top_probe (seq INTEGER PRIMARY KEY, score REAL NOT NULL, dd REAL NOT NULL, did TEXT NOT NULL)").run()
            let found = { (k: Int, byScore: Int) async throws -> (total: Int, rows: [(seq: Int, score: Double)]) in
                let text = try await sql.raw("SELECT zhimei_top(\(literal: k), \(literal: byScore), score, dd, did, seq) AS top FROM top_probe")
                    .first()?.decode(column: "top", as: String.self)
                return SearchTopMatches.decode(try XCTUnwrap(text))
            }
            // no rows: a total of 0 and nothing kept
            let none = try await found(20, 1)
            XCTAssertEqual(none.total, 0)
            XCTAssertTrue(none.rows.isEmpty)

            // Few distinct scores and dates, so that ties are broken by the date and then by the id (byte order:
            // upper-case before lower-case, shorter before longer).
            var g = SystemRandomNumberGenerator()
            let ids = ["a", "B", "ab", "b", "A0", "a0", "Z", "aa"]
            var probe: [Int: (score: Double, dd: Double, did: String)] = [:]
            for seq in 1...600 {
                let row = ([-1.5, 0, 2.25, 7.125, 7.5][Int.random(in: 0..<5, using: &g)], Double(Int.random(in: 0..<6, using: &g)) * 86_400,
                           ids[Int.random(in: 0..<ids.count, using: &g)] + String(seq % 7))
                probe[seq] = row
                try await sql.raw("INSERT INTO top_probe (seq, score, dd, did) VALUES (\(bind: seq), \(bind: row.0), \(bind: row.1), \(bind: row.2))").run()
            }
            for (k, byScore) in [(20, 1), (20, 0), (1, 1), (1, 0), (0, 1), (137, 1), (600, 1), (1000, 0)] {
                let order = byScore == 1 ? "score DESC, dd DESC, did ASC, seq ASC" : "dd DESC, did ASC, seq ASC"
                let expected = try await sql.raw("SELECT seq FROM top_probe ORDER BY \(unsafeRaw: order) LIMIT \(literal: k)").all()
                    .map { try $0.decode(column: "seq", as: Int.self) }
                let got = try await found(k, byScore)
                XCTAssertEqual(got.total, 600, "k \(k)")
                // Rows that tie on score, date and id may come in either order (the engine's ids are unique), so the
                // rows are compared by what they are ordered by.
                let key = { (seq: Int) -> String in
                    guard let r = probe[seq] else { return "no row \(seq)" }
                    return (byScore == 1 ? "\(r.score) " : "") + "\(r.dd) \(r.did)"
                }
                XCTAssertEqual(got.rows.map { key($0.seq) }, expected.map(key), "k \(k), by score \(byScore)")
                XCTAssertEqual(got.rows.count, min(k, 600))
                // each kept row carries its own score
                for row in got.rows { XCTAssertEqual(probe[row.seq]?.score, row.score) }
            }
            // a k beyond the largest accepted is clamped, not an error
            let clamped = try await found(Int(Int32.max) * 4, 1)
            XCTAssertEqual(clamped.rows.count, 600)
        }
    }

    func testDecodesItsOwnText() {
        let d = SearchTopMatches.decode("3\n12 -0.5\n7 1e-06\n")
        XCTAssertEqual(d.total, 3)
        XCTAssertEqual(d.rows.map(\.seq), [12, 7])
        XCTAssertEqual(d.rows.map(\.score), [-0.5, 0.000001])
        XCTAssertEqual(SearchTopMatches.decode("0").total, 0)
    }
}
