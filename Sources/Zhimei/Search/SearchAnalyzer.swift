import Foundation
import ZhimeiText

/// Turns text into the index's tokens and query words into the same tokens.
///
/// Index tokens are Simplified (OpenCC t2s), lower-case, letters and digits only, space-joined. A field holds
/// its precise-mode words in order (so phrases are adjacent tokens), then the search-mode sub-words of long
/// words (jieba's cut_for_search 2- and 3-grams that are dictionary words), so "媒体" also finds "融媒体中心".
public struct SearchAnalyzer: Sendable {
    public let segmenter: Segmenter
    /// Pinyin initials of author names (nil when the review data with the pinyin table is not installed).
    public var pinyin: SearchPinyin?
    /// Most tokens kept from one field (bounds index size and PostgreSQL's tsvector limits).
    public static let maxFieldTokens = 12_000
    /// Longest token kept (in scalars).
    public static let maxTokenLength = 40

    public init(engine: TextEngine) {
        segmenter = engine.segmenter(options: SegmentOptions(mode: .precise, hmm: true))
    }

    /// Traditional → Simplified, lower-cased. ASCII text skips OpenCC (nothing to convert).
    public static func simplify(_ text: String) -> String { simplify(text, converter: nil) }

    /// The same with a given converter (bulk indexing gives each worker its own: one OpenCC handle is used under a lock).
    static func simplify(_ text: String, converter: OpenCC?) -> String {
        let lowered = lowercased(text)
        if lowered.utf8.allSatisfy({ $0 < 0x80 }) { return lowered }
        guard let cc = converter ?? (try? OpenCC.shared.get()), let out = try? cc.convert(lowered, .t2s) else { return lowered }
        return out
    }

    /// `text.lowercased()`, skipping the Unicode case walk (≈ 8 % of bulk analysis) when no scalar has a lower-case
    /// mapping: text of CJK ideographs and punctuation, digits and lower-case ASCII — most Chinese news.
    static func lowercased(_ text: String) -> String {
        for v in text.unicodeScalars.lazy.map(\.value) where !hasNoLowercaseMapping(v) { return text.lowercased() }
        return text
    }

    /// Scalars whose lower-case mapping is themselves, in the blocks news text is made of (`SearchAnalyzerTests` checks
    /// every one of them against `lowercased()`).
    @inline(__always) static func hasNoLowercaseMapping(_ v: UInt32) -> Bool {
        if v < 0x80 { return v < 0x41 || v > 0x5A }
        switch v {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x3000...0x303F, 0xFF01...0xFF20, 0xFF3B...0xFF40, 0xFF5B...0xFF65,
             0x2000...0x206F, 0x00A0...0x00BF, 0x00D7, 0x00F7: return true
        default: return false
        }
    }

    /// True for scalars that tokens keep (what FTS5's unicode61 and PostgreSQL's parser treat as word characters).
    @inline(__always) static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            return (s.value >= 0x30 && s.value <= 0x39) || (s.value >= 0x61 && s.value <= 0x7A) || (s.value >= 0x41 && s.value <= 0x5A)
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    /// `isWordScalar` on a scalar value; the common CJK block (all letters since Unicode 1.1) skips the property lookup.
    @inline(__always) static func isWordCode(_ c: UInt32) -> Bool {
        if c >= 0x4E00 && c <= 0x9FA5 { return true }
        guard let s = Unicode.Scalar(c) else { return false }
        return isWordScalar(s)
    }

    /// Clean pieces of the precise-mode words of `b` (already simplified), as scalar ranges: the word characters
    /// between non-word characters, each cut to `maxTokenLength`; stops after the word that reaches `maxFieldTokens`.
    func pieces(_ b: UnsafeBufferPointer<UInt32>, _ scratch: SearchAnalyzerScratch) {
        let seg = scratch.segments
        seg.reset()
        segmenter.segment(b, scratch: seg)
        scratch.pieces.removeAll(keepingCapacity: true)
        for t in 0..<seg.tokenCount {
            var start = -1, length = 0
            for i in seg.tokenStart(t)..<seg.tokenEnd(t) {
                if Self.isWordCode(b[i]) {
                    if start < 0 { start = i; length = 0 }
                    if length < Self.maxTokenLength { length += 1 }
                } else if start >= 0 {
                    scratch.pieces.append(SIMD2(Int32(start), Int32(start + length))); start = -1
                }
            }
            if start >= 0 { scratch.pieces.append(SIMD2(Int32(start), Int32(start + length))) }
            if scratch.pieces.count >= Self.maxFieldTokens { break }
        }
    }

