import Foundation
import XCTest
@testable import ZhimeiReview

/// The learned confusion prior (pair costs and part-of-speech contexts from SIGHAN training sets, `LearnedPairs`)
/// and the real-word pass that uses it. Hand-written sentences, not eval data.
final class LearnedPriorTests: XCTestCase {
    func proofreader(_ settings: TypoSettings = TypoSettings()) throws -> Proofreader {
        let d = try ReviewSupport.data()
        guard d.resources.hasLanguageModel || !ReviewSupport.languageModelExpected else {
            XCTFail("review/lm_bigram.bin missing: scripts/review/setup-data.sh should install it (ZHIMEI_REVIEW_LM=0 to opt out)")
            throw CocoaError(.fileNoSuchFile)
        }
        try XCTSkipUnless(d.resources.hasLanguageModel, "ZHIMEI_REVIEW_LM=0: language model deliberately not installed")
        return Proofreader(engine: d.engine, configuration: ReviewConfiguration(categories: [.typo, .grammar]), resources: d.resources,
                           typoSettings: settings)
    }

    func scalar(_ s: String) -> UInt32 { s.unicodeScalars.first!.value }

    /// The generated tables parse: frequent learner slips have cheap pairs, rare ones dear; 他/她/它 are never tried.
    func testTablesParse() {
        let table = RealWordModel.learnedTable
        func cost(_ x: String, _ y: String) -> Float? { table[scalar(x)]?.first { $0.0 == scalar(y) }?.1 }
        let deDi = try? XCTUnwrap(cost("的", "地")), zaiZai = try? XCTUnwrap(cost("在", "再"))
        XCTAssertNotNil(deDi); XCTAssertNotNil(zaiZai)
        XCTAssertLessThan(deDi ?? 99, 3, "的 written for 地 is one of the most frequent slips")
        XCTAssertGreaterThan(table.count, 300, "hundreds of written characters have learned pairs")
        XCTAssertTrue(table.values.allSatisfy { $0.allSatisfy { $0.1 >= 0.1 && $0.1 < 10 } }, "costs are −ln P, clamped to 0.1…9.9")
        XCTAssertNil(table[scalar("他")], "gender is not decided from a window")
        XCTAssertGreaterThan(RealWordModel.builtinTable.count, 20)
        XCTAssertGreaterThan(table.count, RealWordModel.builtinTable.count)
        let ctx = ContextPrior.shared
        XCTAssertGreaterThan(ctx.choices.count, 500)
        XCTAssertTrue(ctx.choices.values.allSatisfy { $0.share >= 0 && $0.share <= 1 })
        // a malformed entry is skipped, not a crash
        let odd = ContextPrior(table: "得|r|n|的|90 broken|entry 的||||")
        XCTAssertEqual(odd.choices.count, 1)
        XCTAssertEqual(odd.choice(scalar("得"), prev: odd.id("r"), next: odd.id("n"))?.intended, scalar("的"))
        XCTAssertNil(odd.choice(scalar("得"), prev: odd.id("v"), next: odd.id("a")))
    }

    /// 得 between a pronoun and a noun was meant as 的: found by a learned tag context, explained as such,
    /// and not found without the learned prior.
    func testTagContextCorrection() throws {
        let pr = try proofreader()
        XCTAssertEqual(pr.correct("我得朋友明天来北京。"), "我的朋友明天来北京。")
        let f = pr.check("我得朋友明天来北京。").filter { $0.ruleID == "typo.realword" }
        XCTAssertEqual(f.map(\.start), [1])
        XCTAssertEqual(f.map(\.subcategory), ["的地得"])
        XCTAssertTrue(f.allSatisfy { $0.messageZh.contains("词性搭配") && $0.messageEn.contains("parts of speech") })
        var off = TypoSettings()
        off.learnedPairs = false
        XCTAssertEqual(try proofreader(off).correct("我得朋友明天来北京。"), "我得朋友明天来北京。")
        // the right uses of 得 stay
        for line in ["这件事我得好好想一想。", "我觉得这本书很好看。", "他跑得很快。"] { XCTAssertEqual(pr.correct(line), line) }
    }

    /// Characters inside common dictionary words are not tried by the real-word pass (一下 is not 以下), unless asked.
    func testCommonWordsLeftAlone() throws {
        let pr = try proofreader()
        for line in ["请你考虑一下这个问题。", "我们讨论一下明天的安排。", "他已经不再是当年的那个少年了。"] {
            XCTAssertEqual(pr.correct(line), line)
        }
        XCTAssertEqual(pr.correct("我在也不想去那里了。"), "我再也不想去那里了。")
    }

    /// Rare proper nouns made of lone characters (a species name the dictionary lacks) are left alone.
    func testRareProperNounsLeftAlone() throws {
        let pr = try proofreader()
        for line in ["保护区内发现了国家一级保护动物中华秋沙鸭。", "中华秋沙鸭是第三纪冰川期后残存下来的物种。"] {
            XCTAssertEqual(pr.correct(line), line)
        }
    }
}
