import Foundation
import XCTest
@testable import Zhimei

/// Renderers as plain Swift: ninjs against the official IPTC schemas, the JSON Schema validator against the official
/// fixtures, read-aloud numbers, social and WeChat rules, XML escaping.
final class ChannelRendererTests: XCTestCase {
    func input(headline: String = "浏阳<花炮>节 & “开幕”", correction: String? = nil, aigc: Bool = true, maxLength: Int = 0) -> RenderInput {
        let story = Story()
        story.headline = headline; story.subtitle = "副题"; story.lead = "导语"; story.byline = "记者 张三"; story.tags = ["花炮", "经济 发展"]
        story.categories = ["经济"]; story.location = "浏阳"; story.language = "zh"; story.embargo = Date(timeIntervalSince1970: 1_800_000_000)
        story.body = [.paragraph([InlineSpan("2024年增长3.5%。\u{0}\u{1}")], aigc: aigc ? AIGCLabel(provider: "builtin", model: "m", generatedAt: Date()) : nil),
                      .image(key: "stories/t/\(UUID().uuidString)", caption: "图片说明", alt: "替代文字"),
                      .table(rows: [["a", "<b>"]], header: true)]
        story.aigc = nil
        let snapshot = StorySnapshot(story)
        return RenderInput(storyID: UUID(), version: 3, snapshot: snapshot, headline: headline, summary: "摘要", authorName: "张三", credit: "",
                           tenantSlug: "liuyang", tenantName: "浏阳市融媒体中心", baseURL: "http://news.example.cn", publishedAt: Date(),
                           firstPublishedAt: Date().addingTimeInterval(-60), correction: correction, maxLength: maxLength)
    }

    func loadSchema(_ version: String) throws -> JSONSchemaValidator {
        guard let dir = PublishingFixtures.ninjsDirectory else { throw XCTSkip("../shared/eval/ninjs not present") }
        return JSONSchemaValidator(schema: try JSONNode.parse(Data(contentsOf: dir.appendingPathComponent("ninjs-schema_\(version).json"))))
    }

    func testNinjsValidatesAgainstOfficialSchemas() throws {
        let v22 = try loadSchema("2.2"), v31 = try loadSchema("3.1")
        for i in [input(), input(correction: "更正说明", aigc: false), input(headline: "")] {
            let doc22 = try JSONNode.parse(Data(ChannelRenderer.render(.ninjs2, i).body.utf8))
            XCTAssertEqual(v22.validate(doc22), [])
            let doc31 = try JSONNode.parse(Data(ChannelRenderer.render(.ninjs3, i).body.utf8))
            XCTAssertEqual(v31.validate(doc31), [])
            XCTAssertFalse(v22.isValid(doc31), "3.1 keys are not 2.2 keys (unevaluatedProperties)")
        }
        var killed = input(); killed.killed = true
        XCTAssertEqual(try JSONNode.parse(Data(ChannelRenderer.render(.ninjs3, killed).body.utf8))["pubStatus"], .string("canceled"))
    }

