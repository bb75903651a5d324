import Foundation
import XCTest
@testable import ZhimeiText

/// Tests for the fast paths: SimHash's vectorised accumulation and per-token IDF indexes must give
/// exactly the scalar definition's fingerprints; the Aho–Corasick scan (inline failure links, edge
/// filter, flattened outputs, no-ring path without symbol skipping, byte-level decoding) must report
/// exactly what a naive matcher over the same folded codes reports.
final class FastPathTests: XCTestCase {
    struct RNG {
        var x: UInt64
        mutating func next() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    // MARK: SimHash

    func testFingerprintEqualsScalarDefinition() throws {
        let lex = try TestSupport.lex()
        let hasher = SimHasher(segmenter: Segmenter(lexicon: lex))
        var texts = [
            "", "中", "我来到北京清华大学", "他来到了网易杭研大厦",
            "新华社北京5月1日电 记者从国家统计局获悉，今年一季度国内生产总值同比增长5.3%。iPhone 15 售价 5999 元。",
            "Привет, мир! 😀👍🏽 https://example.com/a?b=1 test@example.org 2024-05-01 12:30",
            "\u{0}\u{1}控制字符\t\r\n混合 ＡＢＣ ａｂｃ",
        ]
        if let msr = TestSupport.evalFile("segmentation/msr_test.utf8"), let d = FileManager.default.contents(atPath: msr) {
            let lines = String(decoding: d, as: UTF8.self).split(separator: "\n").map(String.init)
            var rng = RNG(x: 3)
            for _ in 0..<24 {
                let a = rng.int(lines.count)
                texts.append(lines[a..<min(lines.count, a + 1 + rng.int(8))].joined(separator: "\n"))
            }
        }
        let scratch = SegmentScratch()
        for t in texts {
            let s = UTF8Scalars.scalars(of: t)
            s.withUnsafeBufferPointer { b in
                let fast = hasher.fingerprint(b, scratch: scratch)
                XCTAssertEqual(fast, hasher.referenceFingerprint(b), "fingerprint differs for: \(t.prefix(40))")
                XCTAssertEqual(fast, hasher.fingerprint(t))
            }
        }
        // with a user dictionary the route carries no IDF indexes: still the same definition
        var ud = UserDictionary()
        ud.add("杭研大厦", frequency: 1000)
        ud.add("清华", frequency: 0)
        let userHasher = SimHasher(segmenter: Segmenter(lexicon: lex, userDictionary: ud))
        for t in texts.prefix(20) {
            let s = UTF8Scalars.scalars(of: t)
            s.withUnsafeBufferPointer { b in
                XCTAssertEqual(userHasher.fingerprint(b, scratch: scratch), userHasher.referenceFingerprint(b))
            }
        }
    }

    func testFingerprintIsStable() throws {
        let lex = try TestSupport.lex()
        guard try String(contentsOfFile: TestSupport.location.directory + "/VERSION", encoding: .utf8).contains("jieba 0.42.1") else {
            throw XCTSkip("golden values are for jieba 0.42.1 data")
        }
        let hasher = SimHasher(segmenter: Segmenter(lexicon: lex))
        // Golden values (computed by the engine before the fast paths existed): the fingerprint definition (SimHash over tf·IDF-weighted precise-mode words,
        // FNV-1a + murmur finaliser hashes) must not drift, or stored fingerprints stop matching.
        XCTAssertEqual(String(format: "%016llx", hasher.fingerprint("我来到北京清华大学")), "d4f02f723e9906ed")
        XCTAssertEqual(String(format: "%016llx", hasher.fingerprint("新华社北京5月1日电 记者从国家统计局获悉，今年一季度国内生产总值同比增长5.3%。")),
                       "4428ae0539836d47")
    }

    // MARK: Aho–Corasick

