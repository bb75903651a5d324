import Foundation

/// Character 1- to 4-gram counts with stupid back-off (`review/char_ngram.bin`, built at set-up by
/// scripts/review/char-ngram.py from the correct sides of the SIGHAN training sets). Used only as a veto: a typo
/// correction whose characters are much less likely in their context than the written ones is dropped.
public struct CharNGramModel: Sendable {
    static let order = 4
    static let lineStart: UInt32 = 2, lineEnd: UInt32 = 3
    static let backoff = Float(log(0.4))
    var counts: FlatTable<WordStatistics.Entry>
    let total: Float
    /// Number of distinct n-grams.
    public var count: Int { counts.count }

    /// Reads `char_ngram.bin`; nil when the bytes are not a well-formed model.
    public init?(data: Data) {
        guard data.count >= 16, data.prefix(4) == Data("ZCN1".utf8) else { return nil }
        let e = data.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian) }
        let t = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian }
        guard e > 0, t > 0, data.count == 16 + e * 12 else { return nil }
        var table = FlatTable<WordStatistics.Entry>(capacity: e)
        data.withUnsafeBytes { raw in
            for i in 0..<e {
                let k = raw.loadUnaligned(fromByteOffset: 16 + i * 8, as: UInt64.self).littleEndian
                let c = raw.loadUnaligned(fromByteOffset: 16 + e * 8 + i * 4, as: UInt32.self).littleEndian
                table.set(k, WordStatistics.Entry(logP: Float(c), tag: 0))
            }
        }
        counts = table
        total = Float(t)
    }

    @inline(__always) func count(_ k: UInt64) -> Float { counts[k]?.logP ?? 0 }

    /// ln S(c | history) with stupid back-off; `h` holds up to three preceding characters, oldest first.
    func logScore(_ h: ArraySlice<UInt32>, _ c: UInt32) -> Float {
        var pen: Float = 0
        var k = min(h.count, CharNGramModel.order - 1)
        while k >= 0 {
            var key: UInt64 = 0
            for x in h.suffix(k) { key = key << 16 | UInt64(x & 0xFFFF) }
            let den = k > 0 ? count(key) : total
            let num = count(key << 16 | UInt64(c & 0xFFFF))
            if num > 0 && den > 0 { return pen + log(num / den) }
            pen += CharNGramModel.backoff
            k -= 1
        }
        return pen + log(0.5 / total)
    }

    /// How much more (ln) likely the text is with `c` at `p` than with `s[p]`: the n-grams ending at p…p+3, within
    /// the line (line breaks and the text's ends count as line boundaries, as in the training lines).
    public func gain(_ s: [UInt32], _ p: Int, _ c: UInt32) -> Float {
        var local: [UInt32] = []
        var lo = p
        while lo > 0 && p - lo < CharNGramModel.order - 1 && s[lo - 1] != 10 { lo -= 1 }
        if p - lo < CharNGramModel.order - 1 { local.append(CharNGramModel.lineStart) }
        local += s[lo..<p]
        let at = local.count
        local.append(s[p])
        var hi = p + 1
        while hi < s.count && hi - p < CharNGramModel.order && s[hi] != 10 { local.append(s[hi]); hi += 1 }
        if hi - p < CharNGramModel.order { local.append(CharNGramModel.lineEnd) }
        func score(_ t: [UInt32]) -> Float {
            var sum: Float = 0
            for i in at..<min(t.count, at + CharNGramModel.order) { sum += logScore(t[max(0, i - CharNGramModel.order + 1)..<i], t[i]) }
            return sum
        }
        let before = score(local)
        local[at] = c
        return score(local) - before
    }
}
