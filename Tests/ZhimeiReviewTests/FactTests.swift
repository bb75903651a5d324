import XCTest
@testable import ZhimeiReview

final class FactTests: XCTestCase {
    let facts = FactBase(people: [FactPerson(name: "张三", title: "市长", formerTitles: ["副市长", "区长"])],
                         fixedLists: [FixedList(items: ["富强", "民主", "文明", "和谐"])])

    func check(_ text: String) throws -> [ReviewFinding] {
        try ReviewSupport.proofreader(ReviewConfiguration(factBase: facts, categories: [.fact])).check(text)
    }

    func testOutdatedTitle() throws {
        let text = "区长张三今天视察了工地。"
        let f = try check(text)
        XCTAssertEqual(f.map(\.ruleID), ["fact.title"])
        XCTAssertEqual(f[0].text, "区长")
        XCTAssertEqual(f[0].suggestions, ["市长"])
        XCTAssertEqual(try check("张三副市长出席").map(\.text), ["副市长"])
        XCTAssertEqual(try check("市长张三今天视察了工地。"), [])
        XCTAssertEqual(try check("李四区长今天视察了工地。"), [])
    }

    func testFixedListOrder() throws {
        XCTAssertEqual(try check("建设富强、文明、民主、和谐的国家。").map(\.ruleID), ["fact.order"])
        XCTAssertEqual(try check("建设富强、民主、文明、和谐的国家。"), [])
    }

    func testWeekday() throws {
        let f = try check("2024年5月1日（星期四），天气晴。")
        XCTAssertEqual(f.map(\.ruleID), ["fact.weekday"])
        XCTAssertEqual(f[0].suggestions, ["三"])
        XCTAssertEqual(try check("2024年5月1日（星期三），天气晴。"), [])
        XCTAssertEqual(try check("2024年2月29日，周四。"), [])
        XCTAssertEqual(FactRules.weekday(2000, 1, 1), 6)
        XCTAssertNil(FactRules.weekday(2023, 2, 29))
    }

    func testTotals() throws {
        XCTAssertEqual(try check("全市共有120所学校，其中小学80所，中学50所。").map(\.ruleID), ["fact.total"])
        XCTAssertEqual(try check("全市共有130所学校，其中小学80所，中学50所。"), [])
        XCTAssertEqual(try check("全市共有200所学校，其中小学80所，中学50所。"), [], "a partial breakdown is not a contradiction")
        // what was counted may stand between 共 and the number
        let f = try check("今年以来全市共接待游客1200万人次，其中国内游客1150万人次，境外游客80万人次。")
        XCTAssertEqual(f.map(\.ruleID), ["fact.total"])
        XCTAssertEqual(f.first?.text, "1200")
        XCTAssertEqual(try check("今年以来全市共接待游客1300万人次，其中国内游客1150万人次，境外游客80万人次。"), [])
        // decimals: exact sums, with half a unit of the last digit of each figure allowed for rounding
        let money = try check("本次共签约项目32个，总投资共计105.6亿元，其中工业项目投资75.2亿元，服务业项目投资40.6亿元。")
        XCTAssertEqual(money.map(\.ruleID), ["fact.total"])
        XCTAssertEqual(money.first?.text, "105.6")
        XCTAssertTrue(money.first?.messageZh.contains("115.8") ?? false, money.first?.messageZh ?? "")
        XCTAssertEqual(try check("总投资共计105.6亿元，其中工业项目投资75亿元，服务业项目投资30.6亿元。"), [])
        XCTAssertEqual(try check("总投资共计105.6亿元，其中工业项目投资75.1亿元，服务业项目投资30.6亿元。"), [], "0.1 over is rounding")
        XCTAssertEqual(try check("总计1,200万元，其中甲800万元，乙500万元，丙占10%。"), [], "a share among the parts: not a breakdown")
        // 共 inside a word is no total
        XCTAssertEqual(try check("公共服务设施120处，其中新建80处，改建50处。"), [])
        XCTAssertEqual(try check("共青团员120名，其中男团员80名，女团员50名。"), [])
    }
}

final class PlaceTests: XCTestCase {
    /// A prefecture-level city under the wrong province is flagged with the right province; right pairs are not.
    func testProvinceCityMismatch() throws {
        let pr = try ReviewSupport.proofreader(ReviewConfiguration(categories: [.fact]))
        let text = "记者在河南省深圳市采访。"
        let f = pr.check(text)
        XCTAssertEqual(f.map(\.ruleID), ["fact.place"])
        XCTAssertEqual(f.first?.text, "河南省深圳市")
        XCTAssertEqual(f.first?.suggestions, ["广东省深圳市"])
        XCTAssertEqual(pr.check("广东省深圳市、湖北武汉市、吉林省吉林市、内蒙古自治区包头市都有。"), [])
    }
}
