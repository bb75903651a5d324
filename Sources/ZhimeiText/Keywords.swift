import Foundation

public struct Keyword: Sendable, Hashable {
    public var word: String
    public var weight: Double
}

public enum KeywordMethod: String, Sendable, CaseIterable { case tfidf, textrank }

/// Keyword extraction compatible with jieba.analyse: TF-IDF (`extract_tags`) and TextRank
/// (`textrank`). Both use jieba's default stop words and skip words shorter than 2 characters.
public struct KeywordExtractor: Sendable {
    /// jieba's KeywordExtractor.STOP_WORDS.
    public static let defaultStopWords: Set<String> = [
        "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are",
        "by", "be", "as", "on", "with", "can", "if", "from", "which", "you", "it",
        "this", "then", "at", "have", "all", "not", "one", "has", "or",
    ]
    public var segmenter: Segmenter
    public var stopWords: Set<String>
    /// Parts of speech TextRank keeps (jieba's default).
    public var textRankPOS: Set<String> = ["ns", "n", "vn", "v"]
    /// Skip tokens that are only a number (2026, 3.5, 80%): jieba keeps them; `TextEngine.keywords` does not, since a
    /// bare number is never a news keyword.
    public var skipNumbers = false
    /// Keep only content words (`isContentWord`): no adverbs, pronouns, conjunctions, particles, numerals or common time
    /// words. jieba keeps them; `TextEngine.keywords` does not, since 已经, 我们 or 今年 never name what a text is about.
    public var contentWordsOnly = false

    /// Parts of speech (jieba tags, by first letter) that never make a keyword: adverbs, pronouns, conjunctions,
    /// prepositions, particles, modal words, interjections, onomatopoeia and locatives (真是, 已经, 我们, 可以, 之后 …).
    static let functionTagInitials: Set<Character> = ["d", "r", "c", "p", "u", "y", "e", "o", "f"]
    /// Words the dictionary tags as content words that read as function words in news and posts.
    static let genericWords: Set<String> = ["大家", "没有"]
    /// Time words in most documents (IDF below this: 今年, 目前, 现在, 昨天 …) say nothing about a story; rarer ones
    /// (春节 7.5, 汛期 8.7, 夜间 7.1) do.
    static let genericTimeWordIDF = 6.3

    /// Whether a segmented word with its dictionary tag is a content word (its length and stop words are checked apart).
    public static func isContentWord(_ word: String, tag: String, lexicon: Lexicon) -> Bool {
        guard let initial = tag.first else { return true }
        if tag == "eng" { return word.count >= 3 }   // before the initials: "e" alone is an interjection
        if tag == "x" || tag == "m" { return false }
        if functionTagInitials.contains(initial) || genericWords.contains(word) { return false }
        if initial == "t", (lexicon.idf(of: word) ?? lexicon.medianIDF) < genericTimeWordIDF { return false }
        return true
    }

    public init(segmenter: Segmenter, stopWords: Set<String> = KeywordExtractor.defaultStopWords) {
        self.segmenter = segmenter
        self.stopWords = stopWords
    }

    public func extract(_ text: String, top: Int = 20, method: KeywordMethod = .tfidf) -> [Keyword] {
        method == .tfidf ? tfidf(text, top: top) : textRank(text, top: top)
    }

    func accept(_ w: String) -> Bool {
        w.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count >= 2 && !stopWords.contains(w.lowercased())
            && !(skipNumbers && Self.isNumber(w))
    }

    /// Han characters only (new-word discovery is for Chinese; Latin words and codes are kept as they are).
    static func isHanWord(_ w: String) -> Bool { w.unicodeScalars.allSatisfy { CharClass.isHan($0.value) } }

    /// Digits (ASCII or full-width) with at most decimal points, separators and a percent sign.
    static func isNumber(_ w: String) -> Bool {
        var digits = false
        for s in w.unicodeScalars {
            switch s.value {
            case 0x30...0x39, 0xFF10...0xFF19: digits = true
            case 0x2E, 0x2C, 0x25, 0xFF05, 0xFF0E, 0xFF0C: continue
            default: return false
            }
        }
        return digits
    }

    /// jieba's TFIDF.extract_tags: weight = tf / total * idf (median IDF for unknown words).
    public func tfidf(_ text: String, top: Int = 20) -> [Keyword] {
        var freq: [String: Double] = [:]
        var order: [String] = []
        let words = contentWordsOnly
            ? segmenter.tag(text).filter { Self.isContentWord($0.word, tag: $0.tag, lexicon: segmenter.lexicon) }.map(\.word)
            : segmenter.cut(text)
        for w in words where accept(w) {
            if freq[w] == nil { order.append(w) }
            freq[w, default: 0] += 1
        }
        if contentWordsOnly {
            // A word no dictionary knows, seen once, is as likely a segmentation artefact (据市 of 据市文旅部门) as a
            // name; with the median IDF it would still rank first. New words count once the text repeats them.
            order.removeAll { freq[$0] == 1 && segmenter.frequency(of: $0) == 0 && Self.isHanWord($0) }
        }
        let total = freq.values.reduce(0, +)
        let lex = segmenter.lexicon
        var out = order.map { w in Keyword(word: w, weight: freq[w]! * (lex.idf(of: w) ?? lex.medianIDF) / total) }
        stableSortDescending(&out)
        return Array(out.prefix(top))
    }

