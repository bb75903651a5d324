import Foundation
import XCTest
@testable import Zhimei

/// The page links under server-rendered lists (PageLinks, pager.leaf).
final class PageLinksTests: XCTestCase {
    func testPageNumbersKeepTheFiltersAndStopAtTheEnds() {
        let keep = [URLQueryItem(name: "kind", value: "sensitive"), URLQueryItem(name: "q", value: ""), URLQueryItem(name: "level", value: nil)]
        let first = PageLinks(number: 1, size: 200, total: 450, shown: 200, path: "/review/lexicon", keep: keep)
        XCTAssertEqual([first.from, first.to], [1, 200])
        XCTAssertTrue(first.hasPages)
        XCTAssertEqual([first.firstURL, first.previousURL], ["", ""])
        XCTAssertEqual(first.nextURL, "/review/lexicon?page=2&kind=sensitive")
        XCTAssertEqual(first.lastURL, "/review/lexicon?page=3&kind=sensitive")
        let last = PageLinks(number: 3, size: 200, total: 450, shown: 50, path: "/review/lexicon", keep: keep)
        XCTAssertEqual([last.from, last.to], [401, 450])
        XCTAssertEqual([last.nextURL, last.lastURL], ["", ""])
        XCTAssertEqual(last.previousURL, "/review/lexicon?page=2&kind=sensitive")
        XCTAssertEqual(last.firstURL, "/review/lexicon?page=1&kind=sensitive")
        let one = PageLinks(number: 1, size: 200, total: 200, shown: 200, path: "/x", keep: [])
        XCTAssertFalse(one.hasPages)
        let none = PageLinks(number: 1, size: 200, total: 0, shown: 0, path: "/x", keep: [])
        XCTAssertEqual([none.from, none.to], [0, 0])
        XCTAssertFalse(none.hasPages)
        XCTAssertEqual(PageLinks.requested(nil, size: 50, largestOffset: 100_000), 1)
        XCTAssertEqual(PageLinks.requested(-3, size: 50, largestOffset: 100_000), 1)
        XCTAssertEqual(PageLinks.requested(Int.max, size: 50, largestOffset: 100_000), 2_001)
    }

    func testOffsetsOfAnUnevenStart() {
        // the leads inbox addresses rows by offset; an offset between pages still reaches both ends
        let p = PageLinks(offset: 5, size: 20, total: 45, shown: 20, path: "/leads", keep: [URLQueryItem(name: "status", value: "new")])
        XCTAssertEqual([p.from, p.to], [6, 25])
        XCTAssertEqual(p.previousURL, "/leads?offset=0&status=new")
        XCTAssertEqual(p.nextURL, "/leads?offset=25&status=new")
        XCTAssertEqual(p.lastURL, "/leads?offset=40&status=new")
        let end = PageLinks(offset: 40, size: 20, total: 45, shown: 5, path: "/leads", keep: [])
        XCTAssertEqual([end.nextURL, end.lastURL], ["", ""])
        XCTAssertEqual(end.previousURL, "/leads?offset=20")
    }
}
