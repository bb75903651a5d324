import Foundation
import XCTest
import ZhimeiText
@testable import ZhimeiReview

/// Speed work must not change a single finding: every finding (rule, span, text, messages, suggestions, exact confidence
/// bits) of the engine over the SIGHAN *training* lines and the MSR news text is hashed per input and compared with
/// `Golden/findings.txt`, recorded with the engine before the throughput work of 2026-12-03 (docs/review-engine.md).
/// The golden file holds only hashes and counts, no eval text. Skips when ../shared/eval is absent (the inputs and
/// the character model come from it). Re-record (only for a deliberate change of findings):
/// `ZHIMEI_REVIEW_GOLDEN_RECORD=1 .build/debug/ZhimeiPackageTests.xctest ZhimeiReviewTests.GoldenFindingsTests`.
final class GoldenFindingsTests: XCTestCase {
    static let goldenPath = ReviewSupport.repoRoot + "/Tests/ZhimeiReviewTests/Golden/findings.txt"
    static let eval = ReviewSupport.repoRoot + "/../shared/eval"

    /// FNV-1a over a canonical serialisation of the findings.
    static func digest(_ fs: [ReviewFinding]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func eat(_ s: String) { for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }; h = (h ^ 0xFF) &* 0x100_0000_01b3 }
        for f in fs {
            eat(f.category.rawValue); eat(f.subcategory ?? "-"); eat(f.severity.rawValue); eat("\(f.start)"); eat("\(f.end)")
            eat(f.text); eat(f.messageZh); eat(f.messageEn); eat(f.suggestions.joined(separator: "\u{1}")); eat(f.ruleID)
            eat(String(f.confidence.bitPattern, radix: 16))
        }
        return String(h, radix: 16)
    }

    static func lines(_ path: String) -> [String]? {
        guard let t = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return t.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    /// A seeded lexicon of 3,000 terms cut from the news text (so that many match), every 25th with homophone matching,
    /// every 40th gated by a context word: the sensitive pass runs on the same inputs as the typo rules.
    static func lexicon(_ news: [String]) -> [SensitiveTerm] {
        var x: UInt64 = 42
        func next() -> UInt64 { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return x >> 33 }
        var out: [SensitiveTerm] = [], seen = Set<String>()
        let cats = ["政治", "涉黄", "涉恐", "违禁", "广告", "低俗"]
        while out.count < 3000 {
            let u = Array(news[Int(next() % UInt64(news.count))].unicodeScalars)
            let len = 2 + Int(next() % 3)
            guard u.count > len else { continue }
            let at = Int(next() % UInt64(u.count - len))
            let t = String(String.UnicodeScalarView(u[at..<(at + len)]))
            guard t.unicodeScalars.allSatisfy({ $0.value >= 0x4E00 && $0.value <= 0x9FFF }), seen.insert(t).inserted else { continue }
            out.append(SensitiveTerm(term: t, category: cats[out.count % cats.count], severity: out.count % 3 == 0 ? .block : .warn,
                                     context: out.count % 40 == 0 ? ["中国"] : [], contextWindow: 20, matchHomophones: out.count % 25 == 0))
        }
        return out
    }

    /// (name of the input, digest, count) for every input; the same inputs and engines every run.
    static func compute() throws -> [(String, String, Int)]? {
        guard let t14 = lines(eval + "/spelling/train14_error.txt"), let t15 = lines(eval + "/spelling/train15_error.txt"),
              let news = lines(eval + "/segmentation/msr_test.utf8") else { return nil }
        let d = try ReviewSupport.data()
        var out: [(String, String, Int)] = []
        // typo and grammar rules as scored (`correct` and `check`), default settings and the round-4 settings
        let typo = Proofreader(engine: d.engine, configuration: ReviewConfiguration(categories: [.typo, .grammar]), resources: d.resources)
        let r4 = Proofreader(engine: d.engine, configuration: ReviewConfiguration(categories: [.typo, .grammar]), resources: d.resources,
                             typoSettings: FalseAlarmTests.roundFour)
        for (set, ls) in [("train14", t14), ("train15", t15)] {
            for (i, l) in ls.enumerated() {
                let fs = typo.check(l)
                out.append(("\(set):\(i + 1)", digest(fs) + "/" + digest([ReviewFinding(category: .typo, severity: .info, start: 0, end: 0,
                    text: typo.correct(l), messageZh: "", messageEn: "", ruleID: "correct", confidence: 0)]), fs.count))
                if set == "train15" { let f4 = r4.check(l); out.append(("r4-\(set):\(i + 1)", digest(f4), f4.count)) }
            }
        }
        // every rule with a 3,000-term lexicon, whitelist, protected terms and a fact base, on news paragraphs of 8 lines
        let facts = FactBase(people: [FactPerson(name: "王刚", title: "市长", formerTitles: ["副市长"])], organisations: ["新华社"], fixedLists: [FixedList(items: ["富强", "民主", "文明", "和谐"])])
        let full = Proofreader(engine: d.engine, configuration: ReviewConfiguration(
            sensitiveTerms: lexicon(news) + SensitiveTerm.demoLexicon, whitelist: ["中国人民"], factBase: facts,
            protectedTerms: ["国务院"], headlineLimit: 12), resources: d.resources)
        for g in stride(from: 0, to: news.count, by: 8) {
            let block = news[g..<min(news.count, g + 8)]
            let fs = full.check(block.joined(separator: "\n"), headline: String(block.first!.prefix(16)))
            out.append(("news:\(g + 1)", digest(fs), fs.count))
        }
        return out
    }

    func testFindingsMatchTheGoldenFile() throws {
        guard let got = try GoldenFindingsTests.compute() else { throw XCTSkip("../shared/eval absent: no golden inputs") }
        let d = try ReviewSupport.data()
        XCTAssertNotNil(d.resources.languageModel, "review/lm_bigram.bin missing: the golden file was recorded with it")
        XCTAssertNotNil(d.resources.charModel, "review/char_ngram.bin missing although ../shared/eval is present")
        let rendered = got.map { "\($0.0) \($0.2) \($0.1)" }.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_GOLDEN_RECORD"] == "1" {
            try FileManager.default.createDirectory(atPath: (GoldenFindingsTests.goldenPath as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try rendered.write(toFile: GoldenFindingsTests.goldenPath, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOfFile: GoldenFindingsTests.goldenPath, encoding: .utf8)
        let want = golden.split(separator: "\n").map(String.init), have = rendered.split(separator: "\n").map(String.init)
        XCTAssertEqual(want.count, have.count)
        XCTAssertGreaterThan(got.reduce(0) { $0 + $1.2 }, 5_000, "too few findings for the comparison to mean anything")
        var diffs = 0
        for (w, h) in zip(want, have) where w != h {
            diffs += 1
            if diffs <= 20 { XCTFail("findings changed: golden \(w) · now \(h)") }
        }
        XCTAssertEqual(diffs, 0, "inputs whose findings changed")
    }
}
