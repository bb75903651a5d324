import Foundation
import XCTest
@testable import Zhimei

/// The formatter-free timestamp reader gives the formatters' result for every form it accepts, and leaves the rest
/// to them.
final class PostTimestampTests: XCTestCase {
    func testAgreesWithTheFormattersOnRandomTimes() throws {
        var rng = SearchCorpus.Random(seed: 20261204)
        let forms: [(Int, Int, Int, Int, Int, Int, Int) -> String] = [
            { y, mo, d, h, mi, s, _ in String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s) },
            { y, mo, d, h, mi, s, ms in String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, ms) },
            { y, mo, d, h, mi, s, ms in String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%dZ", y, mo, d, h, mi, s, ms % 10) },
            { y, mo, d, h, mi, s, _ in String(format: "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, mo, d, h, mi, s) },
            { y, mo, d, h, mi, s, _ in String(format: "%04d-%02d-%02dT%02d:%02d:%02d-05:30", y, mo, d, h, mi, s) },
            { y, mo, d, h, mi, s, _ in String(format: "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s) },
            { y, mo, d, h, mi, _, _ in String(format: "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi) },
            { y, mo, d, h, mi, s, _ in String(format: "%04d/%02d/%02d %02d:%02d:%02d", y, mo, d, h, mi, s) },
            { y, mo, d, h, mi, _, _ in String(format: "%04d/%02d/%02d %02d:%02d", y, mo, d, h, mi) },
            { y, mo, d, _, _, _, _ in String(format: "%04d-%02d-%02d", y, mo, d) },
        ]
        var fast = 0
        for i in 0..<3_000 {
            let year = [1992, 2000, 2024, 2025, 2026, 2100, 2400][Int(rng.next() % 7)] + (i % 3 == 0 ? Int(rng.next() % 40) : 0)
            let month = Int(rng.next() % 12) + 1
            let day = Int(rng.next() % UInt64(PostTimestamp.daysIn(month: month, year: year))) + 1
            let text = forms[i % forms.count](year, month, day, Int(rng.next() % 24), Int(rng.next() % 60), Int(rng.next() % 60),
                                              Int(rng.next() % 1000))
            let expected = try XCTUnwrap(PostRecord.formatterDate(text), text)
            let got = try XCTUnwrap(PostTimestamp.parse(text), text)
            XCTAssertEqual(got.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 0.0005, text)
            XCTAssertEqual(PostRecord.date(text)?.timeIntervalSince1970 ?? .nan, expected.timeIntervalSince1970, accuracy: 0.0005, text)
            fast += 1
        }
        XCTAssertEqual(fast, 3_000)
        // Leap days and month ends.
        for text in ["2024-02-29 12:00:00", "2000-02-29T00:00:00Z", "2025-12-31T23:59:59+14:00", "1992-01-01", "2025-06-30 08:00"] {
            XCTAssertEqual(try XCTUnwrap(PostTimestamp.parse(text), text).timeIntervalSince1970,
                           try XCTUnwrap(PostRecord.formatterDate(text), text).timeIntervalSince1970, accuracy: 0.0005, text)
        }
    }

    func testLeavesOtherFormsToTheFormatters() {
        // Impossible dates, other widths, summer-time years of Asia/Shanghai, zone forms it does not read, garbage.
        for text in ["2025-02-29 10:00:00", "2100-02-29T00:00:00Z", "2025-13-01", "2025-1-5 3:04:05", "1988-07-01 12:00:00",
                     "2025-12-01T08:00:00", "2025-12-01T08:00Z", "2025-12-01T08:00:00+0800", "2025-12-01T08:00:00.1234Z",
                     "2025-12-01T24:00:00Z", "2025/12/01", "2025-12-01 08:00:00 ", "二〇二五年十二月一日", "", "2025-12-01T08:00:00.Z"] {
            XCTAssertNil(PostTimestamp.parse(text), text)
        }
        // They still reach the formatters through PostRecord.date.
        XCTAssertNotNil(PostRecord.date("2025-1-5 3:04:05"))
        XCTAssertEqual(PostRecord.date("1988-07-01 12:00:00")?.timeIntervalSince1970,
                       PostRecord.formatterDate("1988-07-01 12:00:00")?.timeIntervalSince1970)
        XCTAssertNil(PostRecord.date("明天"))
    }
}
