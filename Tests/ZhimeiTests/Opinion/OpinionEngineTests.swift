import XCTest
import ZhimeiText
@testable import Zhimei

/// The pure parts: scheme rules, clustering, spread graph, bursts, forecasts and the record splitter.
final class OpinionEngineTests: XCTestCase {
    func testSchemeRulesBooleanLogic() throws {
        let rule = try SchemeRule.parse("(暴雨 OR 洪水) AND 浏阳 NOT 演练")
        XCTAssertTrue(rule.matches("浏阳突降暴雨"))
        XCTAssertTrue(rule.matches("浏阳河洪水上涨"))
        XCTAssertFalse(rule.matches("浏阳防汛演练遇暴雨"), "NOT excludes")
        XCTAssertFalse(rule.matches("长沙暴雨"), "AND requires 浏阳")
        // Adjacency is AND, symbols work, quotes keep spaces, Chinese operators work.
        XCTAssertTrue(try SchemeRule.parse("停水 小区").matches("某小区停水"))
        XCTAssertFalse(try SchemeRule.parse("停水 小区").matches("停水通知"))
        XCTAssertTrue(try SchemeRule.parse("a | b & !c").matches("b"))
        XCTAssertFalse(try SchemeRule.parse("a | b & !c").matches("b c"))
        XCTAssertTrue(try SchemeRule.parse("\"new york\" -rain").matches("new york times"))
        XCTAssertTrue(try SchemeRule.parse("火灾 或 爆炸").matches("仓库爆炸"))
        XCTAssertEqual(try SchemeRule.parse("A").matches("a"), true, "terms are lower-cased")
        // Malformed rules are errors, never crashes.
        for bad in ["", "(暴雨", "暴雨)", "AND", "暴雨 OR", "\"open", String(repeating: "(", count: 30) + "x" + String(repeating: ")", count: 30),
                    String(repeating: "词 ", count: 300), "\u{0}", "NOT"] {
            XCTAssertThrowsError(try SchemeRule.parse(bad), "rule \(bad.prefix(20)) should fail")
        }
        let m = SchemeMatcher(id: UUID(), rule: try SchemeRule.parse("停水"), regions: ["浏阳"], platforms: ["weibo"], exclusions: ["演练"])
        XCTAssertTrue(m.matches(text: "浏阳停水", region: nil, platform: "weibo"))
        XCTAssertFalse(m.matches(text: "浏阳停水", region: nil, platform: "wechat"))
        XCTAssertFalse(m.matches(text: "宁乡停水", region: "宁乡", platform: "weibo"))
        XCTAssertFalse(m.matches(text: "浏阳停水演练", region: nil, platform: "weibo"))
        let forum = UUID()
        var limited = m
        limited.sources = [forum]
        XCTAssertTrue(limited.matches(text: "浏阳停水", region: nil, platform: "weibo", source: forum))
        XCTAssertFalse(limited.matches(text: "浏阳停水", region: nil, platform: "weibo", source: UUID()), "another source")
        XCTAssertFalse(limited.matches(text: "浏阳停水", region: nil, platform: "weibo", source: nil), "posted without a source")
        XCTAssertTrue(m.matches(text: "浏阳停水", region: nil, platform: "weibo", source: nil), "no sources chosen: any")
    }

    /// The post analyzer over the test text data (skips the test when it is not installed).
    static func analyzer() throws -> PostAnalyzer {
        guard let dir = TestApp.textDataDirectory, let engine = try? TextEngine(location: TextDataLocation(directory: dir)) else {
            throw XCTSkip("text data missing; run scripts/text/setup-data.sh")
        }
        return PostAnalyzer(engine: engine, directory: dir)
    }

    func analyzer() throws -> PostAnalyzer { try Self.analyzer() }

