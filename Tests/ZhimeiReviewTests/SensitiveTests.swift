import XCTest
import ZhimeiText
@testable import ZhimeiReview

final class SensitiveTests: XCTestCase {
    let terms = [SensitiveTerm(term: "网络赌场", category: "违禁", matchHomophones: true),
                 SensitiveTerm(term: "代开发票", category: "违禁", severity: .warn),
                 SensitiveTerm(term: "稳赚不赔", category: "广告", severity: .warn, context: ["投资", "理财"], contextWindow: 10)]

    func findings(_ text: String, whitelist: [String] = []) throws -> [ReviewFinding] {
        let pr = try ReviewSupport.proofreader(ReviewConfiguration(sensitiveTerms: terms, whitelist: whitelist, categories: [.sensitive]))
        return pr.check(text)
    }

    /// Exact match: category, severity, scalar span (an emoji before the term shifts it by one scalar, not two UTF-16 units).
    func testExactMatchSpan() throws {
        let text = "😀他在网络赌场输了钱"
        let f = try findings(text)
        XCTAssertEqual(f.count, 1)
        XCTAssertEqual(f[0].start, 3)
        XCTAssertEqual(f[0].end, 7)
        XCTAssertEqual(f[0].text, "网络赌场")
        XCTAssertEqual(ReviewSupport.slice(text, f[0]), "网络赌场")
        XCTAssertEqual(f[0].subcategory, "违禁")
        XCTAssertEqual(f[0].severity, .block)
        XCTAssertEqual(f[0].ruleID, "sensitive.lexicon")
    }

    /// Inserted symbols and spaces, full-width letters and Traditional characters still match, with the whole span.
    func testVariantsMatch() throws {
        let spaced = "有人 代*开 发票吗"
        let f = try findings(spaced)
        XCTAssertEqual(f.map(\.text), ["代*开 发票"])
        XCTAssertEqual(f[0].severity, .warn)
        XCTAssertEqual(try findings("他在網絡賭場輸了錢").map(\.start), [2])
    }

    /// Homophone substitutions (同音替换) match only for terms that ask for it.
    func testHomophones() throws {
        let f = try findings("他在网落赌厂输了钱")
        XCTAssertEqual(f.map(\.ruleID), ["sensitive.homophone"])
        XCTAssertEqual(f.first?.text, "网落赌厂")
        XCTAssertTrue(try findings("有人代开发飘吗").isEmpty, "代开发票 does not ask for homophones")
    }

    /// Context rule: 稳赚不赔 only counts near 投资/理财.
    func testContextRule() throws {
        XCTAssertEqual(try findings("这款理财产品号称稳赚不赔").count, 1)
        XCTAssertTrue(try findings("他下棋从来稳赚不赔，大家都服气").isEmpty)
    }

    /// A whitelisted phrase suppresses a match inside it; clean text has no findings.
    func testWhitelistAndCleanText() throws {
        XCTAssertTrue(try findings("打击网络赌场专项行动启动", whitelist: ["打击网络赌场"]).isEmpty)
        XCTAssertEqual(try findings("打击网络赌场专项行动启动").count, 1)
        XCTAssertTrue(try findings("今天天气很好，我们去公园散步。网络安全很重要。").isEmpty)
    }

    /// A 100,000-term lexicon builds once and finds a term among them.
    func testLargeLexicon() throws {
        var t: [SensitiveTerm] = []
        var r: UInt64 = 42
        for i in 0..<100_000 {
            r = r &* 6364136223846793005 &+ 1442695040888963407
            let a = Unicode.Scalar(0x4E00 + UInt32((r >> 33) % 0x5000))!, b = Unicode.Scalar(0x4E00 + UInt32((r >> 13) % 0x5000))!
            t.append(SensitiveTerm(term: "\(a)\(b)\(i % 10)", category: "custom"))
        }
        t.append(SensitiveTerm(term: "测试词条", category: "custom"))
        let pr = try ReviewSupport.proofreader(ReviewConfiguration(sensitiveTerms: t, categories: [.sensitive]))
        let f = pr.check("这里有一个测试词条。")
        XCTAssertEqual(f.filter { $0.text == "测试词条" }.count, 1)
    }

    /// Same input, same output — twice, and from two proofreaders.
    func testDeterministic() throws {
        let text = "他在网落赌厂输了钱，还按装了软件，问提很多。"
        let a = try ReviewSupport.proofreader(ReviewConfiguration(sensitiveTerms: terms)).check(text)
        let b = try ReviewSupport.proofreader(ReviewConfiguration(sensitiveTerms: terms)).check(text)
        XCTAssertEqual(a, b)
        XCTAssertFalse(a.isEmpty)
    }

    /// CSV import/export round trip; bad severity is a bilingual error naming the line.
    func testLexiconCSV() throws {
        let csv = SensitiveTermCSV.export(terms)
        XCTAssertEqual(try SensitiveTermCSV.parse(csv), terms)
        XCTAssertThrowsError(try SensitiveTermCSV.parse("term,category,severity\n坏词,custom,fatal\n")) { e in
            XCTAssertTrue("\(e)".contains("第2行") && "\(e)".contains("line 2"))
        }
    }
}
