import Foundation
import XCTest
import ZhimeiText
@testable import Zhimei

/// The bulk-indexing analyzer (scalar ranges, per-worker scratch, cached sub-words) must produce exactly the tokens
/// of the straightforward per-word implementation it replaced (kept here as the reference), so query results do not change.
final class SearchAnalyzerTests: XCTestCase {
    static let engine: TextEngine? = TestApp.textDataDirectory.flatMap { try? TextEngine(location: TextDataLocation(directory: $0)) }

    override func setUp() async throws {
        if Self.engine == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    /// The previous implementation: String per word, clean per word, sub-words looked up per word.
    struct Reference {
        let analyzer: SearchAnalyzer
        func clean(_ word: String, into out: inout [String]) {
            var piece = String.UnicodeScalarView()
            var length = 0
            func flush() {
                if !piece.isEmpty { out.append(String(piece)) }
                piece = String.UnicodeScalarView(); length = 0
            }
            for s in word.unicodeScalars {
                if SearchAnalyzer.isWordScalar(s) {
                    if length < SearchAnalyzer.maxTokenLength { piece.append(s); length += 1 }
                } else {
                    flush()
                }
            }
            flush()
        }
        func precise(_ simplified: String) -> [String] {
            var out: [String] = []
            for token in analyzer.segmenter.cut(simplified) {
                clean(token, into: &out)
                if out.count >= SearchAnalyzer.maxFieldTokens { break }
            }
            return out
        }
        func indexField(_ text: String) -> String {
            let words = precise(SearchAnalyzer.simplify(text))
            var extra: [String] = []
            for w in words where w.unicodeScalars.count > 2 && !w.utf8.allSatisfy({ $0 < 0x80 }) {
                extra.append(contentsOf: analyzer.subwords(w))
            }
            return (words + extra.prefix(SearchAnalyzer.maxFieldTokens)).joined(separator: " ")
        }
    }

    static let samples = [
        "", "   ", "。，！？", "浏阳市融媒体中心启用新演播厅", "鄉村振興新氣象：浏阳市推進鄉村振興，農民收入持續增長。",
        "Apple 发布 iPhone15，价格 5999 元；COVID-19 疫情 2024-05-01 12:30 访问 https://example.com/a?b=1 或 mail@x.cn",
        "中华人民共和国全国人民代表大会常务委员会委员长会议在北京人民大会堂举行",
        String(repeating: "很长的没有标点", count: 30) + String(repeating: "a", count: 95) + " 尾巴",
        "Ⅻ ⅻ ① ²³ 々〆〇 ﾊﾝｶｸ ＡＢＣ１２３ Ελληνικά русский العربية हिन्दी 😀👍🏽 e\u{301}",
        "张晓明说：“我们要把‘新闻+政务+服务’做实。”——记者 李四/王五 报道（完）",
    ]

    func testFastIndexFieldEqualsTheReference() throws {
        let analyzer = SearchAnalyzer(engine: Self.engine!)
        let reference = Reference(analyzer: analyzer)
        let scratch = SearchAnalyzerScratch()
        var texts = Self.samples
        // Generated news text (the benchmark's corpus) and a body long enough to hit the per-field token cap.
        if let dir = TestApp.textDataDirectory, let corpus = try? SearchCorpus(dictionary: dir + "/dict.txt", perTag: 800) {
            for i in 0..<40 {
                let a = corpus.article(i, seed: 7, characters: 1_500)
                texts += [a.title, a.lead, a.body, a.tags.joined(separator: " ")]
            }
            texts.append(corpus.article(99, seed: 7, characters: 40_000).body)
        }
        var checked = 0
        for text in texts {
            let expected = reference.indexField(text)
            XCTAssertEqual(SearchAnalyzer.flatIndexForm(analyzer.indexField(text, scratch: scratch)), expected, String(text.prefix(60)))
            XCTAssertEqual(SearchAnalyzer.flatIndexForm(analyzer.indexField(text)), expected)
            XCTAssertEqual(analyzer.queryTokens(text), reference.precise(SearchAnalyzer.simplify(text)))
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100)
        // The grouped form SQLite's tokenizer reads: each word followed by its sub-words (066).
        XCTAssertEqual(analyzer.indexField("浏阳市融媒体中心启用新演播厅"), "浏阳市\u{1}浏阳 融 媒体 中心 启用 新 演播厅\u{1}演播")
        XCTAssertEqual(SearchAnalyzer.flatIndexForm("浏阳市\u{1}浏阳 融 媒体 中心 启用 新 演播厅\u{1}演播"), "浏阳市 融 媒体 中心 启用 新 演播厅 浏阳 演播")
        // The cap really is reached by the long body (so the cut-off path was compared too).
        let long = analyzer.indexField(String(repeating: "融媒体中心发布新闻。", count: 3_000), scratch: scratch)
        XCTAssertGreaterThan(long.split(whereSeparator: { $0 == " " || $0 == "\u{1}" }).count, SearchAnalyzer.maxFieldTokens)
    }

    func testParallelAnalysisKeepsOrderAndTokens() async throws {
        let analyzer = SearchAnalyzer(engine: Self.engine!)
        let reference = Reference(analyzer: analyzer)
        let tenant = UUID()
        let docs = (0..<150).map { i in  // several chunks per worker (SearchParallel.chunk)
            SearchDocument(kind: "story", sourceID: UUID(), tenantID: tenant, title: "第\(i)条 鄉村振興", lead: Self.samples[i % Self.samples.count],
                           body: String(repeating: Self.samples[(i + 3) % Self.samples.count], count: 3), tags: ["防汛", "農業"], category: "时政",
                           date: Date(), updatedAt: Date())
        }
        let rows = await SearchService.analyze(docs, analyzer: analyzer)
        XCTAssertEqual(rows.map(\.doc.sourceID), docs.map(\.sourceID))
        for (row, doc) in zip(rows, docs) {
            XCTAssertEqual(SearchAnalyzer.flatIndexForm(row.tokTitle), reference.indexField(doc.title))
            XCTAssertEqual(SearchAnalyzer.flatIndexForm(row.tokLead), reference.indexField(doc.lead))
            XCTAssertEqual(SearchAnalyzer.flatIndexForm(row.tokTags), reference.indexField("防汛 農業 时政"))
            XCTAssertEqual(SearchAnalyzer.flatIndexForm(row.tokBody), reference.indexField(doc.body))
        }
    }

    /// The lower-casing shortcut is exact: every scalar it lets through is its own lower case, and whole texts (mixed
    /// scripts, full-width letters, Greek final sigma, dotted İ) come out as `lowercased()` gives them.
    func testLowercasingShortcutEqualsLowercased() {
        var passed = 0
        for v in UInt32(0)...0x10FFFF where SearchAnalyzer.hasNoLowercaseMapping(v) {
            guard let s = Unicode.Scalar(v) else { continue }
            XCTAssertEqual(String(Character(s)).lowercased(), String(Character(s)), String(format: "U+%04X", v))
            passed += 1
        }
        XCTAssertGreaterThan(passed, 27_000)
        XCTAssertFalse(SearchAnalyzer.hasNoLowercaseMapping(0x41))
        XCTAssertFalse(SearchAnalyzer.hasNoLowercaseMapping(0xFF21))  // Ａ
        for text in Self.samples + ["全部是中文，没有字母。", "ΟΔΟΣ 在 İstanbul", "Ｚｈｉｍｅｉ融媒体", "abc123中文", ""] {
            XCTAssertEqual(SearchAnalyzer.lowercased(text), text.lowercased(), text)
        }
    }
}
