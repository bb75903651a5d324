import Foundation
import ZhimeiText

/// The proofreading engine (智能审校). Build one per configuration (cheap once `ReviewResources` are loaded) and share it:
/// it is immutable and thread-safe. `check` is deterministic: the same text and configuration give the same findings.
public final class Proofreader: Sendable {
    public let configuration: ReviewConfiguration
    let engine: TextEngine
    /// Built-in data (word statistics, confusion sets, pinyin).
    public let resources: ReviewResources
    public let typoSettings: TypoSettings
    let sensitive: SensitiveChecker
    let misused: PatternMatcher
    let protected: PatternMatcher?
    let facts: FactRules

    /// `resources` defaults to the data in `$ZHIMEI_TEXT_DATA` (loaded once per process; `.empty` when missing).
    public init(engine: TextEngine, configuration: ReviewConfiguration = ReviewConfiguration(), resources: ReviewResources = .shared,
                typoSettings: TypoSettings = TypoSettings()) {
        self.engine = engine
        self.configuration = configuration
        self.resources = resources
        self.typoSettings = typoSettings
        sensitive = SensitiveChecker(terms: configuration.sensitiveTerms, whitelist: configuration.whitelist, resources: resources)
        misused = MisusedWords.matcher
        let fb = configuration.factBase
        let prot = (configuration.protectedTerms + fb.people.map(\.name) + fb.organisations + fb.places + fb.fixedExpressions).filter { !$0.isEmpty }
        protected = prot.isEmpty ? nil : PatternMatcher(patterns: prot, folding: [.width, .traditionalToSimplified])
        facts = FactRules(factBase: fb)
    }

    func wants(_ c: FindingCategory) -> Bool { configuration.categories.isEmpty || configuration.categories.contains(c) }

    /// All findings for a text (and optionally its headline, checked for length and as text), sorted by start.
    /// Headline findings come first with spans relative to the headline; `headline` findings have ruleID prefix "headline.".
    public func check(_ text: String, headline: String? = nil) -> [ReviewFinding] {
        var result: [ReviewFinding] = []
        if let headline {
            let hs = UTF8Scalars.scalars(of: headline)
            // one space between a headline's two parts is how Chinese headlines are set (主题 副题), not a stray space
            var h = checkBody(headline).filter { !($0.ruleID == "format.space" && $0.end - $0.start == 1) }
            let visible = hs.filter { !($0 == 0x20 || $0 == 0x3000 || $0 == 9 || $0 == 10 || $0 == 13) }.count
            if let limit = configuration.headlineLimit, limit > 0, visible > limit, wants(.format) {
                h.append(ReviewFinding(category: .format, severity: .warn, start: 0, end: hs.count, text: headline,
                                       messageZh: "标题过长：\(visible)字，本渠道上限\(limit)字", messageEn: "Headline too long: \(visible) characters, the channel allows \(limit)",
                                       suggestions: [], ruleID: "length", confidence: 1))
            }
            for var f in h.sorted(by: Proofreader.order) { f.ruleID = "headline." + f.ruleID; result.append(f) }
        }
        return result.isEmpty ? checkChunked(text) : result + checkChunked(text)
    }

    /// Texts longer than `chunkScalars` are checked paragraph group by paragraph group (cut at line breaks; every rule
    /// works within a paragraph), so working memory stays bounded; offsets are shifted back to the whole text.
    static let chunkScalars = 100_000

    func checkChunked(_ text: String) -> [ReviewFinding] {
        let scalars = text.unicodeScalars
        guard scalars.count > Proofreader.chunkScalars else { return checkBody(text).sorted(by: Proofreader.order) }
        var out: [ReviewFinding] = []
        var start = scalars.startIndex, base = 0
        while start < scalars.endIndex {
            var end = scalars.index(start, offsetBy: Proofreader.chunkScalars, limitedBy: scalars.endIndex) ?? scalars.endIndex
            if end < scalars.endIndex, let nl = scalars[start..<end].lastIndex(of: "\n") { end = scalars.index(after: nl) }
            let piece = String(scalars[start..<end])  // copies the UTF-8 bytes (rebuilding scalar by scalar was ~5% of a review)
            // sorted and shifted in place: copying every finding (eight reference-counted fields) showed in the profile
            var found = checkBody(piece)
            found.sort(by: Proofreader.order)
            for i in found.indices { found[i].start += base; found[i].end += base }
            out += found
            base += scalars.distance(from: start, to: end)
            start = end
        }
        return out
    }

    static func order(_ a: ReviewFinding, _ b: ReviewFinding) -> Bool {
        (a.start, a.end, a.ruleID, a.text) < (b.start, b.end, b.ruleID, b.text)
    }