    func testClusteringGroupsReprintsAndSeparatesTopics() throws {
        let a = try analyzer()
        let fire = "浏阳市集里街道一处仓库今天凌晨发生火灾，消防部门出动六辆消防车扑救，目前火势已被控制，无人员伤亡，起火原因正在调查。"
        let texts = [
            fire,
            "转发：" + fire,                                   // reprint
            fire + " 现场浓烟很大。",                           // near reprint
            "浏阳集里街道仓库凌晨起火，消防车赶到现场扑救，火势得到控制，起火原因调查中。", // same event, reworded
            "宁乡市今年早稻喜获丰收，农技专家介绍，新品种亩产提高一成，农民收入明显增加。",
            "宁乡早稻丰收，新品种亩产提高，种粮农民收入增加，农技人员下田指导收割。",
            "长沙地铁六号线东延段今日开通试运营，市民乘坐地铁前往机场更加方便。",
            fire,                                              // exact copy
        ]
        var c = EventClusterer()
        let out = texts.map { t -> EventClusterer.Assignment in
            let r = a.analyze(t)
            return c.add(keywords: r.keywords, simhash: r.simhash)
        }
        XCTAssertEqual(out[1].event, out[0].event)
        XCTAssertEqual(out[7].nearDuplicateOf, 0, "a copy is flagged as a near duplicate of the first post")
        XCTAssertEqual(out[7].event, out[0].event)
        XCTAssertEqual(out[2].event, out[0].event)
        XCTAssertEqual(out[3].event, out[0].event, "reworded report of the same fire joins by keywords")
        XCTAssertEqual(out[5].event, out[4].event)
        XCTAssertNotEqual(out[4].event, out[0].event)
        XCTAssertNotEqual(out[6].event, out[0].event)
        XCTAssertNotEqual(out[6].event, out[4].event)
        XCTAssertEqual(c.centroids.count, 3)
        let gold = [0, 0, 0, 0, 1, 1, 2, 0]
        XCTAssertEqual(ClusterQuality.purity(predicted: out.map(\.event), gold: gold), 1, accuracy: 1e-9)
        XCTAssertEqual(ClusterQuality.nmi(predicted: out.map(\.event), gold: gold), 1, accuracy: 1e-9)
        XCTAssertLessThan(ClusterQuality.nmi(predicted: [0, 0, 0, 0, 0, 0, 0, 0], gold: gold), 0.01)
    }

    func testPostAnalysisFindsSentimentEntitiesAndRegion() throws {
        let a = try analyzer()
        let r = a.analyze("湖南浏阳这家医院的服务太差了，排队三个小时没人管，非常失望！")
        XCTAssertEqual(r.sentiment.label, .negative)
        XCTAssertEqual(r.region, "湖南")
        XCTAssertTrue(r.entities.contains("浏阳") || r.entities.contains("湖南"), "\(r.entities)")
        XCTAssertEqual(a.analyze("這家醫院的服務很好").simplified, "这家医院的服务很好", "Traditional text is converted")
        XCTAssertEqual(PostAnalyzer.contentHash("a, b!"), PostAnalyzer.contentHash("ab"))
        XCTAssertEqual(a.analyze("x", regionHint: " 长沙 ").region, "长沙", "metadata wins")
    }

    /// A batch analysed on several tasks gives each post the analysis it gets alone, in the batch's order.
    func testBatchAnalysisOnWorkersKeepsOrderAndResults() async throws {
        let a = try analyzer()
        let posts = (0..<301).map { i in
            (text: ["浏阳\(i)号路段积水严重，非常失望！", "宁乡花炮节开幕，现场很热闹\(i)。", "這家醫院的服務很好，第\(i)次來"][i % 3],
             regionHint: i % 5 == 0 ? "长沙" : nil as String?)
        }
        let alone = posts.map { a.analyze($0.text, regionHint: $0.regionHint) }
        for workers in [1, 2, 3] {
            let batch = await a.analyze(posts, workers: workers)
            XCTAssertEqual(batch.count, posts.count)
            for (x, y) in zip(batch, alone) {
                XCTAssertEqual(x.simplified, y.simplified)
                XCTAssertEqual(x.contentHash, y.contentHash)
                XCTAssertEqual(x.simhash, y.simhash)
                XCTAssertEqual(x.keywords, y.keywords)
                XCTAssertEqual(x.sentiment.score, y.sentiment.score)
                XCTAssertEqual(x.region, y.region)
            }
        }
    }

