import Foundation

/// The learned part-of-speech contexts (`LearnedPairs.context`) in which a lone written character was mostly meant
/// as another one (得 between a pronoun and a noun → 的; 一 before a locative → 以…). Tags are the coarse jieba tags of
/// the neighbouring words of the engine's own segmentation, so what is learned is grammar, not sentences.
struct ContextPrior: Sendable {
    struct Key: Hashable { var char: UInt32; var prev: UInt8; var next: UInt8 }
    struct Choice { var intended: UInt32; var share: Float }
    static let any: UInt8 = 0
    /// Tags kept whole by the coarsening (the others are cut to their first letter), as in learn-pairs.py.
    static let kept: Set<String> = ["uj", "ud", "ul", "uz", "ad", "an", "vn", "nr", "ns", "zg"]
    static func coarse(_ tag: String) -> String { kept.contains(tag) ? tag : String(tag.prefix(1)) }

    /// Coarse tag name → id (0 = any).
    let ids: [String: UInt8]
    let choices: [Key: Choice]
    /// Characters that have contexts (cheap filter).
    let characters: Set<UInt32>
    /// The same as a flat BMP table (checked for every character of every run).
    private let contextFlags: [Bool]

    static let shared = ContextPrior(table: LearnedPrior.context, isShared: true)
    /// Whether this is `shared` (whose tag ids `RunSegments` keeps per check).
    let isShared: Bool

    init(table: String, isShared: Bool = false) {
        self.isShared = isShared
        var ids: [String: UInt8] = ["*": ContextPrior.any]
        func id(_ s: Substring) -> UInt8 {
            if let i = ids[String(s)] { return i }
            let i = UInt8(min(ids.count, 254)); ids[String(s)] = i; return i
        }
        var choices: [Key: Choice] = [:]
        for entry in table.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let f = entry.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count == 5, let x = f[0].unicodeScalars.first?.value, let y = f[3].unicodeScalars.first?.value, let pct = Float(f[4]) else { continue }
            choices[Key(char: x, prev: id(f[1]), next: id(f[2]))] = Choice(intended: y, share: pct / 100)
        }
        self.ids = ids
        self.choices = choices
        var table = FlatTable<Choice>(capacity: choices.count, filler: Choice(intended: 0, share: 0))
        for (k, c) in choices { table.set(ContextPrior.pack(k.char, k.prev, k.next), c) }
        packed = table
        characters = Set(choices.keys.map(\.char))
        var flat = [Bool](repeating: false, count: 0x10000)
        for c in characters where c < 0x10000 { flat[Int(c)] = true }
        contextFlags = flat
    }

    @inline(__always) func hasContext(_ c: UInt32) -> Bool { c < 0x10000 ? contextFlags[Int(c)] : characters.contains(c) }

    /// Tag id of a coarse tag name (255 = a tag no context uses).
    func id(_ coarse: String) -> UInt8 { ids[coarse] ?? 255 }

    /// The decision for a lone character between two tags: the specific context, else (prev, *), else (*, next).
    func choice(_ x: UInt32, prev: UInt8, next: UInt8) -> Choice? {
        if let c = packed[ContextPrior.pack(x, prev, next)] { return c }
        if let c = packed[ContextPrior.pack(x, prev, ContextPrior.any)] { return c }
        return packed[ContextPrior.pack(x, ContextPrior.any, next)]
    }

    /// `choices` keyed by char << 16 | prev << 8 | next in a flat table (the `Dictionary` hashing of `Key` showed in the profile).
    private let packed: FlatTable<Choice>
    @inline(__always) static func pack(_ x: UInt32, _ prev: UInt8, _ next: UInt8) -> UInt64 { UInt64(x) << 16 | UInt64(prev) << 8 | UInt64(next) }

    /// The context tag id of every tag of `words` (by its index in `tagNames`), once per check instead of coarsening
    /// and hashing the tag's name for every neighbour.
    func tagIDs(_ words: WordStatistics) -> [UInt8] { words.tagNames.map { id(ContextPrior.coarse($0)) } }

    /// Intended characters for the lone characters of the Han run `s[a..<b]` whose context points elsewhere with at
    /// least `minShare`, from the run's best segmentation: element p − a is the character for position p, 0 = none
    /// (an array over the run, not a dictionary: its hashing showed in the profile); empty when the run has no
    /// character with a context.
    func suggestions(_ s: [UInt32], _ a: Int, _ b: Int, words: WordStatistics, minShare: Float, segments: RunSegments? = nil) -> [UInt32] {
        guard s[a..<b].contains(where: { hasContext($0) }) else { return [] }
        let seg = segments?.segment(s, a, b) ?? s.withUnsafeBufferPointer { words.segment($0, a, b) }
        let tagIDs = segments?.contextTagIDs(self) ?? self.tagIDs(words)
        let unknown = id("?"), other = id("x"), lineStart = id("^"), lineEnd = id("$")
        func tag(_ t: (Int, Int)) -> UInt8 {
            let k = s.withUnsafeBufferPointer { WordStatistics.key($0, t.0, t.1) }
            guard let e = words.entry(k) else { return unknown }
            return tagIDs[Int(e.tag)]
        }
        var out = [UInt32](repeating: 0, count: b - a)
        for (k, t) in seg.enumerated() where t.1 - t.0 == 1 && hasContext(s[t.0]) {
            let prev = k > 0 ? tag(seg[k - 1]) : a > 0 ? other : lineStart
            let next = k + 1 < seg.count ? tag(seg[k + 1]) : b < s.count ? other : lineEnd
            if let c = choice(s[t.0], prev: prev, next: next), c.intended != s[t.0], c.share >= minShare { out[t.0 - a] = c.intended }
        }
        return out
    }
}
