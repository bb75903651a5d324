import XCTest
@testable import ZhimeiReview

final class FindingTests: XCTestCase {
    /// The workflow gate relies on this order: block outranks warn outranks info.
    func testSeverityOrder() {
        XCTAssertEqual([FindingSeverity.block, .info, .warn].sorted(), [.info, .warn, .block])
        XCTAssertEqual([FindingSeverity.warn, .block].max(), .block)
    }

    /// Findings travel as JSON to the browser and the CLI; the category and severity keep their wire names.
    func testFindingRoundTripsThroughJSON() throws {
        let f = ReviewFinding(category: .typo, severity: .warn, start: 3, end: 5, text: "按装", messageZh: "疑似错别字", messageEn: "Possible typo",
                              suggestions: ["安装"], ruleID: "typo.misused", confidence: 0.9)
        let data = try JSONEncoder().encode(f)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains(#""category":"typo""#))
        XCTAssertEqual(try JSONDecoder().decode(ReviewFinding.self, from: data), f)
    }
}