    /// Function words and common time words are not keywords (they filled events' word clouds); content words,
    /// rare time words and English words of three letters or more are.
    func testPostKeywordsAreContentWords() throws {
        let a = try analyzer()
        let r = a.analyze("大家真是已经非常着急了，今年金沙路的积水我们一直没有看到处理，春节前目前WiFi和APP也用不了。")
        let words = Set(r.keywords.map(\.word))
        for function in ["大家", "真是", "已经", "非常", "今年", "我们", "一直", "没有", "目前"] {
            XCTAssertFalse(words.contains(function), "\(function) in \(words)")
        }
        for content in ["积水", "春节", "着急"] { XCTAssertTrue(words.contains(content), "\(content) not in \(words)") }
        XCTAssertTrue(words.contains("wifi") || words.contains("WiFi") || words.contains("app") || words.contains("APP"),
                      "English words of 3+ letters stay: \(words)")
        XCTAssertTrue(PostAnalyzer.isKeywordCandidate("abc", tag: "eng", lexicon: a.engine.lexicon))
        XCTAssertFalse(PostAnalyzer.isKeywordCandidate("ab", tag: "eng", lexicon: a.engine.lexicon))
    }

    func testSpreadGraphOriginReachAndBetweenness() {
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        // A posts; B and C repost A; D reposts B; E reposts D; F replies to C.
        let posts = [
            SpreadGraph.Post(id: "1", author: "A", at: t0, parent: nil),
            SpreadGraph.Post(id: "2", author: "B", at: t0 + 60, parent: "1"),
            SpreadGraph.Post(id: "3", author: "C", at: t0 + 120, parent: "1"),
            SpreadGraph.Post(id: "4", author: "D", at: t0 + 180, parent: "2"),
            SpreadGraph.Post(id: "5", author: "E", at: t0 + 240, parent: "4"),
            SpreadGraph.Post(id: "6", author: "F", at: t0 + 300, parent: "3"),
            SpreadGraph.Post(id: "7", author: "G", at: t0 + 30, parent: "missing"),
        ]
        let g = SpreadGraph(posts: posts)
        let name = { (i: Int) in g.authors[i] }
        XCTAssertEqual(g.origins().map(name), ["A", "G"], "earliest authors without a parent first")
        let reach = Dictionary(uniqueKeysWithValues: g.authors.indices.map { (g.authors[$0], g.reach()[$0]) })
        XCTAssertEqual(reach["A"], 5)
        XCTAssertEqual(reach["B"], 2)
        XCTAssertEqual(reach["E"], 0)
        let b = Dictionary(uniqueKeysWithValues: g.authors.indices.map { (g.authors[$0], g.betweenness()[$0]) })
        // Shortest paths through B: A→D, A→E (2); through D: A→E, B→E (2); through C: A→F (1).
        XCTAssertEqual(b["B"]!, 2, accuracy: 1e-9)
        XCTAssertEqual(b["D"]!, 2, accuracy: 1e-9)
        XCTAssertEqual(b["C"]!, 1, accuracy: 1e-9)
        XCTAssertEqual(b["A"]!, 0, accuracy: 1e-9)
        XCTAssertEqual(g.paths().first.map { $0.map(name) }, ["A", "B", "D", "E"])
    }

    func testBurstForecastAndRisk() {
        let quiet: [Double] = [3, 4, 2, 3, 5, 3, 4, 3, 2, 4, 3, 3]
        XCTAssertFalse(Trend.burst(quiet + [4]).isBurst)
        let burst = Trend.burst(quiet + [40])
        XCTAssertTrue(burst.isBurst)
        XCTAssertGreaterThan(burst.zScore, 10)
        XCTAssertFalse(Trend.burst([0, 0, 0, 3]).isBurst, "a tiny bump on a silent series is not a burst")
        let f = Trend.holt([10, 20, 30, 40, 50], horizon: 3)
        XCTAssertEqual(f.count, 3)
        XCTAssertGreaterThan(f[0], 50)
        XCTAssertGreaterThan(f[2], f[0], "a rising series forecasts higher")
        XCTAssertEqual(Trend.holt([], horizon: 2), [0, 0])
        XCTAssertEqual(Trend.holt([5, 3, 1, 0, 0], horizon: 5).min(), 0, "never negative")
        let low = Trend.risk(volume: 5, zScore: 0, negativeShare: 0.1, sensitiveHits: 0)
        let high = Trend.risk(volume: 500, zScore: 8, negativeShare: 0.8, sensitiveHits: 2)
        XCTAssertLessThan(low, 25)
        XCTAssertGreaterThan(high, 75)
        XCTAssertLessThanOrEqual(Trend.risk(volume: Int.max, zScore: .infinity, negativeShare: .nan, sensitiveHits: Int.max), 100)
    }

