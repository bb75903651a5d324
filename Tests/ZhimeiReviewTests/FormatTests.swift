import XCTest
@testable import ZhimeiReview

final class FormatTests: XCTestCase {
    func check(_ text: String, headline: String? = nil, _ config: ReviewConfiguration = ReviewConfiguration(categories: [.punctuation, .format, .fact])) throws -> [ReviewFinding] {
        try ReviewSupport.proofreader(config).check(text, headline: headline)
    }
    func rules(_ text: String) throws -> [String] { try check(text).map(\.ruleID) }

    func testHalfWidthPunctuation() throws {
        let f = try check("我们到了,然后开会。")
        XCTAssertEqual(f.map(\.ruleID), ["punct.halfwidth"])
        XCTAssertEqual(f[0].start, 4)
        XCTAssertEqual(f[0].suggestions, ["，"])
        XCTAssertEqual(try rules("时间是10:30,地点在A,B两地。").filter { $0 == "punct.halfwidth" }.count, 1, "10:30 is a time; only the comma after it counts")
        XCTAssertEqual(try rules("Hello, world! 1,000 people."), [])
    }

    /// Straight double quotes in Chinese text are half-width marks too: the first of a paragraph becomes “, the next ”.
    func testStraightQuotesInChineseText() throws {
        let text = #"李女士说，"天气冷了，要多注意身体"。\#n他说："Hello"。\#n"#
        let f = try check(text)
        XCTAssertEqual(f.map(\.ruleID), Array(repeating: "punct.halfwidth", count: 4))
        XCTAssertEqual(f.map(\.suggestions), [["“"], ["”"], ["“"], ["”"]], "each paragraph starts with an opening mark; English inside keeps the pair")
        XCTAssertEqual(f.map(\.start), [5, 17, 23, 29])
        XCTAssertEqual(try rules("He said \"hello\" twice. 参数写作 key=\"value\"。").filter { $0 == "punct.halfwidth" }.count, 0,
                       "quotes among Latin text are left alone")
    }

    /// A space beside Chinese punctuation is stray too; one space between a headline's two parts is not; no 。 after ……
    func testSpacesBesideChinesePunctuationAndHeadlineParts() throws {
        let f = try check("要持续优化营商环境 ，为企业服务。 下一步，再说。")
        XCTAssertEqual(f.map(\.ruleID), ["format.space", "format.space"])
        XCTAssertEqual(f.map(\.start), [9, 17])
        XCTAssertEqual(try rules("他说：“好。”\n　　第二段开头。"), [], "indentation at a paragraph's start is no stray space")
        let h = try check("正文。", headline: "浏阳举行冬季招商推介会 签约项目32个")
        XCTAssertEqual(h.map(\.ruleID), [], "a headline's two parts are set apart by one space")
        XCTAssertEqual(try check("正文。", headline: "浏阳举行推介会  签约项目").map(\.ruleID), ["headline.format.space"])
        let e = try check("现场气氛热烈……。大家都很高兴……")
        XCTAssertEqual(e.map(\.ruleID), ["punct.ellipsis"])
        XCTAssertEqual(e.map(\.text), ["。"])
    }

    /// A span of months, days or years takes the en dash (GB/T 15834), not a hyphen; codes, phone numbers and ISO dates
    /// are left alone.
    func testHyphenInATimeSpan() throws {
        let f = try check("今年1-11月，全市固定资产投资增长5%。2024-2026年是关键期，活动在5－8日举行。")
        XCTAssertEqual(f.map(\.ruleID), ["punct.dash", "punct.dash", "punct.dash"])
        XCTAssertEqual(f.map(\.start), [3, 25, 40])
        XCTAssertEqual(f.map(\.suggestions), [["—"], ["—"], ["—"]])
        for fine in ["电话0731-8888123。", "日期写作2024-12-05。", "型号为A3-12月饼盒。", "比分3-1。", "1—11月增长。"] {
            XCTAssertEqual(try rules(fine).filter { $0 == "punct.dash" }, [], fine)
        }
    }

    func testUnpairedQuotesAndBrackets() throws {
        XCTAssertEqual(try rules("他说：“你好。"), ["punct.unpaired"])
        XCTAssertEqual(try rules("他说：你好”。"), ["punct.unpaired"])
        XCTAssertEqual(try rules("（见附件。"), ["punct.unpaired"])
        XCTAssertEqual(try rules("他说：“你好（早上）。”《人民日报》报道。"), [])
    }

    func testRepeatedEllipsisDashSpace() throws {
        XCTAssertEqual(try rules("真的吗，，我不信。"), ["punct.repeated"])
        let e = try check("然后。。。他走了")
        XCTAssertEqual(e.map(\.ruleID), ["punct.ellipsis"])
        XCTAssertEqual(e.map(\.text), ["。。。"])
        XCTAssertEqual(try rules("北京--中国的首都"), ["punct.dash"])
        XCTAssertEqual(try rules("我们 今天去北京"), ["format.space"])
        XCTAssertEqual(try rules("他说……然后——走了。Windows 11 发布。"), [])
    }

    func testNumbers() throws {
        XCTAssertEqual(try rules("共有1,2345人参加"), ["number.grouping"])
        XCTAssertEqual(try rules("二0二四年"), ["number.mixed"])
        XCTAssertEqual(try rules("增长了百分之5"), ["number.percent"])
        XCTAssertEqual(try rules("增长了5 %"), ["number.percent"])
        XCTAssertEqual(try rules("２０２４年"), ["number.fullwidth"])
        XCTAssertEqual(try rules("2024年13月"), ["date.invalid"])
        XCTAssertEqual(try rules("2月30日"), ["date.invalid"])
        XCTAssertEqual(try rules("2024年5月1日，共有12,345人参加，增长5%，约3万人，5千米。"), [])
    }

    func testHeadlineLength() throws {
        let cfg = ReviewConfiguration(headlineLimit: 10, categories: [.format])
        let f = try check("正文。", headline: "这是一个非常非常长的新闻标题啊", cfg)
        XCTAssertEqual(f.map(\.ruleID), ["headline.length"])
        XCTAssertEqual(f[0].end, 15)
        XCTAssertEqual(try check("正文。", headline: "短标题", cfg), [])
        // headline text is checked as text too, with spans relative to the headline (one space between its two
        // parts is the headline convention; two are stray)
        let h = try check("正文。", headline: "我们  今天", ReviewConfiguration(categories: [.format]))
        XCTAssertEqual(h.map(\.ruleID), ["headline.format.space"])
        XCTAssertEqual(h.map(\.start), [2])
    }
}
