import Foundation
import XCTest
@testable import ZhimeiText

final class PatternMatcherTests: XCTestCase {
    func testPositionsAndOverlaps() {
        let m = PatternMatcher(patterns: ["北京", "北京大学", "大学", "he", "she", "hers"])
        let r = m.matches(in: "我在北京大学。ushers")
        let got = Set(r.map { "\($0.pattern)@\($0.start)-\($0.end)" })
        XCTAssertEqual(got, ["0@2-4", "1@2-6", "2@4-6", "4@8-11", "3@9-11", "5@9-13"])
    }

    func testFolding() {
        let m = PatternMatcher(patterns: ["法轮", "abc", "ＸＹ"], folding: [.caseInsensitive, .width, .ignoreSymbols])
        let r = m.matches(in: "法*轮 法 轮 法，轮 ＡＢＣ xy")
        XCTAssertEqual(r.filter { $0.pattern == 0 }.map { [$0.start, $0.end] }, [[0, 3], [4, 7], [8, 11]])
        XCTAssertEqual(r.filter { $0.pattern == 1 }.map { [$0.start, $0.end] }, [[12, 15]])
        XCTAssertEqual(r.filter { $0.pattern == 2 }.count, 1)
        // without folding nothing across symbols
        XCTAssertTrue(PatternMatcher(patterns: ["法轮"]).matches(in: "法*轮").isEmpty)
    }

    func testTraditionalFolding() throws {
        guard (try? OpenCC.shared.get()) != nil else { throw XCTSkip("OpenCC missing") }
        let m = PatternMatcher(patterns: ["台湾", "发展"], folding: [.traditionalToSimplified])
        XCTAssertTrue(m.traditionalFoldingActive)
        XCTAssertTrue(m.matches(in: "臺灣經濟發展").contains { $0.pattern == 1 && $0.start == 4 && $0.end == 6 })
        XCTAssertTrue(m.matches(in: "經濟發展").contains { $0.pattern == 1 && $0.start == 2 && $0.end == 4 })
        XCTAssertTrue(m.matches(in: "台灣").contains { $0.pattern == 0 })
    }

    func testInvalidUTF8Scan() {
        let m = PatternMatcher(patterns: ["中国"])
        var bytes: [UInt8] = [0xFF, 0xFE]
        bytes += Array("中国".utf8)
        var found: [PatternMatch] = []
        bytes.withUnsafeBufferPointer { b in m.scan(utf8: b) { found.append($0) } }
        XCTAssertEqual(found, [PatternMatch(pattern: 0, start: 2, end: 4)])
    }

    func testManyTerms() {
        let terms = (0..<100_000).map { "词\($0)号" }
        let m = PatternMatcher(patterns: terms)
        let r = m.matches(in: "这里有词99999号和词5号")
        XCTAssertEqual(r.map(\.pattern).sorted(), [5, 99999])
    }
}

final class NearDuplicateTests: XCTestCase {
    let a = "新华社北京5月1日电 国家统计局今天发布数据，一季度国内生产总值同比增长5.3%，经济运行开局良好。消费市场持续回暖，制造业投资增长较快，就业形势总体稳定。"
    let b = "新华社北京5月1日电 国家统计局今日发布数据，一季度国内生产总值同比增长5.3%，经济运行开局良好。消费市场持续回暖，制造业投资增长较快，就业形势总体稳定。"
    let c = "本报讯 市体育局宣布，第十届全民健身运动会将于下月在奥体中心开幕，设置游泳、田径、篮球等二十个比赛项目，欢迎市民踊跃报名参加。"

    func testSimHashNearDuplicates() throws {
        let h = SimHasher(segmenter: Segmenter(lexicon: try TestSupport.lex()))
        let fa = h.fingerprint(a), fb = h.fingerprint(b), fc = h.fingerprint(c)
        XCTAssertLessThanOrEqual(SimHasher.distance(fa, fb), 3)
        XCTAssertGreaterThan(SimHasher.distance(fa, fc), 10)
        var index = SimHashIndex()
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50_000 { index.add(rng.next()) }
        let id = index.add(fa)
        let hits = index.query(fb)
        XCTAssertEqual(hits.first?.id, id)
        XCTAssertTrue(index.query(fc).allSatisfy { $0.id != id })
    }

