import Foundation
import XCTest
@testable import ZhimeiReview

/// Round 4 false-alarm guards of the typo model (docs/review-engine.md): 的是 and kinship nouns before 的, tag contexts
/// that must pay part of the pair cost and never rewrite 地, and the confusion search's cost for slips writers were
/// never seen to make. Hand-written sentences, not eval data.
final class FalseAlarmTests: XCTestCase {
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

    /// The round-4 engine: without the round-5 character n-gram veto and weight (which also keep these sentences), so
    /// that each test shows the effect of its own setting.
    static let roundFour: TypoSettings = {
        var t = TypoSettings()
        t.charVetoConfusion = nil; t.charVetoDe = nil; t.charVetoRealWord = nil; t.charVetoContext = nil
        t.charWeight = 0; t.confusionRewritesDi = true
        return t
    }()

    /// 的 before 是 nominalises and a reduplicated kinship noun is no adverb: both stay 的; an adverb before a verb still takes 地.
    func testNominalAndKinshipDeStay() throws {
        let pr = try proofreader()
        for line in ["对我印象最深刻的是那次旅行。", "所以我接受哥哥的推荐。", "我最喜欢的是妈妈的推荐。"] {
            XCTAssertEqual(pr.correct(line), line)
            XCTAssertTrue(pr.check(line).filter { $0.category == .typo }.isEmpty, line)
        }
        XCTAssertEqual(pr.correct("他慢慢的走进教室。"), "他慢慢地走进教室。")
        XCTAssertEqual(pr.check("他慢慢的走进教室。").filter { $0.ruleID == "typo.de" }.map(\.start), [3])
    }

    /// A tag context never rewrites 地 (如此地用功 is right), and must gain part of the pair cost: with the whole cost
    /// waived (weight 0) more context corrections are made than with the default.
    func testTagContextsAreStricter() throws {
        let pr = try proofreader()
        for line in ["为什么你要如此地用功呢？", "你还是好好儿地玩吧。"] { XCTAssertEqual(pr.correct(line), line) }
        XCTAssertEqual(TypoSettings().contextCostWeight, 0.5)
        var waived = FalseAlarmTests.roundFour
        waived.contextCostWeight = 0
        let lax = try proofreader(waived)
        for line in ["吃完饭我就回饭店去。", "这些人得癌症的可能性很高。"] {
            XCTAssertEqual(pr.correct(line), line)
            XCTAssertNotEqual(lax.correct(line), line, "the context alone would decide: \(line)")
        }
        // the tag context still fixes a clear slip
        XCTAssertEqual(pr.correct("我得朋友明天来北京。"), "我的朋友明天来北京。")
    }

    /// News copy that the typo models, learnt from learners' essays, used to "correct" (found on msr_test; these are
    /// hand-written sentences of the same kinds): 座 as a classifier, 由 as "from / by", a causative 使 after an
    /// adverb, 亿 after a numeral, 哪 meaning "any", 部 closing a list item, and 的 after a light verb (进行仔细的检查).
    /// The learners' slips of the same characters are still corrected.
    func testNewsCopyKeepsWhatItMeant() throws {
        let pr = try proofreader()
        let news = ["走进这座灰色的大楼，记者看到工人们正在忙碌。", "全县粮食产量由去年的五十万吨提高到六十万吨。", "具体收费办法由交通部规定。",
                    "这就使粮价上涨的压力进一步加大。", "过度捕捞正使海洋渔业资源逐年减少。", "这台计算机每秒运算超过２亿次。",
                    "进入新时代，哪一行也离不开创新。", "座谈会由宣传部、教育部、文化部联合召开。", "各方要发挥更加积极的作用。",
                    "专家对样品进行了仔细的检查。", "大家对当前形势有了进一步的认识。", "对这类行为要加以必要的限制。",
                    // round 9: a noun after an adjective-adverb, formal 作
                    "对困难要有充分的估计。", "让各方充分发挥它们的积极的作用。", "银行对贷款企业不作硬性要求。", "改革要以社会保障作后盾。",
                    "这座老教室是几代人共同的回忆。"]
        for line in news {
            XCTAssertEqual(pr.correct(line), line)
            XCTAssertTrue(pr.check(line).filter { $0.category == .typo }.isEmpty, line)
        }
        XCTAssertEqual(pr.correct("星期六我座飞机去台北。"), "星期六我坐飞机去台北。")
        XCTAssertEqual(pr.correct("我们应该好好的准备考试。"), "我们应该好好地准备考试。")
        XCTAssertEqual(pr.correct("我们作事要认真。"), "我们做事要认真。")
        // the guards themselves, character by character
        func applies(_ text: String, at: Int) -> Bool { WrittenAsMeant.applies(text.unicodeScalars.map(\.value), at) }
        XCTAssertTrue(applies("这座山", at: 1)); XCTAssertFalse(applies("我座飞机", at: 1))
        XCTAssertTrue(applies("由３０％提高", at: 0)); XCTAssertTrue(applies("由计划经济向市场经济", at: 0)); XCTAssertFalse(applies("我们还由电子信。", at: 3))
        XCTAssertTrue(applies("这就使粮价", at: 2)); XCTAssertFalse(applies("可使不好", at: 1)); XCTAssertFalse(applies("就使不好", at: 1))
        XCTAssertTrue(applies("２亿次", at: 1)); XCTAssertFalse(applies("亿次", at: 0))
        XCTAssertTrue(applies("仅近３年", at: 1)); XCTAssertTrue(applies("近万人", at: 0)); XCTAssertFalse(applies("近来", at: 0))
        XCTAssertTrue(applies("哪一行也离不开", at: 0)); XCTAssertFalse(applies("还有哪家咖啡店", at: 2))
        XCTAssertTrue(applies("电视部、", at: 2)); XCTAssertFalse(applies("部好", at: 0))
    }