    /// Naive reference: fold every scalar through the matcher's own character map (the folding table
    /// itself is tested in PatternMatcherTests), then compare every pattern at every end position.
    func naiveMatches(_ m: PatternMatcher, patterns: [String], text bytes: [UInt8]) -> [PatternMatch] {
        func code(_ c: UInt32) -> UInt32 {
            c < 0x10000 ? m.charMap[Int(c)] : m.astralCode(c)
        }
        let folded: [[UInt32]] = patterns.map { p in
            p.unicodeScalars.map { code($0.value) }.filter { $0 != PatternMatcher.ignore }
        }
        let scalars = UTF8Scalars.decode(bytes)
        var codes: [UInt32] = []
        var positions: [Int] = []
        for (i, c) in scalars.enumerated() {
            let k = code(c)
            if k == PatternMatcher.ignore { continue }
            codes.append(k); positions.append(i)
        }
        var out: [PatternMatch] = []
        for j in 0..<codes.count {
            for (pi, f) in folded.enumerated() where !f.isEmpty && f.count <= j + 1 && !f.contains(0) {
                if Array(codes[(j + 1 - f.count)...j]) == f {
                    out.append(PatternMatch(pattern: pi, start: positions[j + 1 - f.count], end: positions[j] + 1))
                }
            }
        }
        return out
    }

    func sorted(_ a: [PatternMatch]) -> [PatternMatch] {
        a.sorted { ($0.end, $0.start, $0.pattern) < ($1.end, $1.start, $1.pattern) }
    }

    func testScanMatchesNaiveReferenceOnRandomInput() {
        let alphabet: [String] = ["北", "京", "大", "学", "中", "国", "人", "民", "發", "展", "发", "a", "b", "A", "B", "ｂ", "Ａ",
                                  "*", " ", "，", "。", "😀", "𠀀", "é", "-", "\u{3000}"]
        let foldings: [MatchFolding] = [[], [.caseInsensitive], [.width], [.ignoreSymbols], [.caseInsensitive, .width, .ignoreSymbols], .all]
        var rng = RNG(x: 11)
        for round in 0..<60 {
            let folding = foldings[round % foldings.count]
            var patterns: [String] = []
            for _ in 0..<(1 + rng.int(40)) {
                var p = ""
                for _ in 0..<(1 + rng.int(5)) { p += alphabet[rng.int(alphabet.count)] }
                patterns.append(p)
            }
            if round % 5 == 0 { patterns.append(patterns[0]) }  // duplicate pattern: both indexes reported
            if round % 7 == 0 { patterns.append("") }           // never matches
            let m = PatternMatcher(patterns: patterns, folding: folding)
            for _ in 0..<5 {
                var bytes: [UInt8] = []
                for _ in 0..<rng.int(300) {
                    if rng.int(40) == 0 {
                        // invalid UTF-8: stray continuation, truncated sequence, surrogate, overlong
                        let bad: [[UInt8]] = [[0x80], [0xE5, 0x8C], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF0, 0x9F], [0xFF]]
                        bytes += bad[rng.int(bad.count)]
                    } else {
                        bytes += Array(alphabet[rng.int(alphabet.count)].utf8)
                    }
                }
                var got: [PatternMatch] = []
                bytes.withUnsafeBufferPointer { b in m.scan(utf8: b) { got.append($0) } }
                XCTAssertEqual(sorted(got), sorted(naiveMatches(m, patterns: patterns, text: bytes)),
                               "folding \(folding.rawValue), patterns \(patterns), text \(String(decoding: bytes, as: UTF8.self))")
                XCTAssertEqual(bytes.withUnsafeBufferPointer { m.countMatches(utf8: $0) }, got.count)
            }
        }
    }

    func testScanLargeLexiconAgainstReference() throws {
        // dictionary-sized lexicon (deep failure chains, shared outputs) on real text
        let lex = try TestSupport.lex()
        _ = lex
        let dict = try String(contentsOfFile: TestSupport.location.dictPath, encoding: .utf8)
        let words = dict.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        var rng = RNG(x: 5)
        var patterns: [String] = []
        for _ in 0..<3000 { patterns.append(words[rng.int(words.count)]) }
        patterns += ["中华人民共和国", "人民", "共和国", "和国", "国"]
        let text = "中华人民共和国成立以来，人民生活水平不断提高。北京大学和清华大学是中国著名的高等学府。"
            + String(repeating: "国家发展和改革委员会发布了最新的经济数据，", count: 3)
        for folding in [MatchFolding(), MatchFolding.all] {
            let m = PatternMatcher(patterns: patterns, folding: folding)
            let bytes = Array(text.utf8)
            var got: [PatternMatch] = []
            bytes.withUnsafeBufferPointer { b in m.scan(utf8: b) { got.append($0) } }
            XCTAssertFalse(got.isEmpty)
            XCTAssertEqual(sorted(got), sorted(naiveMatches(m, patterns: patterns, text: bytes)))
        }
    }
}