    func testSimHashIndexFindsAllWithinThree() {
        var index = SimHashIndex()
        var rng = SystemRandomNumberGenerator()
        let base: UInt64 = rng.next()
        for _ in 0..<10_000 { index.add(rng.next()) }
        let ids = (0...3).map { d -> Int in
            var fp = base
            for k in 0..<d { fp ^= 1 << UInt64(k * 17) }  // flips in different blocks
            return index.add(fp)
        }
        let hits = index.query(base).map(\.id)
        for id in ids { XCTAssertTrue(hits.contains(id)) }
        XCTAssertEqual(index.query(base).map(\.distance).prefix(4), [0, 1, 2, 3])
    }

    func testMinHashLSH() {
        let mh = MinHasher()
        var lsh = MinHashLSH()
        let ia = lsh.add(mh.signature(a))
        _ = lsh.add(mh.signature(c))
        let hits = lsh.query(mh.signature(b), threshold: 0.7)
        XCTAssertEqual(hits.first?.id, ia)
        XCTAssertGreaterThan(MinHasher.similarity(mh.signature(a), mh.signature(b)), 0.8)
        XCTAssertLessThan(MinHasher.similarity(mh.signature(a), mh.signature(c)), 0.2)
    }
}

final class SentenceAndKeywordTests: XCTestCase {
    func testSentenceSplitting() {
        let s = SentenceSplitter.split("他说：“今天天气很好。”然后走了。GDP增长3.5%！真的吗？是的……好吧. Next one.\n第二段（括号里。不拆）结束")
        XCTAssertEqual(s.map(\.text), ["他说：“今天天气很好。”", "然后走了。", "GDP增长3.5%！", "真的吗？", "是的……", "好吧.", "Next one.",
                                       "第二段（括号里。不拆）结束"])
        XCTAssertEqual(s[0].start, 0)
        XCTAssertTrue(SentenceSplitter.split("").isEmpty)
        XCTAssertEqual(SentenceSplitter.split("圆周率约为3.14159，不是3.").map(\.text), ["圆周率约为3.14159，不是3."])
    }

    func testTFIDFMatchesJieba() throws {
        // jieba.analyse.extract_tags(text, topK=5)
        let k = KeywordExtractor(segmenter: Segmenter(lexicon: try TestSupport.lex()))
        let r = k.tfidf("小明硕士毕业于中国科学院计算所，后在日本京都大学深造。中国科学院是国家最高学术机构。", top: 5)
        XCTAssertEqual(r.map(\.word), ["中国科学院", "日本京都大学", "计算所", "小明", "深造"])
    }

    func testNumbersAreNoKeywordsOutsideJiebaMode() throws {
        let text = "2026浏阳国际焰火节将于12月举办，预计吸引游客10万人次，门票收入增长3.5%。焰火节期间2026架无人机参与表演。"
        var k = KeywordExtractor(segmenter: Segmenter(lexicon: try TestSupport.lex()))
        XCTAssertTrue(k.tfidf(text, top: 8).map(\.word).contains("2026"), "jieba keeps numbers")
        k.skipNumbers = true
        let words = k.tfidf(text, top: 8).map(\.word)
        XCTAssertFalse(words.contains { KeywordExtractor.isNumber($0) }, "\(words)")
        XCTAssertTrue(words.contains("焰火"), "\(words)")
        XCTAssertEqual(["2026", "3.5", "80%", "１２", "12月", "十三五", "G20", "."].map(KeywordExtractor.isNumber), [true, true, true, true, false, false, false, false])
    }

    func testContentWordsOnlyLeavesOutFunctionAndCommonTimeWords() throws {
        let text = "今年我们已经在浏阳举办了两届焰火节，大家都非常满意。目前焰火节将于春节期间再次举办，我们可以期待。"
        var k = KeywordExtractor(segmenter: Segmenter(lexicon: try TestSupport.lex()))
        let all = k.tfidf(text, top: 30).map(\.word)
        for w in ["我们", "已经", "今年", "大家", "目前", "可以"] { XCTAssertTrue(all.contains(w), "jieba keeps \(w): \(all)") }
        k.contentWordsOnly = true
        let content = k.tfidf(text, top: 30).map(\.word)
        for w in ["我们", "已经", "今年", "大家", "目前", "可以", "非常"] { XCTAssertFalse(content.contains(w), "\(w) in \(content)") }
        for w in ["浏阳", "焰火", "春节"] { XCTAssertTrue(content.contains(w), "\(w) missing from \(content)") }
        XCTAssertEqual(content.first, all.first { !["我们", "已经", "今年", "大家", "目前", "可以", "非常"].contains($0) },
                       "the remaining words keep jieba's weights and order")
    }