    /// Personal names introduced by a role or followed by a title or a verb of saying keep their characters (旦 is not 但
    /// in 老汉高维旦是…); names of common shapes were already kept, and a slip outside a name is still corrected.
    func testNamesBesideRolesAndTitles() throws {
        let pr = try proofreader()
        let lines = ["同村八旬老汉高维旦是解放战争中的老兵。", "中国林科院的盛炜彤等专家呼吁加强保护。", "县审计局倪传启参加了座谈会。",
                     "日本水稻专家原正市先生应邀来县里传授技术。", "浏阳市委书记张建国带队到大瑶镇调研。", "村民李秀英告诉记者，今年的收成比去年好。"]
        for line in lines { XCTAssertTrue(pr.check(line).filter { $0.category == .typo }.isEmpty, line) }
        XCTAssertTrue(NameSlots.covers("老汉高维旦是".unicodeScalars.map(\.value), 4))
        XCTAssertTrue(NameSlots.covers("盛炜彤等专家".unicodeScalars.map(\.value), 2))
        XCTAssertFalse(NameSlots.covers("我们因该去".unicodeScalars.map(\.value), 2))
        XCTAssertEqual(pr.correct("村民李秀英说，我们因该感谢党。"), "村民李秀英说，我们应该感谢党。")
    }

    /// The confusion search charges extra for a replacement writers were never seen to make: these right sentences stay
    /// with the default, and each gets a "correction" when that cost is waived — the setting is what keeps them.
    func testUnseenPairsCostMore() throws {
        var waived = FalseAlarmTests.roundFour
        waived.unseenPairPenalty = 0
        let strict = try proofreader(), lax = try proofreader(waived)
        for line in ["我当过两年老师。", "周末我带学生去博物馆。", "我喜欢吃义式面条。", "他在诚品书店买了一本书。"] {
            XCTAssertEqual(strict.correct(line), line)
            XCTAssertNotEqual(lax.correct(line), line, line)
        }
        // a slip in the prior pays no extra: 因该 is still corrected to 应该
        XCTAssertTrue(RealWordModel.isLearned("因".unicodeScalars.first!.value, "应".unicodeScalars.first!.value))
        XCTAssertEqual(strict.correct("我们因该保护环境。"), "我们应该保护环境。")
    }

    /// ZHIMEI_REVIEW_PRIOR (tuning only) reads the string literals of a generated LearnedPairs.swift; anything else is ignored.
    func testPriorFileLiterals() {
        let generated = "enum LearnedPairs {\n    static let table = \"\"\"\n的地1.4 在再1.3\n\"\"\"\n    static let context = \"\"\"\n得|r|n|的|90\n\"\"\"\n}\n"
        XCTAssertEqual(LearnedPrior.literal(generated, "table"), "的地1.4 在再1.3")
        XCTAssertEqual(LearnedPrior.literal(generated, "context"), "得|r|n|的|90")
        XCTAssertNil(LearnedPrior.literal("not a generated file", "table"))
        XCTAssertNil(LearnedPrior.literal("static let table = \"\"\"\nno end", "table"))
        XCTAssertFalse(LearnedPrior.table.isEmpty)
    }
}
