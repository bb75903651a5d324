import Foundation
import XCTest
@testable import ZhimeiText

/// The t2s shortcut (`OpenCCIdentity`) must give exactly the library's output: every text is converted by an instance
/// with the shortcut and by one without, and the outputs must be identical; Simplified-only text must not reach the library.
final class OpenCCIdentityTests: XCTestCase {
    /// Two instances over the same files: one with the shortcut, one calling the library every time.
    func pair() throws -> (fast: OpenCC, slow: OpenCC) {
        let bundled = TestSupport.location.directory + "/opencc"
        guard FileManager.default.fileExists(atPath: bundled + "/libopencc.so"),
              FileManager.default.fileExists(atPath: bundled + "/share/TSPhrases.txt") else {
            throw XCTSkip("bundled OpenCC or its dictionary dumps missing: run scripts/text/setup-data.sh")
        }
        let fast = try OpenCC(libraryPath: bundled + "/libopencc.so", configDirectory: bundled + "/share")
        let slow = try OpenCC(libraryPath: bundled + "/libopencc.so", configDirectory: bundled + "/share")
        slow.usesIdentityShortcut = false
        guard fast.identity("t2s") != nil else { throw XCTSkip("no t2s shortcut for these files") }
        return (fast, slow)
    }

    func assertSame(_ texts: [String], _ p: (fast: OpenCC, slow: OpenCC), file: StaticString = #filePath, line: UInt = #line) throws {
        var differing: [String] = []
        for t in texts {
            let fast = try p.fast.convert(t, config: "t2s"), slow = try p.slow.convert(t, config: "t2s")
            if fast != slow { differing.append(t) }
        }
        XCTAssertTrue(differing.isEmpty, "shortcut differs from the library on \(differing.count): \(differing.prefix(5))", file: file, line: line)
    }

    func testSampleConvertsAsTheLibraryDoes() throws {
        let p = try pair()
        var texts = [
            "", "a", "ASCII only, 123.", "😀👍🏽 emoji 🇨🇳", "\r\n\t", "，。！？“”‘’、；：（）【】《》——……",
            "著作", "乾坤", "頭髮", "头发", "睡著了", "著名作家的著作", "乾淨的乾坤", "他的頭髮很長", "什么", "破坏", "覆盖", "回覆", "答覆", "深沈",
            "新华社北京12月4日电 国家统计局今天发布数据，前三季度国内生产总值同比增长5.2%。",
            "新華社北京12月4日電 國家統計局今天發布數據，前三季度國內生產總值同比增長5.2%。",
            "记者从市政府获悉，今年全市新建保障性住房2万套，這些住房將於明年交付。",
            "台灣媒體報導，颱風將於週末登陸，氣象局發佈海上警報。香港特區政府表示，會密切留意。",
            "融媒体中心的记者在现场捏坏了一块毛坏，随后回覆了读者的答覆，心情深沈。",
            "他找藉口说意志消沈，只得破釜沈舟。英哩与海哩。",
            "乾隆年间，乾坤未定；干杯！幹部們在會議上發言。",
            "豐（丰）、後（后）、裡（里）、髮（发）、鬆（松）、麵（面）",
            "丽﨑 compatibility ideographs 﨑 and 𠀀 extension B",
        ]
        // Every key of the t2s dictionaries (phrases and characters), alone and inside Simplified text.
        let share = TestSupport.location.directory + "/opencc/share"
        for f in ["TSPhrases", "TSCharacters", "TSCharactersExt"] {
            let text = (try? String(contentsOfFile: share + "/\(f).txt", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard let key = line.split(separator: "\t").first else { continue }
                texts += [String(key), "我们" + key + "的新闻"]
            }
        }
        // The OpenCC t2s cases of the evaluation set (read at test time when present).
        if let path = TestSupport.evalFile("opencc/testcases.json"), var json = try? String(contentsOfFile: path, encoding: .utf8) {
            json = json.replacingOccurrences(of: #",(\s*[\]}])"#, with: "$1", options: .regularExpression)
            struct File: Decodable { struct Case: Decodable { let input: String; let expected: [String: String] }; let cases: [Case] }
            if let cases = try? JSONDecoder().decode(File.self, from: Data(json.utf8)).cases {
                for c in cases {
                    texts.append(c.input)
                    texts += c.expected.values
                }
            }
        }
        try assertSame(texts, p)
    }

    func testRandomMixturesConvertAsTheLibraryDoes() throws {
        let p = try pair()
        let dict = (try? String(contentsOfFile: TestSupport.location.directory + "/dict.txt", encoding: .utf8)) ?? ""
        let words = dict.split(separator: "\n").prefix(60_000).compactMap { $0.split(separator: " ").first.map(String.init) }
        guard !words.isEmpty else { throw XCTSkip("jieba data missing; run scripts/text/setup-data.sh") }
        let share = TestSupport.location.directory + "/opencc/share"
        let keys = ((try? String(contentsOfFile: share + "/TSPhrases.txt", encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { $0.split(separator: "\t").first.map(String.init) }
        let extras = ["，", "。", "😀", "A", "x", "\n", "著作", "乾坤", "頭髮", "什么", "破坏", "覆盖", "坏", "沈", "藉", "覆", "瞭", "么"]
        var rng = FastPathTests.RNG(x: 20_261_204)
        var texts: [String] = []
        for _ in 0..<20_000 {
            var s = ""
            for _ in 0..<(1 + rng.int(12)) {
                let r = rng.int(100)
                s += r < 80 ? words[rng.int(words.count)] : (r < 90 && !keys.isEmpty ? keys[rng.int(keys.count)] : extras[rng.int(extras.count)])
            }
            texts.append(s)
        }
        try assertSame(texts, p)
    }

    func testSimplifiedTextSkipsTheLibrary() throws {
        let p = try pair()
        let before = p.fast.skippedConversions
        let simplified = "新华社北京12月4日电 国家统计局今天发布数据，前三季度国内生产总值同比增长5.2%。著名作家的著作获奖。"
        XCTAssertEqual(try p.fast.convert(simplified, config: "t2s"), simplified)
        XCTAssertEqual(p.fast.skippedConversions, before + 1)
        // Traditional text, and Simplified text holding a changing phrase (深沈 → 深沉), go to the library.
        XCTAssertEqual(try p.fast.convert("頭髮", config: "t2s"), "头发")
        XCTAssertEqual(try p.fast.convert("心情深沈", config: "t2s"), "心情深沉")
        XCTAssertEqual(p.fast.skippedConversions, before + 1)
        // Without the shortcut nothing is skipped.
        _ = try p.slow.convert(simplified, config: "t2s")
        XCTAssertEqual(p.slow.skippedConversions, 0)
    }
}