    func testUnknownWordsSeenOnceAreNoContentKeywords() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        let text = "据市文旅部门介绍，今年焰火节将新增无人机表演，焰火节门票已开售。"
        XCTAssertTrue(seg.cut(text).contains("据市"), "the segmentation artefact this test is about: \(seg.cut(text))")
        var k = KeywordExtractor(segmenter: seg)
        XCTAssertTrue(k.tfidf(text, top: 20).map(\.word).contains("据市"), "jieba keeps it")
        k.contentWordsOnly = true
        let words = k.tfidf(text, top: 20).map(\.word)
        XCTAssertFalse(words.contains("据市"), "\(words)")
        XCTAssertTrue(words.contains("焰火"), "\(words)")
        // A new word the text repeats is a keyword (a name, a place the dictionary lacks).
        let repeated = "覃晓锋介绍，大围山景区今年冬季雾凇提前出现。覃晓锋提醒游客注意防寒。"
        let tokens = seg.cut(repeated)
        let newWords = Set(tokens.filter { w in seg.frequency(of: w) == 0 && w.count >= 2 && tokens.filter { $0 == w }.count >= 2 })
        XCTAssertFalse(newWords.isEmpty, "the test needs a repeated new word: \(tokens)")
        let kept = k.tfidf(repeated, top: 50).map(\.word)
        for w in newWords { XCTAssertTrue(kept.contains(w), "\(w) missing from \(kept)") }
    }

    func testAddingWholeWordsCutsOwnNamesWhole() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        XCTAssertFalse(seg.cut("金沙路下穿通道积水").contains("金沙路"), "\(seg.cut("金沙路下穿通道积水"))")
        let own = seg.addingWholeWords([("金沙路", "ns"), ("积水", "n"), ("路", "n"), ("  ", "n")])
        XCTAssertTrue(own.cut("金沙路下穿通道积水").contains("金沙路"), "\(own.cut("金沙路下穿通道积水"))")
        XCTAssertEqual(own.tag("金沙路下穿通道").first?.tag, "ns")
        XCTAssertEqual(own.userDictionary.count, 1, "dictionary words, single characters and blanks are not added")
        XCTAssertEqual(seg.addingWholeWords([("金沙路", "ns"), ("大围山景区", "ns")], limit: 1).userDictionary.count, 1)
    }

    func testTextRankAndSummary() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        let text = "国家统计局发布数据显示，一季度国内生产总值同比增长5.3%。专家表示，经济增长主要得益于消费回暖。消费回暖带动了服务业增长。与此同时，制造业投资保持较快增长。天气晴朗。"
        let kw = KeywordExtractor(segmenter: seg).textRank(text, top: 5).map(\.word)
        XCTAssertTrue(kw.contains("增长"), "\(kw)")
        let sum = Summarizer(segmenter: seg).summarize(text, maxCharacters: 40)
        XCTAssertLessThanOrEqual(sum.summary.unicodeScalars.count, 40)
        XCTAssertFalse(sum.summary.isEmpty)
        XCTAssertFalse(sum.summary.contains("天气晴朗"))
        XCTAssertEqual(Summarizer(segmenter: seg).summarize("", maxCharacters: 50).summary, "")
    }
}

final class OpenCCTests: XCTestCase {
    func testConformance() throws {
        // Prefer the current OpenCC that setup-data.sh links into data/text/opencc.
        let bundled = TestSupport.location.directory + "/opencc"
        let local = FileManager.default.fileExists(atPath: bundled + "/libopencc.so")
            ? try? OpenCC(libraryPath: bundled + "/libopencc.so", configDirectory: bundled + "/share") : nil
        guard let cc = local ?? (try? OpenCC.shared.get()) else { throw XCTSkip("OpenCC missing: run scripts/text/setup-data.sh") }
        guard let path = TestSupport.evalFile("opencc/testcases.json"), var text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw XCTSkip("../shared/eval/opencc/testcases.json absent")
        }
        text = text.replacingOccurrences(of: #",(\s*[\]}])"#, with: "$1", options: .regularExpression)
        struct File: Decodable { struct Case: Decodable { let id: String; let input: String; let expected: [String: String] }; let cases: [Case] }
        let file = try JSONDecoder().decode(File.self, from: Data(text.utf8))
        var ok: [String: Int] = [:], total: [String: Int] = [:]
        var failures: [String] = []
        for c in file.cases {
            for (config, exp) in c.expected where cc.hasConfig(config) {
                total[config, default: 0] += 1
                if (try? cc.convert(c.input, config: config)) == exp { ok[config, default: 0] += 1 } else { failures.append("\(config) \(c.id)") }
            }
        }
        let report = total.keys.sorted().map { "\($0) \(ok[$0] ?? 0)/\(total[$0]!)" }.joined(separator: ", ")
        print("OpenCC conformance (\(cc.libraryPath)): \(report)")
        let required = ["s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp"]
        if cc.configDirectory.hasPrefix("/usr/share") {
            throw XCTSkip("Debian's OpenCC 1.1.6 data predates the test cases (\(report)); run scripts/text/setup-data.sh for the current OpenCC")
        }
        for r in required { XCTAssertEqual(ok[r] ?? 0, total[r] ?? -1, "config \(r)") }
        XCTAssertTrue(failures.isEmpty, "\(failures.prefix(10))")
    }

