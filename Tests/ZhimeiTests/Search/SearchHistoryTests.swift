import Fluent
import Foundation
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// 最近搜索: the search page records each search (words and filters, once however often it is run, newest first, 20
/// kept), shows the latest under an empty box to the person alone, and the person can clear them.
final class SearchHistoryTests: XCTestCase {
    struct Entry: Decodable { var query: String; var link: String }

    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    func testSearchesAreRecordedShownToTheirOwnerAndCleared() async throws {
        try await withTestApp { t in
            let html: HTTPHeaders = ["Accept": "text/html"]
            let session = try await t.session(for: "liuyang-editor")
            let token = try await t.token(for: "liuyang-editor")
            func search(_ query: String) async throws {
                let res = try await t.send(.GET, "/search?" + query, headers: html, as: session)
                XCTAssertEqual(res.status, .ok)
            }
            func history() async throws -> [Entry] { try await t.send(.GET, "/api/v1/search/history", as: token).json([Entry].self) }

            try await search("q=%E9%98%B2%E6%B1%9B&type=story")
            try await search("q=%E7%83%9F%E8%8A%B1")
            try await search("q=%E9%98%B2%E6%B1%9B&type=story")
            try await search("q=%E7%83%9F%E8%8A%B1&offset=20")
            try await search("")
            try await XCTAssertEqualAsync(try await history().map(\.link), ["/search?q=%E9%98%B2%E6%B1%9B&type=story", "/search?q=%E7%83%9F%E8%8A%B1"],
                                          "once each, the latest first; a later page and an empty box are not searches")
            let page = try await t.send(.GET, "/search", headers: html, as: session).text
            XCTAssertTrue(page.contains(#"<a href="/search?q=%E9%98%B2%E6%B1%9B&amp;type=story">防汛</a>"#), page)
            XCTAssertTrue(page.contains("最近搜索"))
            let searched = try await t.send(.GET, "/search?q=%E9%98%B2%E6%B1%9B", headers: html, as: session).text
            XCTAssertFalse(searched.contains("id=\"search-history\""), "not shown beside results")

            let other = try await t.send(.GET, "/search", headers: html, as: try await t.session(for: "liuyang-reporter")).text
            XCTAssertFalse(other.contains("search-history"), "another person's history is not shown")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/search/history", as: try await t.token(for: "liuyang-reporter")).json([Entry].self).count, 0)

            for i in 0..<(SearchHistory.kept + 3) { try await search("q=%E8%AF%8D\(i)") }
            let kept = try await history()
            XCTAssertEqual(kept.count, SearchHistory.kept)
            XCTAssertEqual(kept.first?.query, "词\(SearchHistory.kept + 2)")

            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/search/history", as: token).status, .noContent)
            try await XCTAssertEqualAsync(try await history().count, 0)
        }
    }
}
