import Foundation

/// A deterministic generator of realistic Chinese news articles for `zhimei bench search`: vocabulary from the
/// jieba dictionary (words by part of speech, drawn by frequency) put into news-style sentence templates.
public struct SearchCorpus: Sendable {
    /// SplitMix64: small, fast, deterministic.
    public struct Random: Sendable {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    }

    /// Words of one part of speech with cumulative frequencies (for frequency-weighted draws).
    struct Pool: Sendable {
        var words: [String] = []
        var cumulative: [UInt64] = []
        mutating func add(_ w: String, _ f: UInt64) { words.append(w); cumulative.append((cumulative.last ?? 0) &+ max(1, f)) }
        func draw(_ r: inout Random) -> String {
            guard let total = cumulative.last, total > 0 else { return "新闻" }
            let x = r.next() % total
            var lo = 0, hi = cumulative.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] > x { hi = mid } else { lo = mid + 1 } }
            return words[lo]
        }
    }

    var pools: [String: Pool] = [:]
    /// Mid-frequency nouns: the words benchmark queries are made of.
    public private(set) var queryWords: [String] = []

    static let tags = ["n", "v", "ns", "nt", "vn", "a", "nr", "d", "m"]

    /// Loads the vocabulary from a jieba `dict.txt` (word frequency tag per line); the `perTag` most frequent Han words of each tag.
    public init(dictionary path: String, perTag: Int = 6000) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var byTag: [String: [(String, UInt64)]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 3, let f = UInt64(parts[1]), Self.tags.contains(String(parts[2])) else { continue }
            let w = String(parts[0])
            guard w.unicodeScalars.allSatisfy({ $0.value >= 0x4E00 && $0.value <= 0x9FFF }), (1...4).contains(w.count) else { continue }
            byTag[String(parts[2]), default: []].append((w, f))
        }
        for (tag, words) in byTag {
            var pool = Pool()
            for (w, f) in words.sorted(by: { ($0.1, $0.0) > ($1.1, $1.0) }).prefix(perTag) { pool.add(w, f) }
            pools[tag] = pool
        }
        let nouns = (byTag["n"] ?? []).filter { $0.0.count >= 2 }.sorted { ($0.1, $0.0) > ($1.1, $1.0) }
        queryWords = nouns.dropFirst(200).prefix(1500).map(\.0)
        let pools = self.pools
        slots = Self.templates.map { t in
            t.map { Self.tags.contains($0) ? Slot(pool: pools[$0], text: "工作") : Slot(pool: nil, text: $0) }
        }
    }

    func w(_ tag: String, _ r: inout Random) -> String { pools[tag]?.draw(&r) ?? "工作" }

    static let templates: [[String]] = [
        ["ns", "nt", "v", "n", "，", "d", "v", "vn", "n", "。"],
        ["nr", "v", "，", "ns", "a", "n", "v", "m", "n", "。"],
        ["n", "d", "v", "，", "nt", "v", "vn", "n", "和", "n", "。"],
        ["据", "nt", "v", "，", "ns", "n", "v", "a", "vn", "。"],
        ["ns", "v", "n", "，", "v", "n", "、", "n", "和", "vn", "。"],
        ["nr", "d", "v", "：", "“", "n", "v", "a", "n", "。”"],
    ]

    /// One template slot: a word drawn from a pool, or fixed text.
    struct Slot: Sendable { var pool: Pool?; var text: String }

    /// The templates with each part-of-speech slot resolved to its pool once (not a tag look-up per word).
    var slots: [[Slot]] = []

    func sentence(_ r: inout Random) -> String {
        let t = slots[r.below(slots.count)]
        var out = ""
        for slot in t { out += slot.pool.map { $0.draw(&r) } ?? slot.text }
        return out
    }

    /// One article: headline, lead, body of about `characters` characters, tags.
    public func article(_ index: Int, seed: UInt64, characters: Int) -> (title: String, lead: String, body: String, tags: [String], author: String) {
        var r = Random(seed: seed &+ UInt64(truncatingIfNeeded: index) &* 0x2545_F491_4F6C_DD1D)
        let title = w("ns", &r) + w("v", &r) + w("n", &r) + w("vn", &r)
        let lead = sentence(&r)
        var body = ""
        var paragraph = 0, length = 0
        while length < characters {
            let s = sentence(&r)
            body += s
            length += s.unicodeScalars.count  // one scalar per character here (Han words, CJK punctuation)
            paragraph += 1
            if paragraph % 5 == 0 { body += "\n" }
        }
        let tags = [w("n", &r), w("ns", &r)]
        return (title, lead, body, tags, w("nr", &r))
    }
}