    func checkBody(_ text: String) -> [ReviewFinding] {
        let s = UTF8Scalars.scalars(of: text)
        var out: [ReviewFinding] = []
        if wants(.sensitive) { sensitive.check(text, scalars: s, into: &out) }
        if wants(.punctuation) || wants(.format) {
            var p: [ReviewFinding] = []
            PunctuationRules.check(s, into: &p)
            NumberRules.check(s, into: &p)
            out += p.filter { wants($0.category) }
        }
        if wants(.fact) {
            var f: [ReviewFinding] = []
            facts.check(text, s, into: &f)
            out += f
        }
        if wants(.typo) || wants(.grammar) { out += typos(text, s, taken: out) }
        return configuration.categories.isEmpty ? out : out.filter { wants($0.category) }
    }

    /// Misused words, 的/地/得 and statistical typos; never inside protected terms or sensitive hits.
    func typos(_ text: String, _ s: [UInt32], taken: [ReviewFinding]) -> [ReviewFinding] {
        var out: [ReviewFinding] = []
        var locked = [Bool](repeating: false, count: s.count)
        if let protected { for m in protected.matches(in: text) { for k in m.start..<m.end { locked[k] = true } } }
        for f in taken where f.category == .sensitive { for k in f.start..<min(f.end, s.count) { locked[k] = true } }
        if wants(.typo) || wants(.grammar) {
            for m in misused.matches(in: text) where !(m.start..<m.end).contains(where: { locked[$0] }) {
                let (wrong, right) = MisusedWords.pairs[m.pattern]
                let soft = wrong == "其它" || wrong.hasPrefix("截止")
                // 其它/截止 are usage norms (用词规范), not character errors: grammar, so `correct` leaves them
                out.append(ReviewFinding(category: soft ? .grammar : .typo, subcategory: soft ? "用词规范" : "易错词", severity: soft ? .info : .warn,
                                         start: m.start, end: m.end, text: wrong,
                                         messageZh: "常见误用：“\(wrong)”应为“\(right)”", messageEn: "Commonly misused: “\(wrong)” should be “\(right)”",
                                         suggestions: [right], ruleID: "typo.misused", confidence: soft ? 0.7 : 0.95))
                for k in m.start..<m.end { locked[k] = true }
            }
            for at in MisusedWords.cutoffsBeforeDates(s) where !locked[at] && !locked[at + 1] {
                out.append(ReviewFinding(category: .grammar, subcategory: "用词规范", severity: .info, start: at, end: at + 2, text: "截止",
                                         messageZh: "常见误用：表示“到某时为止”应为“截至”（“截止”指到期停止，用在时间之后）",
                                         messageEn: "Commonly misused: “up to” a date is 截至 (截止 means “closes” and follows the date)",
                                         suggestions: ["截至"], ruleID: "typo.misused", confidence: 0.7))
                locked[at] = true; locked[at + 1] = true
            }
            for c in MisusedWords.inContext(s) where !locked[c.at] {
                out.append(ReviewFinding(category: .typo, subcategory: "易错词", severity: .warn, start: c.at, end: c.at + 1, text: c.wrong,
                                         messageZh: "常见误用：此处应为“\(c.word)”", messageEn: "Commonly misused: this should read “\(c.word)”",
                                         suggestions: [c.right], ruleID: "typo.misused", confidence: 0.9))
                locked[c.at] = true
            }
        }
        var fixed = s
        let segments = RunSegments(words: resources.words, text: s)  // one segmentation per Han run, shared by the rules below
        if wants(.typo) {
            for fx in ZaiRules.fixes(s, words: resources.words, segments: segments) where !locked[fx.position] {
                let r = UTF8Scalars.string([fx.replacement]), o = UTF8Scalars.string([s[fx.position]])
                out.append(ReviewFinding(category: .typo, subcategory: "易错词", severity: .warn, start: fx.position, end: fx.position + 1, text: o,
                                         messageZh: "常见误用：此处应为“\(fx.word)”", messageEn: "Commonly misused: “\(o)” should read “\(r)” here",
                                         suggestions: [r], ruleID: "typo.misused", confidence: 0.75))
                locked[fx.position] = true
                fixed[fx.position] = fx.replacement
            }
        }
        if wants(.grammar) || wants(.typo) {
            let veto = typoSettings.deLMVeto.flatMap { v in resources.languageModel.map { (v, RealWordModel(lm: $0, words: resources.words, settings: typoSettings)) } }
            for fx in DeRules.fixes(s, words: resources.words, segments: segments) where !locked[fx.position]
                && (fx.phrase || !TypoModel.vetoed(resources.charModel, typoSettings.charVetoDe, s, fx.position, fx.replacement)) {
                // the language model may still object strongly (共同的回忆: 回忆 is tagged as a verb)
                if let (v, rw) = veto {
                    var a = fx.position, b = fx.position + 1
                    while a > 0 && TypoModel.isHan(s[a - 1]) { a -= 1 }
                    while b < s.count && TypoModel.isHan(s[b]) { b += 1 }
                    if rw.gain(s, fx.position, a, b, fx.replacement) < -v { continue }
                }
                let r = UTF8Scalars.string([fx.replacement])
                // 的地得 misuse counts as a character error in publishing quality checks (and in SIGHAN-14/15 gold)
                out.append(ReviewFinding(category: .typo, subcategory: "的地得", severity: .warn, start: fx.position, end: fx.position + 1,
                                         text: UTF8Scalars.string([s[fx.position]]),
                                         messageZh: "“的、地、得”用法：此处应为“\(r)”", messageEn: "的/地/得 usage: “\(r)” is expected here",
                                         suggestions: [r], ruleID: "typo.de", confidence: fx.confidence))
                locked[fx.position] = true
                fixed[fx.position] = fx.replacement
            }
        }
        if wants(.typo) {
            let model = TypoModel(resources: resources, settings: typoSettings)
            for c in model.corrections(&fixed, locked: locked, segments: segments) {
                let r = UTF8Scalars.string([c.replacement])
                let o = UTF8Scalars.string([c.original])
                let withLM = resources.languageModel != nil && typoSettings.confusionLMThreshold != nil
                // a near-reading slip (模糊音) says which readings were confused
                let near = FuzzyPinyin.nearReadings(resources.pinyin, c.original, c.replacement)
                out.append(ReviewFinding(category: .typo, subcategory: "错别字", severity: .warn, start: c.position, end: c.position + 1, text: o,
                                         messageZh: "疑似错别字：“\(o)”可能应为“\(r)”（\(near.map { "读音相近 \($0)；" } ?? "")\(withLM ? "词频与语言模型" : "词频模型")得分提高\(String(format: "%.1f", c.gain))）",
                                         messageEn: "Possible typo: “\(o)” may be “\(r)” (\(near.map { "near readings \($0); " } ?? "")\(withLM ? "word-model + language-model" : "word-model") log-probability +\(String(format: "%.1f", c.gain)))",
                                         suggestions: [r], ruleID: "typo.confusion", confidence: min(0.95, 0.5 + Double(c.gain) / 40)))
                locked[c.position] = true
            }
            if let lm = resources.languageModel, resources.hasTypoModel {
                out += RealWordModel(lm: lm, words: resources.words, settings: typoSettings, charModel: resources.charModel)
                    .corrections(&fixed, locked: locked, segments: segments).map(Proofreader.realWordFinding)
            }
        }
        return out
    }

