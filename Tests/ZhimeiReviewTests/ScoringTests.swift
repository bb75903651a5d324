import XCTest
@testable import ZhimeiTextCLI

final class ScoringTests: XCTestCase {
    /// A hand-made set: one fixed, one half fixed with a wrong edit, one clean untouched, one clean broken.
    func testSpellingScore() {
        var s = SpellingScore()
        s.add(source: "问提在此", gold: "问题在此", output: "问题在此")      // 1 gold edit, corrected
        s.add(source: "特续下骨", gold: "持续下滑", output: "持续下骨")      // 2 gold edits, 1 corrected
        s.add(source: "天气很好", gold: "天气很好", output: "天气很好")      // clean, untouched
        s.add(source: "我们去了", gold: "我们去了", output: "我门去了")      // clean, false positive
        s.add(source: "在来一次", gold: "再来一次", output: "载来一次")      // detected, wrong correction
        XCTAssertEqual(s.goldEdits, 4)
        XCTAssertEqual(s.predictedEdits, 4)
        XCTAssertEqual(s.detectedTP, 3)
        XCTAssertEqual(s.correctedTP, 2)
        XCTAssertEqual(s.detectionPrecision, 0.75, accuracy: 1e-9)
        XCTAssertEqual(s.detectionRecall, 0.75, accuracy: 1e-9)
        XCTAssertEqual(s.correctionF1, 0.5, accuracy: 1e-9)
        // sentence level: modified 4 (all but the untouched clean one), exactly right 1; error sentences 3
        XCTAssertEqual(s.sentencePrecision, 0.25, accuracy: 1e-9)
        XCTAssertEqual(s.sentenceRecall, 1.0 / 3.0, accuracy: 1e-9)
        XCTAssertEqual(s.falsePositiveRate, 0.5, accuracy: 1e-9)
    }
}