    func testBasicConversionAndErrors() throws {
        guard let cc = try? OpenCC.shared.get() else { throw XCTSkip("OpenCC missing") }
        XCTAssertEqual(try cc.convert("头发", .s2t), "頭髮")
        XCTAssertEqual(try cc.convert("頭髮", .t2s), "头发")
        XCTAssertEqual(try cc.convert("", .s2t), "")
        XCTAssertEqual(try cc.convert("a\u{0}发", .s2t), "a\u{0}發")
        XCTAssertThrowsError(try cc.convert("x", config: "nope"))
    }
}

final class BadInputTests: XCTestCase {
    func testInvalidUTF8IsRepaired() throws {
        let s = UTF8Scalars.decode([0x41, 0xC3, 0x28, 0xE4, 0xB8, 0xAD, 0xF0, 0x9F, 0x98, 0xED, 0xA0, 0x80, 0xFF])
        XCTAssertEqual(s, [0x41, 0xFFFD, 0x28, 0x4E2D, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD])
        // same as Swift's own repair
        let bytes: [UInt8] = [0x41, 0xC3, 0x28, 0xE4, 0xB8, 0xAD, 0xF0, 0x9F, 0x98, 0xED, 0xA0, 0x80, 0xFF]
        XCTAssertEqual(s, String(decoding: bytes, as: UTF8.self).unicodeScalars.map(\.value))
        let seg = Segmenter(lexicon: try TestSupport.lex())
        let scratch = SegmentScratch()
        s.withUnsafeBufferPointer { seg.segment($0, scratch: scratch) }
        XCTAssertGreaterThan(scratch.tokenCount, 0)
    }

    func testEmptyControlAndMixedScripts() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        XCTAssertEqual(seg.cut(""), [])
        XCTAssertEqual(seg.cut("中国\u{0}\u{7}人民"), ["中国", "\u{0}", "\u{7}", "人民"])
        let mixed = seg.cut("Zhimei智媒😀👨‍👩‍👧Привет مرحبا 東京タワー")
        XCTAssertEqual(mixed.joined(), "Zhimei智媒😀👨‍👩‍👧Привет مرحبا 東京タワー")
        XCTAssertTrue(mixed.contains("Zhimei"))
        XCTAssertTrue(mixed.contains("Привет") && mixed.contains("مرحبا"), "\(mixed)")
        XCTAssertTrue(mixed.contains("👨‍👩‍👧"), "\(mixed)")
        XCTAssertEqual(seg.cut("👍🏽好"), ["👍🏽", "好"])
        XCTAssertEqual(TextEngine(lexicon: try TestSupport.lex()).segment(" \t\n"), [])
    }

    func testHugeLineBoundedMemory() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        // 50 MB single line with no punctuation at all: a pathological run of Han characters
        let unit = Array("中华人民共和国成立七十五周年".unicodeScalars.map(\.value))
        var big: [UInt32] = []
        big.reserveCapacity(50_000_000 / 3)
        while big.count * 3 < 50_000_000 { big.append(contentsOf: unit) }
        let scratch = SegmentScratch()
        big.withUnsafeBufferPointer { seg.segment($0, scratch: scratch) }
        XCTAssertEqual(scratch.tokenEnd(scratch.tokenCount - 1), big.count)
        XCTAssertLessThanOrEqual(scratch.cap, Segmenter.maxBlock)  // route buffers stay bounded
        var covered = 0
        for i in 0..<scratch.tokenCount { XCTAssertEqual(scratch.tokenStart(i), covered); covered = scratch.tokenEnd(i) }
    }
}
