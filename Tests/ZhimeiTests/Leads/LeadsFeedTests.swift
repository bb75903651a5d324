import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Feed parsing (RSS, Atom, JSON Feed), encodings, dates and hostile HTML — no server needed.
final class LeadsParsingTests: XCTestCase {
    func testRSSAtomAndJSONFeed() throws {
        let now = Date()
        let rss = try FeedParser.parse(try FeedServer.fixture("rss.xml"), contentType: "application/rss+xml", now: now)
        XCTAssertEqual(rss.format, .rss)
        XCTAssertEqual(rss.title, "浏阳日报")
        XCTAssertEqual(rss.items.count, 4)
        XCTAssertEqual(rss.items[0].title, "浏阳花炮产业出口额再创新高")
        XCTAssertEqual(rss.items[0].guid, "news-1001")
        XCTAssertEqual(rss.items[0].link, "https://news.example.cn/a/1001")
        XCTAssertTrue(rss.items[0].html.contains("<p>今年前三季度"))
        XCTAssertEqual(rss.items[0].date, ISO8601DateFormatter().date(from: "2026-11-22T00:30:00Z"))
        XCTAssertEqual(rss.items[1].date, ISO8601DateFormatter().date(from: "2026-11-22T01:15:00Z"), "RFC 822 without weekday or seconds")
        XCTAssertEqual(rss.items[2].date, ISO8601DateFormatter().date(from: "2026-11-21T02:30:00Z"), "Chinese date, China time")
        XCTAssertNil(rss.items[3].date, "no date: the caller uses the fetch time")

        let atom = try FeedParser.parse(try FeedServer.fixture("atom.xml"), now: now)
        XCTAssertEqual(atom.format, .atom)
        XCTAssertEqual(atom.title, "宁乡新闻 Atom")
        XCTAssertEqual(atom.items.count, 2)
        XCTAssertEqual(atom.items[0].link, "https://atom.example.cn/law/77", "the alternate link, not the enclosure")
        XCTAssertEqual(atom.items[0].guid, "tag:atom.example.cn,2026:77")
        XCTAssertTrue(HTMLText.plainText(atom.items[0].html).contains("嫌疑人 当庭认罪") || HTMLText.plainText(atom.items[0].html).contains("嫌疑人当庭认罪"))
        XCTAssertEqual(atom.items[0].date?.timeIntervalSince1970 ?? 0, ISO8601DateFormatter().date(from: "2026-11-22T01:30:00Z")!.timeIntervalSince1970 + 0.123, accuracy: 0.001)
        XCTAssertEqual(atom.items[1].link, "https://atom.example.cn/en/5")
        XCTAssertEqual(HTMLText.plainText(atom.items[1].html), "Forecasters expect a dry and sunny weekend across the city.")

        let json = try FeedParser.parse(try FeedServer.fixture("feed.json"), contentType: "application/feed+json", now: now)
        XCTAssertEqual(json.format, .json)
        XCTAssertEqual(json.items.count, 2)
        XCTAssertEqual(json.items[1].guid, "2", "numeric IDs are accepted")
        XCTAssertEqual(json.items[0].date, ISO8601DateFormatter().date(from: "2026-11-21T23:00:00Z"))
        // content_text keeps its angle brackets as text, and the HTML step makes it inert.
        let text = HTMLText.plainText(json.items[1].html)
        XCTAssertFalse(text.contains("<script"), text)
        XCTAssertTrue(text.contains("文本里有"))
    }

    func testEncodings() throws {
        let gbk = FeedServer.encodedFeed(title: "长沙地铁六号线开通运营", body: "市民乘坐地铁出行更加方便。", encoding: "GBK")
        XCTAssertNil(String(data: gbk, encoding: .utf8), "the fixture really is GBK")
        let a = try FeedParser.parse(gbk, contentType: "text/xml")
        XCTAssertEqual(a.items.first?.title, "长沙地铁六号线开通运营")
        let gb2312 = try FeedParser.parse(FeedServer.encodedFeed(title: "湖南省融媒体中心", body: "测试", encoding: "gb2312"))
        XCTAssertEqual(gb2312.items.first?.title, "湖南省融媒体中心")
        let big5 = FeedServer.encodedFeed(title: "臺灣同胞來湘參訪", body: "參訪團參觀產業園區。", encoding: "Big5")
        XCTAssertNil(String(data: big5, encoding: .utf8))
        let b = try FeedParser.parse(big5, contentType: "application/xml; charset=Big5")
        XCTAssertEqual(b.items.first?.title, "臺灣同胞來湘參訪")
        XCTAssertEqual(HTMLText.plainText(b.items.first?.html ?? ""), "參訪團參觀產業園區。")
        // A UTF-8 feed the server mislabels as GBK still decodes (the declaration is tried next)… or fails clearly.
        XCTAssertThrowsError(try FeedParser.parse(Data("<rss/>".utf8), contentType: "text/xml; charset=x-klingon")) { error in
            XCTAssertEqual((error as? FeedError)?.appError.code, "feed_unknown_encoding")
        }
    }

    func testInvalidXMLAndNotAFeed() throws {
        XCTAssertThrowsError(try FeedParser.parse(try FeedServer.fixture("invalid.xml"))) { error in
            let app = (error as? FeedError)?.appError
            XCTAssertEqual(app?.code, "feed_invalid_xml")
            XCTAssertTrue(app?.zh.contains("XML 格式错误") == true && app?.en.contains("Invalid XML") == true)
        }
        XCTAssertThrowsError(try FeedParser.parse(Data("<html><body>hi</body></html>".utf8))) { error in
            XCTAssertEqual((error as? FeedError)?.appError.code, "feed_unrecognized")
        }
        XCTAssertThrowsError(try FeedParser.parse(Data("{\"items\": 3}".utf8))) { error in
            XCTAssertEqual((error as? FeedError)?.appError.code, "feed_invalid_json")
        }
        XCTAssertThrowsError(try FeedParser.parse(Data("just text".utf8)))
        XCTAssertThrowsError(try FeedParser.parse(Data()))
    }