    /// jieba's TextRank: co-occurrence window of 5 over POS-filtered words, 10 iterations, d = 0.85,
    /// weights normalised like jieba. POS tags come from the dictionary (unknown Han words: "n").
    public func textRank(_ text: String, top: Int = 20) -> [Keyword] {
        let tagged = segmenter.tag(text)
        let ok = tagged.map { textRankPOS.contains($0.tag) && accept($0.word) }
        var cm: [String: [String: Double]] = [:]  // ordered pair counts
        var pairOrder: [(String, String)] = []
        for i in 0..<tagged.count where ok[i] {
            var j = i + 1
            while j < i + 5 && j < tagged.count {
                if ok[j] {
                    let a = tagged[i].word, b = tagged[j].word
                    if cm[a]?[b] == nil { pairOrder.append((a, b)) }
                    cm[a, default: [:]][b, default: 0] += 1
                }
                j += 1
            }
        }
        // undirected weighted graph: node -> [(neighbour, weight)]
        var graph: [String: [(String, Double)]] = [:]
        for (a, b) in pairOrder {
            let w = cm[a]![b]!
            graph[a, default: []].append((b, w))
            graph[b, default: []].append((a, w))
        }
        if graph.isEmpty { return [] }
        let keys = graph.keys.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
        var ws: [String: Double] = [:]
        var outSum: [String: Double] = [:]
        let wsdef = 1.0 / Double(graph.count)
        for (n, edges) in graph { ws[n] = wsdef; outSum[n] = edges.reduce(0) { $0 + $1.1 } }
        let d = 0.85
        for _ in 0..<10 {
            for n in keys {
                var s = 0.0
                for (m, w) in graph[n]! { s += w / outSum[m]! * ws[m]! }
                ws[n] = (1 - d) + d * s
            }
        }
        var minRank = Double.greatestFiniteMagnitude, maxRank = Double.leastNormalMagnitude
        for v in ws.values { minRank = min(minRank, v); maxRank = max(maxRank, v) }
        var out = keys.map { Keyword(word: $0, weight: (ws[$0]! - minRank / 10.0) / (maxRank - minRank / 10.0)) }
        stableSortDescending(&out)
        return Array(out.prefix(top))
    }

    func stableSortDescending(_ a: inout [Keyword]) {
        a = a.enumerated().sorted { x, y in x.element.weight != y.element.weight ? x.element.weight > y.element.weight : x.offset < y.offset }.map(\.element)
    }
}

/// Extractive summaries: TextRank over sentences (similarity = shared content words normalised by
/// log lengths, as in Mihalcea & Tarau), with a small lead bias for news; picks the best sentences
/// that fit in `maxCharacters` (Unicode scalars) and returns them in their original order.
public struct Summarizer: Sendable {
    public var segmenter: Segmenter
    public var stopWords: Set<String> = KeywordExtractor.defaultStopWords

    public init(segmenter: Segmenter) { self.segmenter = segmenter }

    public struct Result: Sendable {
        public var summary: String
        public var sentences: [Sentence]
    }

    public func summarize(_ text: String, maxCharacters: Int = 200) -> Result {
        let sentences = SentenceSplitter.split(text)
        if sentences.isEmpty || maxCharacters <= 0 { return Result(summary: "", sentences: []) }
        let n = sentences.count
        let words: [Set<String>] = sentences.map { s in
            Set(segmenter.cut(s.text).filter { w in
                let t = w.unicodeScalars
                return !stopWords.contains(w.lowercased()) && t.contains { CharClass.isHan($0.value) || CharClass.isAlnum($0.value) }
                    && t.count >= 2
            })
        }
        var sim = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let common = words[i].intersection(words[j]).count
                if common == 0 { continue }
                let denom = Foundation.log(Double(words[i].count) + 1) + Foundation.log(Double(words[j].count) + 1)
                let v = denom > 0 ? Double(common) / denom : 0
                sim[i * n + j] = v; sim[j * n + i] = v
            }
        }
        var outSum = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { outSum[i] += sim[i * n + j] } }
        var score = [Double](repeating: 1.0 / Double(n), count: n)
        let d = 0.85
        for _ in 0..<30 {
            var next = [Double](repeating: 1 - d, count: n)
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n where outSum[j] > 0 && sim[j * n + i] > 0 { s += sim[j * n + i] / outSum[j] * score[j] }
                next[i] += d * s
            }
            score = next
        }
        // lead bias: news puts the essentials first
        for i in 0..<n { score[i] *= 1.0 + 0.3 / Double(i + 1) }
        let order = (0..<n).sorted { score[$0] != score[$1] ? score[$0] > score[$1] : $0 < $1 }
        var chosen: [Int] = []
        var used = 0
        for i in order {
            // sentences sharing no content word with any other sentence are off-topic filler
            if n > 1 && outSum[i] == 0 && !chosen.isEmpty { continue }
            let len = sentences[i].text.unicodeScalars.count
            if used + len <= maxCharacters { chosen.append(i); used += len }
        }
        if chosen.isEmpty {
            let best = sentences[order[0]]
            let cut = String(String.UnicodeScalarView(best.text.unicodeScalars.prefix(max(0, maxCharacters - 1)))) + "…"
            return Result(summary: cut, sentences: [best])
        }
        chosen.sort()
        let picked = chosen.map { sentences[$0] }
        return Result(summary: picked.map(\.text).joined(), sentences: picked)
    }
}