    /// A real-word correction as a finding (的/地/得 ones are tagged 的地得, as in `typo.de`).
    static func realWordFinding(_ c: RealWordModel.Correction) -> ReviewFinding {
        let r = UTF8Scalars.string([c.replacement]), o = UTF8Scalars.string([c.original])
        let usage = [DeRules.de, DeRules.di, DeRules.de2].contains(c.replacement) && [DeRules.de, DeRules.di, DeRules.de2].contains(c.original)
        return ReviewFinding(category: .typo, subcategory: usage ? "的地得" : "错别字", severity: .warn,
                             start: c.position, end: c.position + 1, text: o,
                             messageZh: c.byContext
                                ? "疑似用字错误：“\(o)”可能应为“\(r)”（在这种词性搭配中常写错；语言模型得分\(String(format: "%+.1f", c.gain))）"
                                : "疑似用字错误：“\(o)”可能应为“\(r)”（语言模型得分提高\(String(format: "%.1f", c.gain))）",
                             messageEn: c.byContext
                                ? "Possible wrong character: “\(o)” may be “\(r)” (a common slip between these parts of speech; language-model log-probability \(String(format: "%+.1f", c.gain)))"
                                : "Possible wrong character: “\(o)” may be “\(r)” (language-model log-probability +\(String(format: "%.1f", c.gain)))",
                             suggestions: [r], ruleID: "typo.realword", confidence: max(0.3, min(0.9, 0.5 + Double(c.gain) / 30)))
    }

    /// Scoring mode: the line with the top suggestion of every typo finding applied.
    public func correct(_ line: String) -> String {
        if TypoModel.dump { FileHandle.standardError.write("LINE\n".data(using: .utf8)!) }
        let s = UTF8Scalars.scalars(of: line)
        let fs = typos(line, s, taken: wants(.sensitive) ? { var o: [ReviewFinding] = []; sensitive.check(line, scalars: s, into: &o); return o }() : [])
            .filter { $0.category == .typo && !$0.suggestions.isEmpty }
            .sorted(by: Proofreader.order)
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var pos = 0
        for f in fs where f.start >= pos && f.end <= s.count {
            out.append(contentsOf: s[pos..<f.start])
            out.append(contentsOf: UTF8Scalars.scalars(of: f.suggestions[0]))
            pos = f.end
        }
        out.append(contentsOf: s[pos...])
        return UTF8Scalars.string(out)
    }
}
