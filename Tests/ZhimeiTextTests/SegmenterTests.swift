import XCTest
@testable import ZhimeiText

/// Expected outputs were produced by jieba 0.42.1 (jieba.lcut / lcut(HMM=False) / lcut_for_search).
final class SegmenterTests: XCTestCase {
    let cases: [(String, [String], [String], [String])] = [
        ("我来到北京清华大学", ["我", "来到", "北京", "清华大学"], ["我", "来到", "北京", "清华大学"],
         ["我", "来到", "北京", "清华", "华大", "大学", "清华大学"]),
        ("他来到了网易杭研大厦", ["他", "来到", "了", "网易", "杭研", "大厦"], ["他", "来到", "了", "网易", "杭", "研", "大厦"],
         ["他", "来到", "了", "网易", "杭研", "大厦"]),
        ("小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
         ["小明", "硕士", "毕业", "于", "中国科学院", "计算所", "，", "后", "在", "日本京都大学", "深造"],
         ["小", "明", "硕士", "毕业", "于", "中国科学院", "计算所", "，", "后", "在", "日本京都大学", "深造"],
         ["小明", "硕士", "毕业", "于", "中国", "科学", "学院", "科学院", "中国科学院", "计算", "计算所", "，", "后", "在", "日本", "京都", "大学", "日本京都大学", "深造"]),
        ("工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
         ["工信处", "女干事", "每月", "经过", "下属", "科室", "都", "要", "亲口", "交代", "24", "口", "交换机", "等", "技术性", "器件", "的", "安装", "工作"],
         ["工信处", "女干事", "每月", "经过", "下属", "科室", "都", "要", "亲口", "交代", "24", "口", "交换机", "等", "技术性", "器件", "的", "安装", "工作"],
         ["工信处", "干事", "女干事", "每月", "经过", "下属", "科室", "都", "要", "亲口", "交代", "24", "口", "交换", "换机", "交换机", "等", "技术", "技术性", "器件", "的", "安装", "工作"]),
        ("结过婚的和尚未结过婚的", ["结过婚", "的", "和", "尚未", "结过婚", "的"], ["结过婚", "的", "和", "尚未", "结过婚", "的"],
         ["结过", "结过婚", "的", "和", "尚未", "结过", "结过婚", "的"]),
        ("我们中出了一个叛徒", ["我们", "中出", "了", "一个", "叛徒"], ["我们", "中", "出", "了", "一个", "叛徒"], ["我们", "中出", "了", "一个", "叛徒"]),
        ("iPhone 15发布会在9月12日举行，价格上涨3.5%。",
         ["iPhone", " ", "15", "发布会", "在", "9", "月", "12", "日", "举行", "，", "价格上涨", "3.5%", "。"],
         ["iPhone", " ", "15", "发布会", "在", "9", "月", "12", "日", "举行", "，", "价格上涨", "3", ".", "5", "%", "。"],
         ["iPhone", " ", "15", "发布", "发布会", "在", "9", "月", "12", "日", "举行", "，", "价格", "上涨", "价格上涨", "3.5%", "。"]),
    ]

