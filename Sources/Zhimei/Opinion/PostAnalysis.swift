import Foundation
import ZhimeiText

/// What processing finds in one post: Simplified text, language, fingerprints, keywords (with weights, the
/// clustering vector), sentiment, entities and region. Pure and `Sendable`: the ingest job and the bench share it.
struct PostAnalysis: Sendable {
    var simplified: String
    var language: String
    /// FNV-1a-64 of the text with whitespace and punctuation removed: equal → exact duplicate.
    var contentHash: UInt64
    var simhash: UInt64
    var keywords: [TermWeight]
    var sentiment: SentimentResult
    var entities: [String]
    var region: String?
}

/// A keyword and its TF-IDF weight.
struct TermWeight: Sendable, Hashable { var word: String; var weight: Double }

/// Runs the per-post pipeline with one segmentation of the text.
struct PostAnalyzer: Sendable {
    let engine: TextEngine
    let sentiment: SentimentAnalyzer
    /// What posts are cut with: the engine's segmenter, plus a tenant's own words once `adding(words:)` was used.
    private(set) var segmenter: Segmenter
    static let stopWords = KeywordExtractor.defaultStopWords
    /// At most this many of a tenant's words are added (a fact base is hundreds to a few thousand names).
    static let maxUserWords = 5_000

    init(engine: TextEngine, lexicon: SentimentLexicon) {
        self.engine = engine
        sentiment = SentimentAnalyzer(lexicon: lexicon, segmenter: engine.segmenter)
        segmenter = engine.segmenter
    }

    /// The analyzer with the sentiment model or lexicon found in a text data directory (`SentimentAnalyzer.load`).
    init(engine: TextEngine, directory: String) {
        self.engine = engine
        sentiment = SentimentAnalyzer.load(directory: directory, segmenter: engine.segmenter)
        segmenter = engine.segmenter
    }

    /// This analyzer with a tenant's own words — fact-base names, monitoring-scheme terms — cut whole
    /// (`Segmenter.addingWholeWords`).
    func adding(words: [(word: String, tag: String)]) -> PostAnalyzer {
        var copy = self
        copy.segmenter = segmenter.addingWholeWords(words, limit: Self.maxUserWords)
        return copy
    }

    /// Whether a segmented word may be a post keyword (its length and stop words are checked by the caller): the same
    /// content-word rule as every other keyword in the product. Weighted low per post, function words still added up
    /// over an event's posts and filled its word cloud.
    static func isKeywordCandidate(_ word: String, tag: String, lexicon: Lexicon) -> Bool {
        KeywordExtractor.isContentWord(word, tag: tag, lexicon: lexicon)
    }

    /// Provincial-level regions and their short names (for region-from-text).
    static let provinces: [String] = [
        "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
        "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏",
        "宁夏", "新疆", "香港", "澳门",
    ]

    /// Analyses many posts on `workers` tasks (the analysis is pure CPU), in input order.
    func analyze(_ posts: [(text: String, regionHint: String?)], workers: Int = 2) async -> [PostAnalysis] {
        let workers = max(1, min(workers, posts.count / 50 + 1))   // small batches are not worth a task each
        guard workers > 1 else { return posts.map { analyze($0.text, regionHint: $0.regionHint) } }
        let chunk = (posts.count + workers - 1) / workers
        return await withTaskGroup(of: (Int, [PostAnalysis]).self) { group in
            for w in 0..<workers {
                let lo = w * chunk, hi = min(posts.count, lo + chunk)
                guard lo < hi else { continue }
                group.addTask { (w, posts[lo..<hi].map { analyze($0.text, regionHint: $0.regionHint) }) }
            }
            var parts = [[PostAnalysis]](repeating: [], count: workers)
            for await (w, part) in group { parts[w] = part }
            return parts.flatMap { $0 }
        }
    }

    func analyze(_ text: String, regionHint: String? = nil) -> PostAnalysis {
        let clipped = String(text.prefix(20_000))
        let language = LanguageDetector.detect(clipped, engine: engine)
        var simplified = clipped
        if language == "zh-Hant", let s = try? engine.convert(clipped, config: .t2s) { simplified = s }
        let tagged = segmenter.tag(simplified)
        var words: [String] = []
        words.reserveCapacity(tagged.count)
        var tf: [String: Double] = [:]
        var entities: [String] = []
        var places: [String] = []
        var total = 0.0
        for (w, t) in tagged {
            words.append(w)
            let count = w.count
            if count >= 2, !Self.stopWords.contains(w), Self.isKeywordCandidate(w, tag: t, lexicon: engine.lexicon) {
                tf[w, default: 0] += 1
                total += 1
            }
            if count >= 2, t == "nr" || t == "ns" || t == "nt" || t == "nrt" {
                if !entities.contains(w), entities.count < 12 { entities.append(w) }
                if t == "ns" { places.append(w) }
            }
        }
        let lex = engine.lexicon
        var keywords = tf.map { TermWeight(word: $0.key, weight: $0.value * (lex.idf(of: $0.key) ?? lex.medianIDF) / max(total, 1)) }
        keywords.sort { ($0.weight, $1.word) > ($1.weight, $0.word) }
        if keywords.count > 12 { keywords.removeLast(keywords.count - 12) }
        let region = Self.region(places: places, text: simplified, hint: regionHint)
        return PostAnalysis(simplified: simplified, language: language, contentHash: Self.contentHash(simplified),
                            simhash: engine.simhash(simplified), keywords: keywords,
                            sentiment: sentiment.analyze(words: words, text: simplified), entities: entities, region: region)
    }

    /// The metadata's region when given; else the first place name that is (or starts with) a province, else the first place name.
    static func region(places: [String], text: String, hint: String?) -> String? {
        if let hint = hint?.trimmingCharacters(in: .whitespacesAndNewlines), !hint.isEmpty { return String(hint.prefix(100)) }
        for p in places { if let prov = provinces.first(where: { p.hasPrefix($0) }) { return prov } }
        if let p = places.first { return p }
        // The province named first in the text (one automaton pass instead of a Foundation search per province).
        var t = text
        var first: PatternMatch?
        t.withUTF8 { b in provinceMatcher.scan(utf8: b) { m in if first.map({ m.start < $0.start }) ?? true { first = m } } }
        return first.map { provinces[$0.pattern] }
    }

    static let provinceMatcher = PatternMatcher(patterns: provinces)

    /// FNV-1a over the scalars that are not whitespace, punctuation (P*) or symbols (S*) — the categories of
    /// Foundation's punctuation and symbol character sets, read from the scalar's properties (much cheaper).
    static func contentHash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for s in text.unicodeScalars where !ignoredInHash(s) {
            h = (h ^ UInt64(s.value)) &* 0x100_0000_01B3
        }
        return h
    }

    @inline(__always) static func ignoredInHash(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {   // ASCII: whitespace, or printable and not a letter or digit
            if v == 0x20 || (0x09...0x0D).contains(v) { return true }
            guard (0x21...0x7E).contains(v) else { return false }
            return !((0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v))
        }
        if (0x3400...0x9FFF).contains(v) { return false }   // Han
        if s.properties.isWhitespace { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
             .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
        default: return false
        }
    }
}
