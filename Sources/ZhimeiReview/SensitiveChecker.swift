import Foundation
import ZhimeiText

/// Sensitive-content matching (敏感词): one Aho–Corasick automaton over the whole lexicon with every
/// folding on (Traditional/Simplified, width, case, symbols or spaces inserted inside a term), an optional
/// second automaton over homophone-folded text, whitelist suppression and context rules.
/// Built once per `Proofreader`; a 100,000-term lexicon builds in well under a second.
struct SensitiveChecker: Sendable {
    let terms: [SensitiveTerm]
    let matcher: PatternMatcher?
    /// Homophone automaton: patterns are indexes into `homophoneTerms`.
    let homophoneMatcher: PatternMatcher?
    let homophoneTerms: [Int]
    let whitelist: PatternMatcher?
    /// Every context word of every term, and per term the indexes of its words in `contextWords`.
    let contextMatcher: PatternMatcher?
    let contextWordsOfTerm: [[Int]]
    let resources: ReviewResources

    init(terms: [SensitiveTerm], whitelist: [String], resources: ReviewResources) {
        let usable = terms.filter { !$0.term.unicodeScalars.allSatisfy { PatternMatcherFold.ignorable($0.value) } }
        self.terms = usable
        self.resources = resources
        matcher = usable.isEmpty ? nil : PatternMatcher(patterns: usable.map(\.term), folding: .all)
        var hom: [Int] = []
        for (i, t) in usable.enumerated() where t.matchHomophones { hom.append(i) }
        homophoneTerms = hom
        if hom.isEmpty || resources.homophoneKey.isEmpty {
            homophoneMatcher = nil
        } else {
            let pats = hom.map { i -> String in
                UTF8Scalars.string(resources.homophoneFold(SensitiveChecker.simplified(usable[i].term)))
            }
            homophoneMatcher = PatternMatcher(patterns: pats, folding: [.width, .caseInsensitive, .ignoreSymbols])
        }
        let wl = whitelist.filter { !$0.isEmpty }
        self.whitelist = wl.isEmpty ? nil : PatternMatcher(patterns: wl, folding: .all)
        var words: [String] = []
        var index: [String: Int] = [:]
        var per: [[Int]] = []
        for t in usable {
            var ids: [Int] = []
            for w in t.context where !w.isEmpty {
                if let k = index[w] { ids.append(k) } else { index[w] = words.count; ids.append(words.count); words.append(w) }
            }
            per.append(ids)
        }
        contextWordsOfTerm = per
        contextMatcher = words.isEmpty ? nil : PatternMatcher(patterns: words, folding: .all)
    }

    /// Simplified scalars of a term (OpenCC t2s when available, else unchanged).
    static func simplified(_ s: String) -> [UInt32] {
        if let cc = try? OpenCC.shared.get(), let t = try? cc.convert(s, config: "t2s"), t.unicodeScalars.count == s.unicodeScalars.count {
            return UTF8Scalars.scalars(of: t)
        }
        return UTF8Scalars.scalars(of: s)
    }

    func check(_ text: String, scalars s: [UInt32], into out: inout [ReviewFinding]) {
        guard let matcher else { return }
        var raw: [(term: Int, start: Int, end: Int, homophone: Bool)] = []
        for m in matcher.matches(in: text) { raw.append((m.pattern, m.start, m.end, false)) }
        if let hm = homophoneMatcher {
            // Traditional characters carry their own readings in the pinyin table, so 網 folds like 网 without OpenCC
            let folded = resources.homophoneFold(s)
            for m in hm.matches(in: UTF8Scalars.string(folded)) { raw.append((homophoneTerms[m.pattern], m.start, m.end, true)) }
        }
        guard !raw.isEmpty else { return }
        let allowed = whitelist.map { $0.matches(in: text) } ?? []
        let context = contextMatcher.map { $0.matches(in: text) } ?? []
        var seen = Set<Int>()
        for r in raw.sorted(by: { ($0.start, $0.end, $0.homophone ? 1 : 0, $0.term) < ($1.start, $1.end, $1.homophone ? 1 : 0, $1.term) }) {
            let t = terms[r.term]
            let termLen = t.term.unicodeScalars.count
            // a term spread over a sentence break or a long gap is not one term
            if r.end - r.start > 2 * termLen + 3 { continue }
            if s[r.start..<r.end].contains(where: { $0 == 10 || $0 == 13 || $0 == 0x3002 }) { continue }
            if allowed.contains(where: { $0.start <= r.start && $0.end >= r.end }) { continue }
            if !contextWordsOfTerm[r.term].isEmpty {
                let ids = Set(contextWordsOfTerm[r.term])
                let w = max(0, t.contextWindow)
                let near = context.contains { c in ids.contains(c.pattern) && c.end >= r.start &- w && c.start <= r.end &+ w }
                if !near { continue }
            }
            let key = r.start &* 1_000_003 &+ r.end &* 7919 &+ r.term
            if !seen.insert(key).inserted { continue }
            let slice = UTF8Scalars.string(s, r.start, r.end)
            let exact = slice == t.term
            let how = r.homophone ? ("（谐音变体）", " (homophone variant)") : exact ? ("", "") : ("（变体写法）", " (variant form)")
            out.append(ReviewFinding(
                category: .sensitive, subcategory: t.category, severity: t.severity, start: r.start, end: r.end, text: slice,
                messageZh: "敏感内容【\(t.category)】：“\(t.term)”\(how.0)" + (t.note.map { "。\($0)" } ?? ""),
                messageEn: "Sensitive content [\(t.category)]: “\(t.term)”\(how.1)" + (t.note.map { ". \($0)" } ?? ""),
                suggestions: [], ruleID: r.homophone ? "sensitive.homophone" : "sensitive.lexicon",
                confidence: r.homophone ? 0.6 : exact ? 0.95 : 0.85))
        }
    }
}

/// Which scalars the matcher's `ignoreSymbols` folding skips (a term made only of them never matches).
enum PatternMatcherFold {
    static func ignorable(_ c: UInt32) -> Bool {
        if c < 0x80 { return !((0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)) }
        return (0x2000...0x206F).contains(c) || (0x3000...0x303F).contains(c) || (0xFF01...0xFF0F).contains(c) || (0x1F000...0x1FAFF).contains(c)
    }
}