    func testRecordSplitterStreamsAndResumes() {
        let jsonl = Array("{\"a\":1}\n\n{\"a\":2}\n{\"a\":3}".utf8)
        var s = RecordSplitter(format: .jsonl)
        var records: [(String, Int64)] = []
        for chunk in stride(from: 0, to: jsonl.count, by: 3).map({ Array(jsonl[$0..<min($0 + 3, jsonl.count)]) }) {
            for case .record(let b, let end) in s.feed(chunk) { records.append((String(decoding: b, as: UTF8.self), end)) }
        }
        for case .record(let b, let end) in s.finish() { records.append((String(decoding: b, as: UTF8.self), end)) }
        XCTAssertEqual(records.map(\.0), ["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"])
        // Resuming at the second record's checkpoint yields only the third.
        var resumed = RecordSplitter(format: .jsonl, offset: records[1].1)
        let rest = resumed.feed(jsonl[Int(records[1].1)...]) + resumed.finish()
        XCTAssertEqual(rest.count, 1)
        var json = RecordSplitter(format: .json)
        let objects = json.feed(Array("[{\"t\":\"}{\\\"\"},{\"n\":{\"x\":[1]}}]".utf8))
        XCTAssertEqual(objects.count, 2)
        var csv = RecordSplitter(format: .csv)
        let rows = csv.feed(Array("id,text\n1,\"多行\n正文, 带逗号\"\n2,b\n".utf8))
        XCTAssertEqual(rows.count, 3)
        if case .record(let b, _) = rows[1] {
            XCTAssertEqual(PostRecord.csvFields(Substring(String(decoding: b, as: UTF8.self))), ["1", "多行\n正文, 带逗号"])
        } else { XCTFail() }
    }

    /// The content hash skips whitespace, punctuation and symbols by the scalar's general category; that must be what
    /// Foundation's character sets say (stored hashes were made with them), checked over the blocks posts use.
    /// (U+20C1, a currency sign new in Unicode 17, is left out: the two libraries carry different Unicode versions.)
    func testContentHashIgnoresWhatFoundationCallsPunctuationAndSymbols() {
        let ranges: [ClosedRange<UInt32>] = [0...0x24F, 0x2000...0x206F, 0x20A0...0x20C0, 0x2190...0x23FF, 0x2500...0x27BF,
                                             0x3000...0x303F, 0x4E00...0x9FFF, 0xFE30...0xFE4F, 0xFF00...0xFFEF, 0x1F300...0x1F64F]
        var mismatches: [String] = []
        for r in ranges {
            for v in r {
                guard let s = Unicode.Scalar(v) else { continue }
                let foundation = s.properties.isWhitespace || CharacterSet.punctuationCharacters.contains(s) || CharacterSet.symbols.contains(s)
                if PostAnalyzer.ignoredInHash(s) != foundation, mismatches.count < 20 { mismatches.append(String(v, radix: 16)) }
            }
        }
        XCTAssertEqual(mismatches, [])
        XCTAssertEqual(PostAnalyzer.contentHash("浏阳，停水！ 3天"), PostAnalyzer.contentHash("浏阳停水3天"))
        XCTAssertNotEqual(PostAnalyzer.contentHash("浏阳停水3天"), PostAnalyzer.contentHash("浏阳停水4天"))
        XCTAssertEqual(PostAnalyzer.region(places: [], text: "据报道，广东和湖南都有降雨", hint: nil), "广东", "the province named first in the text")
        XCTAssertNil(PostAnalyzer.region(places: [], text: "没有地名", hint: nil))
    }
}
