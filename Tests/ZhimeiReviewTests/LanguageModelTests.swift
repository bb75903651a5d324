import Foundation
import XCTest
@testable import ZhimeiReview

/// Real-word typo detection with the sunpinyin bigram language model (hand-written sentences, not eval data).
final class LanguageModelTests: XCTestCase {
    func proofreader() throws -> Proofreader {
        let d = try ReviewSupport.data()
        guard d.resources.hasLanguageModel || !ReviewSupport.languageModelExpected else {
            XCTFail("review/lm_bigram.bin missing: scripts/review/setup-data.sh should install it (ZHIMEI_REVIEW_LM=0 to opt out)")
            throw CocoaError(.fileNoSuchFile)
        }
        try XCTSkipUnless(d.resources.hasLanguageModel, "ZHIMEI_REVIEW_LM=0: language model deliberately not installed")
        return try ReviewSupport.proofreader(ReviewConfiguration(categories: [.typo, .grammar]))
    }

    /// The converted model loads with the expected size and gives a common bigram a higher probability than a rare one.
    func testModelLoads() throws {
        _ = try proofreader()
        let lm = try XCTUnwrap(ReviewSupport.data().resources.languageModel)
        XCTAssertGreaterThan(lm.wordCount, 50_000)
        XCTAssertGreaterThan(lm.bigramCount, 1_000_000)
        func id(_ w: String) throws -> Int32 { try XCTUnwrap(lm.word(XCTUnwrap(WordStatistics.key(w.unicodeScalars.map(\.value))))) }
        // 不再 is far likelier than 不在 before 是; P(再 | 不) > P(在 | 不) is what the corrections rely on
        XCTAssertGreaterThan(lm.logProbability(try id("是"), after: try id("不再")), lm.logProbability(try id("是"), after: try id("不在")))
        XCTAssertLessThan(lm.logProbability(try id("的"), after: -1), 0)
        XCTAssertNil(LanguageModel(data: Data("ZLM1".utf8) + Data(count: 8) + Data([1, 2, 3])), "a truncated file is refused")
    }