    func testDates() {
        let d = FeedDate()
        let now = ISO8601DateFormatter().date(from: "2026-11-22T12:00:00Z")!
        let expect = ISO8601DateFormatter().date(from: "2026-11-22T02:30:00Z")!
        for s in ["Sun, 22 Nov 2026 10:30:00 +0800", "22 Nov 2026 10:30:00 +0800", "Sun, 22 Nov 2026 02:30:00 GMT", "Sun, 22 Nov 2026 02:30 GMT",
                  "Sun, 22 Nov 2026 10:30:00 CST", "2026-11-22T10:30:00+08:00", "2026-11-22T02:30:00Z", "2026-11-22T02:30:00.000Z",
                  "2026-11-22 10:30:00", "2026-11-22 10:30", "2026/11/22 10:30", "2026年11月22日 10:30", "2026年11月22日10时30分", " 2026-11-22T10:30:00+0800 "] {
            XCTAssertEqual(d.parse(s, now: now), expect, s)
        }
        XCTAssertEqual(d.parse("2026年11月22日", now: now), ISO8601DateFormatter().date(from: "2026-11-21T16:00:00Z"))
        for bad in ["", "yesterday", "32 Nov 2026 10:00:00 +0800", "2026年13月40日", "3026-01-01T00:00:00Z", "1970-01-01T00:00:00Z", String(repeating: "9", count: 200)] {
            XCTAssertNil(d.parse(bad, now: now), bad)
        }
    }

    func testHostileHTMLBecomesInertText() throws {
        let feed = try FeedParser.parse(try FeedServer.fixture("hostile.xml"))
        let item = feed.items[0]
        let body = HTMLText.plainText(item.html), title = HTMLText.plainText(item.title)
        for needle in ["<", ">", "script", "onerror", "onclick", "onload", "javascript:", "expression(", "iframe", "evil.example", "alert("] {
            XCTAssertFalse(body.lowercased().contains(needle), "body contains \(needle): \(body)")
            XCTAssertFalse(title.lowercased().contains(needle), "title contains \(needle): \(title)")
        }
        XCTAssertTrue(body.contains("正文开始") && body.contains("点我") && body.contains("样式表达式") && body.contains("正文结束"), body)
        XCTAssertEqual(title, "标题里的攻击")
        XCTAssertNil(HTMLText.safeURL(item.link), "javascript: links are dropped")
        XCTAssertNil(HTMLText.safeURL("data:text/html,<script>alert(1)</script>"))
        XCTAssertNil(HTMLText.safeURL("https://user:pw@example.cn/"))
        XCTAssertEqual(HTMLText.safeURL("https://example.cn/a?b=1"), "https://example.cn/a?b=1")
        XCTAssertEqual(HTMLText.plainText("a &lt; b &amp;&amp; c &#x4E2D;&#25991; &bogus; 5 < 6"), "a < b && c 中文 &bogus; 5 < 6")
        XCTAssertEqual(HTMLText.plainText("<p>第一段</p><p>第二段<br>第三行</p>"), "第一段\n第二段\n第三行")
        XCTAssertFalse(HTMLText.plainText("<scr<script>ipt>alert(1)</script>x").contains("<"))
        XCTAssertEqual(HTMLText.plainText("<!-- <script>alert(1)</script> -->安全"), "安全")
        XCTAssertEqual(HTMLText.plainText("<script>never closed"), "")
    }

    func testLanguageAndCategory() async throws {
        XCTAssertEqual(LanguageDetector.detect("今天浏阳花炮出口增长，企业订单饱满。", engine: nil), "zh-Hans")
        XCTAssertEqual(LanguageDetector.detect("臺灣同胞來湘參訪，參觀了當地的產業園區與醫療機構，這個經濟發展很快。", engine: nil), "zh-Hant")
        XCTAssertEqual(LanguageDetector.detect("Forecasters expect a dry and sunny weekend across the city.", engine: nil), "en")
        XCTAssertEqual(LanguageDetector.detect("Прогноз погоды на выходные", engine: nil), "other")
        XCTAssertEqual(LanguageDetector.detect("", engine: nil), "other")
        XCTAssertEqual(LanguageDetector.detect("浏阳 GDP 增长 8%", engine: nil), "zh-Hans")
        XCTAssertEqual(LeadCategory.classify(title: "高速公路发生交通事故", body: "多车相撞，救援人员赶到现场。"), .emergency)
        XCTAssertEqual(LeadCategory.classify(title: "县法院公开审理电信诈骗案件", body: "嫌疑人当庭认罪"), .law)
        XCTAssertEqual(LeadCategory.classify(title: "马拉松比赛报名开启", body: ""), .sports)
        XCTAssertEqual(LeadCategory.classify(title: "花炮产业出口增长", body: "企业订单饱满"), .economy)
        XCTAssertEqual(LeadCategory.classify(title: "无关键词", body: "天气不错"), .other)
        // Festivals and tourism are culture (the demo's fireworks-festival lead was "other").
        XCTAssertEqual(LeadCategory.classify(title: "2026浏阳国际焰火节将于12月举办",
                                             body: "据市文旅部门消息，2026浏阳国际焰火节定于12月下旬举办，预计吸引游客10万人次。"), .culture)
    }
}