    func testMatchesJiebaPreciseNoHMMAndSearch() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        for (text, precise, noHMM, search) in cases {
            XCTAssertEqual(seg.cut(text), precise, text)
            XCTAssertEqual(seg.cut(text, mode: .precise, hmm: false), noHMM, text)
            XCTAssertEqual(seg.cut(text, mode: .search), search, text)
        }
    }

    func testTokenOffsetsAreScalarOffsets() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        let toks = seg.tokenize("我来到北京😀清华大学")
        XCTAssertEqual(toks.map(\.text), ["我", "来到", "北京", "😀", "清华大学"])
        XCTAssertEqual(toks.map(\.start), [0, 1, 3, 5, 6])
        XCTAssertEqual(toks.last?.end, 10)
    }

    func testUserDictionaryOverlayIsPerTenant() throws {
        let lex = try TestSupport.lex()
        let base = Segmenter(lexicon: lex)
        var tenant = UserDictionary()
        tenant.add("创新办", frequency: 3, tag: "i")
        tenant.add("云计算", frequency: 5)
        let t = Segmenter(lexicon: lex, userDictionary: tenant)
        // jieba: add_word('创新办', 3, 'i'); add_word('云计算', 5)
        XCTAssertEqual(t.cut("李小福是创新办主任也是云计算方面的专家"),
                       ["李小福", "是", "创新办", "主任", "也", "是", "云计算", "方面", "的", "专家"])
        XCTAssertEqual(base.cut("李小福是创新办主任也是云计算方面的专家"),
                       ["李小福", "是", "创新", "办", "主任", "也", "是", "云", "计算", "方面", "的", "专家"])
        XCTAssertEqual(t.tag("创新办主任").first?.tag, "i")
        // jieba: del_word('清华大学')
        var del = UserDictionary()
        del.remove("清华大学")
        XCTAssertEqual(Segmenter(lexicon: lex, userDictionary: del).cut("我来到北京清华大学"), ["我", "来到", "北京", "清华", "大学"])
        // suggested frequency keeps an unknown word whole
        var auto = UserDictionary()
        auto.add("智媒中台", frequency: base.suggestedFrequency("智媒中台"), tag: "nz")
        XCTAssertTrue(Segmenter(lexicon: lex, userDictionary: auto).cut("欢迎使用智媒中台系统").contains("智媒中台"))
    }

    func testPartOfSpeechTagsFromDictionary() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        let tags = Dictionary(seg.tag("我来到北京清华大学").map { ($0.word, $0.tag) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(tags["北京"], "ns")
        XCTAssertEqual(tags["清华大学"], "nt")
        XCTAssertEqual(tags["来到"], "v")
    }

    func testKeepWholeTokens() throws {
        let seg = Segmenter(lexicon: try TestSupport.lex())
        let words = seg.cut("会议于2024-05-01 12:30在上海举行，详见https://example.com/a?b=1，联系press@zhimei.cn，金额1,234,567元，服务器192.168.1.10，增长3.5%")
        for w in ["2024-05-01", "12:30", "https://example.com/a?b=1", "press@zhimei.cn", "1,234,567", "192.168.1.10", "3.5%"] {
            XCTAssertTrue(words.contains(w), "\(w) not whole in \(words)")
        }
        // strict jieba behaviour when the rules are off
        var strict = seg; strict.options.keepWhole = false
        XCTAssertEqual(strict.cut("2024-05-01"), ["2024", "-", "05", "-", "01"])
        XCTAssertEqual(seg.cut("2024-05-01"), ["2024-05-01"])
    }

    func testCacheIsUsedOnSecondLoad() throws {
        _ = try TestSupport.lex()
        let again = try Lexicon.load(from: TestSupport.location)
        XCTAssertTrue(again.loadedFromCache)
        XCTAssertLessThan(again.loadSeconds, 1.0)
    }

    func testMissingDataNamesFileAndSetup() {
        let loc = TextDataLocation(directory: "/nonexistent-zhimei", cachePath: "/nonexistent-zhimei/c")
        XCTAssertThrowsError(try Lexicon.load(from: loc)) { e in
            let msg = "\(e)"
            XCTAssertTrue(msg.contains("/nonexistent-zhimei/dict.txt"), msg)
            XCTAssertTrue(msg.contains("setup-data.sh") && msg.contains("pip install jieba"), msg)
        }
    }

    func testAgreementWithJiebaOnMSRSample() throws {
        // jieba's own output for the first lines of the MSR test set (precise mode, HMM on)
        let seg = Segmenter(lexicon: try TestSupport.lex())
        XCTAssertEqual(seg.cut("扬帆远东做与中国合作的先行"), ["扬帆", "远东", "做", "与", "中国", "合作", "的", "先行"])
        XCTAssertEqual(seg.cut("希腊的经济结构较特殊。"), ["希腊", "的", "经济", "结构", "较", "特殊", "。"])
    }
}