    /// The per-word bigram tables answer exactly what the sorted key list says (first of equal keys, else backoff):
    /// a synthetic model with empty, short and long rows, duplicate keys
    /// and keys of no word, checked for every (history, word) pair against a plain search of the key list.
    func testBigramTablesMatchTheSortedKeys() throws {
        let w = 60
        var x: UInt64 = 7
        func next() -> UInt64 { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return x >> 33 }
        var keys: [(UInt64, Float)] = []
        for i in 0..<w {
            let r = i == 3 ? 57 : Int(next() % UInt64(i % 7 == 0 ? 1 : 12))  // one long row (57 keys), some rows empty, some 11/16 full
            for _ in 0..<r { keys.append((UInt64(i) << 32 | next() % UInt64(w), -Float(next() % 1000) / 37)) }
        }
        keys.append((UInt64(5) << 32 | 9, -1.5)); keys.append((UInt64(5) << 32 | 9, -2.5))  // equal keys: the first wins
        keys.sort { $0.0 < $1.0 }  // stable: the two equal keys keep their order
        var data = Data("ZLM1".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        u32(UInt32(w)); u32(UInt32(keys.count))
        let logP = (0..<w).map { -Float($0 + 1) / 3 }, backoff = (0..<w).map { -Float($0 % 5) / 7 }
        for i in 0..<w { u64(UInt64(0x4E00 + i)); u32(logP[i].bitPattern); u32(backoff[i].bitPattern) }
        for k in keys { u64(k.0) }
        for k in keys { u32(k.1.bitPattern) }
        let lm = try XCTUnwrap(LanguageModel(data: data))
        XCTAssertEqual(lm.bigramCount, keys.count)
        for i in 0..<w {
            for j in 0..<w {
                let k = UInt64(i) << 32 | UInt64(j)
                let want = keys.first(where: { $0.0 == k })?.1 ?? backoff[i] + logP[j]
                XCTAssertEqual(lm.logProbability(Int32(j), after: Int32(i)).bitPattern, want.bitPattern, "P(\(j) | \(i))")
            }
            XCTAssertEqual(lm.logProbability(Int32(i), after: -1), logP[i])
        }
        XCTAssertEqual(lm.logProbability(9, after: 5), -1.5)
    }

    /// 不在是 → 不再是 and 已后 → 以后 are found by the language model, with the gain in the message.
    func testRealWordErrorsAreCorrected() throws {
        let pr = try proofreader()
        XCTAssertEqual(pr.correct("他已经不在是当年的那个少年了。"), "他已经不再是当年的那个少年了。")
        XCTAssertEqual(pr.correct("这件事情我们已后再说。"), "这件事情我们以后再说。")
        // found by the real-word pass or by the confusion-set search scored with the language model
        let f = pr.check("他已经不在是当年的那个少年了。").filter { $0.ruleID == "typo.realword" || $0.ruleID == "typo.confusion" }
        XCTAssertEqual(f.map(\.text), ["在"])
        XCTAssertEqual(f.map(\.start), [4])
        XCTAssertEqual(f.map(\.suggestions), [["再"]])
        XCTAssertTrue(f.allSatisfy { $0.messageZh.contains("语言模型") && $0.messageEn.contains("language-model") })
        // the real-word pass on its own (confusion search on the unigram model only)
        var settings = TypoSettings()
        settings.confusionLMThreshold = nil
        let d = try ReviewSupport.data()
        let realWord = Proofreader(engine: d.engine, configuration: ReviewConfiguration(categories: [.typo, .grammar]), resources: d.resources,
                                   typoSettings: settings)
        XCTAssertEqual(realWord.check("我在也不想去那里了。").filter { $0.ruleID == "typo.realword" }.map(\.suggestions), [["再"]])
        // 已 written for 以 is a rare slip (learned cost 5+): the real-word pass alone leaves 已后 to the confusion search
        XCTAssertEqual(realWord.check("这件事情我们已后再说。").filter { $0.ruleID == "typo.realword" }, [])
        // out-of-range public settings are clamped, never a trap
        settings.lmWindow = -5; settings.window = Int.max
        let odd = Proofreader(engine: d.engine, configuration: ReviewConfiguration(categories: [.typo]), resources: d.resources, typoSettings: settings)
        XCTAssertEqual(odd.correct("他已经不在是当年的那个少年了。").unicodeScalars.count, 15)
    }

    /// Correct uses of the same characters are left alone.
    func testCleanSentencesUntouched() throws {
        let pr = try proofreader()
        for line in ["我们明天再来讨论这个问题。", "会议已经结束了，大家可以回家。", "记者在现场看到，救援工作正在进行。",
                     "你在哪里工作？那里的人怎么样？", "他做完作业以后，已经很晚了。", "我们要把工作做好，作出新的贡献。"] {
            XCTAssertEqual(pr.correct(line), line)
            XCTAssertTrue(pr.check(line).filter { $0.ruleID == "typo.realword" }.isEmpty, line)
        }
    }

    /// Without the model (data not installed) the engine still works: the other typo rules run, no real-word findings.
    func testWorksWithoutLanguageModel() throws {
        let d = try ReviewSupport.data()
        let bare = ReviewResources(words: d.resources.words, confusion: d.resources.confusion, pinyin: d.resources.pinyin,
                                   directory: nil, languageModel: nil)
        XCTAssertFalse(bare.hasLanguageModel)
        XCTAssertTrue(bare.hasTypoModel)
        let pr = Proofreader(engine: d.engine, configuration: ReviewConfiguration(categories: [.typo, .grammar]), resources: bare)
        XCTAssertEqual(pr.correct("他已经不在是当年的那个少年了。"), "他已经不在是当年的那个少年了。")
        XCTAssertEqual(pr.check("请先按装软件。").map(\.ruleID), ["typo.misused"])
        // loading a data directory without lm_bigram.bin succeeds and reports the model absent
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zhimei-nolm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("review"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = ReviewSupport.location.directory
        for f in ["dict.txt", "review/same_pinyin.txt", "review/same_stroke.txt", "review/pinyin.txt"] {
            try FileManager.default.copyItem(atPath: src + "/" + f, toPath: dir.path + "/" + f)
        }
        let loaded = try ReviewResources.load(from: .init(directory: dir.path))
        XCTAssertTrue(loaded.hasTypoModel)
        XCTAssertFalse(loaded.hasLanguageModel)
    }
}
