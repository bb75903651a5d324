import Foundation
import XCTest
@testable import Zhimei

/// The bench corpus generator draws words through a guide table and assembles articles as bytes; it must produce
/// exactly the articles of the plain version (binary search per draw, `String` concatenation), kept here as the
/// reference, so bench results stay comparable across versions.
final class SearchCorpusTests: XCTestCase {
    /// The first word whose cumulative frequency exceeds a uniform draw, by binary search (the previous generator).
    static func referenceDraw(_ pool: SearchCorpus.Pool, _ r: inout SearchCorpus.Random) -> String {
        guard let total = pool.cumulative.last, total > 0 else { return "新闻" }
        let x = r.next() % total
        var lo = 0, hi = pool.cumulative.count - 1
        while lo < hi { let mid = (lo + hi) / 2; if pool.cumulative[mid] > x { hi = mid } else { lo = mid + 1 } }
        return pool.words[lo]
    }

    /// The previous article assembly, word by word into `String`s.
    static func referenceArticle(_ c: SearchCorpus, _ index: Int, seed: UInt64, characters: Int) -> (String, String, String, [String], String) {
        var r = SearchCorpus.Random(seed: seed &+ UInt64(truncatingIfNeeded: index) &* 0x2545_F491_4F6C_DD1D)
        func w(_ tag: String) -> String { c.pools[tag].map { referenceDraw($0, &r) } ?? "工作" }
        func sentence() -> String {
            let t = c.slots[r.below(c.slots.count)]
            var out = ""
            for slot in t { out += slot.pool.map { referenceDraw($0, &r) } ?? slot.text }
            return out
        }
        let title = w("ns") + w("v") + w("n") + w("vn")
        let lead = sentence()
        var body = "", paragraph = 0, length = 0
        while length < characters {
            let s = sentence()
            body += s
            length += s.unicodeScalars.count
            paragraph += 1
            if paragraph % 5 == 0 { body += "\n" }
        }
        let tags = [w("n"), w("ns")]
        return (title, lead, body, tags, w("nr"))
    }

    /// A small dictionary with skewed frequencies (one very frequent word, a long tail of frequency 1) in every tag.
    func writeDictionary() throws -> String {
        var lines: [String] = []
        var r = SearchCorpus.Random(seed: 7)
        let han = Array("中国发展经济社会文化记者新闻城市乡村振兴改革创新政策服务群众安全教育医疗交通环境科技")
        for tag in SearchCorpus.tags {
            for i in 0..<300 {
                let length = 1 + r.below(4)
                let word = String((0..<length).map { _ in han[r.below(han.count)] }) + String(han[i % han.count])
                let frequency = i == 0 ? 5_000_000 : (i < 20 ? 1 + r.below(100_000) : 1)
                lines.append("\(word) \(frequency) \(tag)")
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-dict-\(UUID().uuidString).txt").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testGuideTableDrawsEqualBinarySearch() throws {
        let path = try writeDictionary()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let corpus = try SearchCorpus(dictionary: path)
        XCTAssertEqual(Set(corpus.pools.keys), Set(SearchCorpus.tags))
        for (tag, pool) in corpus.pools {
            XCTAssertFalse(pool.guide.isEmpty, tag)
            var a = SearchCorpus.Random(seed: 42), b = SearchCorpus.Random(seed: 42)
            for _ in 0..<20_000 { XCTAssertEqual(pool.draw(&a), Self.referenceDraw(pool, &b), tag) }
        }
        // An empty pool draws the fallback without consuming the generator, as before.
        var empty = SearchCorpus.Pool()
        empty.seal()
        var r = SearchCorpus.Random(seed: 1)
        XCTAssertEqual(empty.draw(&r), "新闻")
        XCTAssertEqual(r.state, 1)
    }

    func testArticlesEqualTheReference() throws {
        let path = try writeDictionary()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var corpora = [try SearchCorpus(dictionary: path)]
        // The real dictionary too, when the text data is installed (the bench's own vocabulary).
        if let dir = TestApp.textDataDirectory, let real = try? SearchCorpus(dictionary: dir + "/dict.txt") { corpora.append(real) }
        for corpus in corpora {
            for i in 0..<200 {
                let characters = [1, 300, 1_500][i % 3]
                let a = corpus.article(i, seed: 20_260_101, characters: characters)
                let b = Self.referenceArticle(corpus, i, seed: 20_260_101, characters: characters)
                XCTAssertEqual(a.title, b.0)
                XCTAssertEqual(a.lead, b.1)
                XCTAssertEqual(a.body, b.2)
                XCTAssertEqual(a.tags, b.3)
                XCTAssertEqual(a.author, b.4)
                XCTAssertGreaterThanOrEqual(a.body.unicodeScalars.count, characters)
            }
        }
    }
}
