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
        /// Each word's UTF-8 bytes and its length in scalars, so an article is assembled as bytes.
        var bytes: [[UInt8]] = []
        var scalars: [Int] = []
        var cumulative: [UInt64] = []
        /// `guide[b]`: the first word whose cumulative frequency exceeds `b * step` — where the search for a draw in
        /// bucket `b` starts (on average about one step from the answer, against ~13 of a binary search).
        var guide: [Int] = []
        var step: UInt64 = 1

        mutating func add(_ w: String, _ f: UInt64) {
            words.append(w); bytes.append(Array(w.utf8)); scalars.append(w.unicodeScalars.count)
            cumulative.append((cumulative.last ?? 0) &+ max(1, f))
        }

        /// Builds the guide table once all words are added.
        mutating func seal() {
            guard let total = cumulative.last, total > 0 else { return }
            let buckets = UInt64(max(1, words.count * 4))
            step = total / buckets + 1
            guide = []
            var i = 0
            var b: UInt64 = 0
            while b * step < total {
                while cumulative[i] <= b * step { i += 1 }
                guide.append(i)
                b += 1
            }
        }

        /// The index of a frequency-weighted draw: the first word whose cumulative frequency exceeds a uniform `x`.
        func index(_ r: inout Random) -> Int? {
            guard let total = cumulative.last, total > 0, !guide.isEmpty else { return nil }
            let x = r.next() % total
            var i = guide[Int(x / step)]
            while cumulative[i] <= x { i += 1 }
            return i
        }

        func draw(_ r: inout Random) -> String { index(&r).map { words[$0] } ?? "新闻" }
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
            pool.seal()
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

    /// Appends one sentence's UTF-8 to `out`; returns its length in scalars.
    func sentence(_ r: inout Random, into out: inout [UInt8]) -> Int {
        let t = slots[r.below(slots.count)]
        var length = 0
        for slot in t {
            if let pool = slot.pool {
                if let i = pool.index(&r) { out += pool.bytes[i]; length += pool.scalars[i] } else { out += Array("新闻".utf8); length += 2 }
            } else {
                out += slot.text.utf8; length += slot.text.unicodeScalars.count
            }
        }
        return length
    }

    /// One article: headline, lead, body of about `characters` characters, tags.
    public func article(_ index: Int, seed: UInt64, characters: Int) -> (title: String, lead: String, body: String, tags: [String], author: String) {
        var r = Random(seed: seed &+ UInt64(truncatingIfNeeded: index) &* 0x2545_F491_4F6C_DD1D)
        let title = w("ns", &r) + w("v", &r) + w("n", &r) + w("vn", &r)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(characters * 3 + 256)
        _ = sentence(&r, into: &buffer)
        let lead = String(decoding: buffer, as: UTF8.self)
        buffer.removeAll(keepingCapacity: true)
        var paragraph = 0, length = 0
        while length < characters {
            length += sentence(&r, into: &buffer)  // one scalar per character here (Han words, CJK punctuation)
            paragraph += 1
            if paragraph % 5 == 0 { buffer.append(0x0A) }
        }
        let body = String(decoding: buffer, as: UTF8.self)
        let tags = [w("n", &r), w("ns", &r)]
        return (title, lead, body, tags, w("nr", &r))
    }
}