    func testValidatorAgreesWithOfficialFixtures() throws {
        guard let dir = PublishingFixtures.ninjsDirectory else { throw XCTSkip("../shared/eval/ninjs not present") }
        var checked = 0
        for version in ["2.2", "3.1"] {
            let validator = try loadSchema(version)
            for (folder, expected) in [("should_pass", true), ("should_fail", false)] {
                let folderURL = dir.appendingPathComponent("test_suite/\(version)/\(folder)")
                for name in try FileManager.default.contentsOfDirectory(atPath: folderURL.path) where name.hasSuffix(".json") {
                    let doc = try JSONNode.parse(Data(contentsOf: folderURL.appendingPathComponent(name)))
                    XCTAssertEqual(validator.isValid(doc), expected, "\(version)/\(folder)/\(name): \(validator.validate(doc))")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 4)
    }

    func testValidatorKeywords() throws {
        let schema = try JSONNode.parse(Data(#"""
        {"$defs":{"pos":{"type":"integer","minimum":1}},"type":"object","required":["a"],
         "properties":{"a":{"$ref":"#/$defs/pos"},"b":{"enum":["x","y"]},"c":{"type":"string","format":"uri","pattern":"^https"},
                       "d":{"type":"array","items":{"type":"string","minLength":2},"maxItems":2},"e":{"const":5},
                       "f":{"oneOf":[{"type":"string"},{"type":"integer"}]},"g":{"anyOf":[{"type":"null"},{"format":"date-time"}]},
                       "h":{"not":{"type":"boolean"}}},
         "patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}
        """#.utf8))
        let v = JSONSchemaValidator(schema: schema)
        func ok(_ s: String) throws -> Bool { v.isValid(try JSONNode.parse(Data(s.utf8))) }
        XCTAssertTrue(try ok(#"{"a":2,"b":"x","c":"https://a.cn","d":["ab"],"e":5,"f":1,"g":"2024-01-02T03:04:05Z","h":1,"x-1":"s"}"#))
        XCTAssertFalse(try ok(#"{"b":"x"}"#), "required")
        XCTAssertFalse(try ok(#"{"a":0}"#), "minimum via $ref")
        XCTAssertFalse(try ok(#"{"a":1.5}"#), "integer")
        XCTAssertFalse(try ok(#"{"a":1,"b":"z"}"#), "enum")
        XCTAssertFalse(try ok(#"{"a":1,"c":"http://a"}"#), "pattern")
        XCTAssertFalse(try ok(#"{"a":1,"c":"https no scheme"}"#), "format uri")
        XCTAssertFalse(try ok(#"{"a":1,"d":["a"]}"#), "minLength")
        XCTAssertFalse(try ok(#"{"a":1,"d":["ab","cd","ef"]}"#), "maxItems")
        XCTAssertFalse(try ok(#"{"a":1,"e":6}"#), "const")
        XCTAssertFalse(try ok(#"{"a":1,"f":true}"#), "oneOf")
        XCTAssertFalse(try ok(#"{"a":1,"g":"yesterday"}"#), "date-time")
        XCTAssertFalse(try ok(#"{"a":1,"h":true}"#), "not")
        XCTAssertFalse(try ok(#"{"a":1,"x-1":2}"#), "patternProperties")
        XCTAssertFalse(try ok(#"{"a":1,"zzz":2}"#), "additionalProperties")
    }

    func testReadAloudNumbers() {
        XCTAssertEqual(ReadAloud.convert("2024年"), "二〇二四年")
        XCTAssertEqual(ReadAloud.convert("增长3.5%"), "增长百分之三点五")
        XCTAssertEqual(ReadAloud.convert("1234家"), "一千二百三十四家")
        XCTAssertEqual(ReadAloud.convert("10500人"), "一万零五百人")
        XCTAssertEqual(ReadAloud.convert("12人"), "十二人")
        XCTAssertEqual(ReadAloud.convert("2000元"), "两千元")
        XCTAssertEqual(ReadAloud.convert("300000000元"), "三亿元")
        XCTAssertEqual(ReadAloud.convert("0.5"), "零点五")
        XCTAssertEqual(ReadAloud.convert("1,200"), "一千二百")
        XCTAssertEqual(ReadAloud.convert("电话13800138000"), "电话一三八〇〇一三八〇〇〇")
        XCTAssertEqual(ReadAloud.convert(String(repeating: "9", count: 400)).count, 400, "no overflow on long digit runs")
        let script = ChannelRenderer.broadcastScript(input())
        XCTAssertTrue(script.contains("二〇二四年增长百分之三点五"))
        XCTAssertFalse(script.contains("<p") || script.contains("&lt;"), "plain text, no markup")
    }

    func testSocialPostLimitAndHashtags() {
        var i = input(headline: String(repeating: "长", count: 300), maxLength: 140)
        i.hashtags = ["浏阳", "花炮节"]
        let post = ChannelRenderer.socialPost(i)
        XCTAssertLessThanOrEqual(post.count, 140)
        XCTAssertTrue(post.contains("#浏阳# #花炮节#"))
        XCTAssertTrue(post.contains(i.articleURL), "the link is never cut")
        XCTAssertTrue(post.contains("…"))
        XCTAssertTrue(post.hasSuffix("[AI生成]"), "the AIGC label is kept")
        i.maxLength = 100
        let short = ChannelRenderer.socialPost(i)
        XCTAssertLessThanOrEqual(short.count, 100)
        XCTAssertTrue(short.contains(i.articleURL) && !short.contains("#浏阳#"), "hashtags give way to the link")
    }

    func testWeChatInlineStylesAndLengthLimit() throws {
        let html = try WeChatRenderer.render(input())
        XCTAssertTrue(html.contains("style=\""))
        XCTAssertFalse(html.contains("<花炮>"))
        XCTAssertTrue(html.contains("http://news.example.cn/site/liuyang/media/"), "images are absolute")
        XCTAssertThrowsError(try WeChatRenderer.render(input(maxLength: 5)))
    }

    func testFeedsEscapeAndDropInvalidXMLCharacters() throws {
        let i = input()
        let rss = FeedRenderer.rss(title: "a&b", link: "http://x", selfURL: "http://x/feed.rss", description: "d", items: [FeedRenderer.rssItem(i)], built: Date())
        let doc = try XMLFeed.parse(rss)
        XCTAssertEqual(doc.values("title").last, i.headline)
        let atom = FeedRenderer.atom(title: "t", id: "urn:x", link: "http://x", selfURL: "http://x/feed.atom", entries: [FeedRenderer.atomEntry(i)], updated: Date())
        XCTAssertFalse(atom.contains("\u{0}"))
        XCTAssertNoThrow(try XMLFeed.parse(atom))
        XCTAssertTrue(FeedRenderer.rfc822(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }
}