    /// Dictionary 2-grams and 3-grams inside a long word (jieba's search mode).
    func subwords(_ word: String) -> [String] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count > 2 else { return [] }
        var out: [String] = []
        for n in [2, 3] where scalars.count > n {
            for i in 0...(scalars.count - n) {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[i..<(i + n)])
                let gram = String(view)
                if segmenter.frequency(of: gram) > 0 { out.append(gram) }
            }
        }
        return out
    }

    /// Separates a word from its dictionary sub-words in the index form (U+0001; never a word character).
    public static let subwordMark: UInt8 = 0x01

    /// The index form of one field: the precise tokens, space-joined, each followed by its dictionary sub-words after
    /// `subwordMark` (融媒体\u{1}融媒\u{1}媒体 中心). SQLite's `zhimei` FTS5 tokenizer puts a sub-word at its word's
    /// position; `flatIndexForm` gives PostgreSQL's form.
    public func indexField(_ text: String) -> String { indexField(text, scratch: SearchAnalyzerScratch()) }

    /// The index form of one field, reusing a worker's scratch (bulk indexing: no per-word strings, sub-words cached).
    public func indexField(_ text: String, scratch: SearchAnalyzerScratch) -> String {
        var simplified = Self.simplify(text, converter: scratch.converter)
        scratch.scalars.removeAll(keepingCapacity: true)
        simplified.withUTF8 { UTF8Scalars.decode($0, into: &scratch.scalars) }
        var out = scratch.bytes
        out.removeAll(keepingCapacity: true)
        defer { scratch.bytes = out }
        scratch.scalars.withUnsafeBufferPointer { b in
            pieces(b, scratch)
            var extra = 0
            for p in scratch.pieces {
                if !out.isEmpty { out.append(0x20) }
                let a = Int(p[0]), e = Int(p[1])
                UTF8Scalars.encode(b, a, e, into: &out)
                guard extra < Self.maxFieldTokens, e - a > 2, (a..<e).contains(where: { b[$0] >= 0x80 }) else { continue }
                let grams = scratch.subwords(of: b, a, e, analyzer: self)
                for g in grams.prefix(Self.maxFieldTokens - extra) {
                    out.append(SearchAnalyzer.subwordMark)
                    out.append(contentsOf: g)
                }
                extra += grams.count
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The index form as PostgreSQL keeps it: the precise tokens, then every sub-word, space-joined (its phrase check is a
    /// substring test on the precise sequence).
    public static func flatIndexForm(_ grouped: String) -> String {
        guard grouped.utf8.contains(subwordMark) else { return grouped }
        var words: [UInt8] = [], subs: [UInt8] = []
        var inSub = false
        for c in grouped.utf8 {
            if c == 0x20 { inSub = false; words.append(c); continue }
            if c == subwordMark { inSub = true; subs.append(0x20); continue }
            if inSub { subs.append(c) } else { words.append(c) }
        }
        return String(decoding: words + subs, as: UTF8.self)
    }

    /// A field's length as the `zhimei` FTS5 tokenizer counts it (FTS5's docsize): one per word; sub-words share their
    /// word's position and add nothing. Stored with the row (`doc_tokens`, 068) so ranking need not read the docsize.
    public static func positions(_ grouped: String) -> Int {
        var n = 0, counted = false
        for c in grouped.utf8 {
            if c == 0x20 { counted = false } else if c != subwordMark, !counted { n += 1; counted = true }
        }
        return n
    }

    /// Tokens of one query word or phrase (Simplified, precise mode, clean).
    public func queryTokens(_ text: String) -> [String] {
        let scratch = SearchAnalyzerScratch()
        let scalars = UTF8Scalars.scalars(of: Self.simplify(text))
        return scalars.withUnsafeBufferPointer { b in
            pieces(b, scratch)
            return scratch.pieces.map { UTF8Scalars.string(scalars, Int($0[0]), Int($0[1])) }
        }
    }
}

/// One worker's working memory for analysing many fields: segmentation buffers, its own OpenCC handle and a cache of
/// each long word's sub-words (news text repeats its words, so most look-ups hit). Not thread-safe: one per task.
public final class SearchAnalyzerScratch {
    let segments = SegmentScratch()
    var scalars: [UInt32] = []
    var pieces: [SIMD2<Int32>] = []
    var bytes: [UInt8] = []
    let converter: OpenCC?
    private var cache: [[UInt32]: [[UInt8]]] = [:]
    private var key: [UInt32] = []

    /// `converter`: the OpenCC instance this worker converts with (nil: the shared one).
    public init(converter: OpenCC? = nil) { self.converter = converter }

    /// The dictionary sub-words (UTF-8) of the word `b[a..<e]`.
    func subwords(of b: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, analyzer: SearchAnalyzer) -> [[UInt8]] {
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: b[a..<e])
        if let hit = cache[key] { return hit }
        let grams = analyzer.subwords(UTF8Scalars.string(key)).map { Array($0.utf8) }
        if cache.count > 200_000 { cache.removeAll(keepingCapacity: true) }
        cache[key] = grams
        return grams
    }

    /// One OpenCC instance per worker slot (created once per process), so parallel workers do not queue on one lock.
    static let converters: [OpenCC] = (0..<max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16))).compactMap { _ in try? OpenCC() }
}
