import Foundation

/// Character 1- to 4-gram counts with stupid back-off (`review/char_ngram.bin`, built at set-up by
/// scripts/review/char-ngram.py from the correct sides of the SIGHAN training sets and, since round 9, People's Daily
/// text). Evidence for and against typo corrections: a veto, a share of the gain, and a feature of the confusion
/// search's classifier.
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

    /// The characters around a position (within the line) and their score as written: the candidates tried at one
    /// position share it, so the written text is scored once, not once per candidate.
    public struct Window: Sendable {
        var local: [UInt32]
        let at: Int
        let before: Float
    }

    /// The window around `p`: the n-grams ending at p…p+3, within the line (line breaks and the text's ends count as
    /// line boundaries, as in the training lines).
    public func window(_ s: [UInt32], _ p: Int) -> Window {
        var local: [UInt32] = []
        local.reserveCapacity(2 * CharNGramModel.order + 1)
        var lo = p
        while lo > 0 && p - lo < CharNGramModel.order - 1 && s[lo - 1] != 10 { lo -= 1 }
        if p - lo < CharNGramModel.order - 1 { local.append(CharNGramModel.lineStart) }
        local += s[lo..<p]
        let at = local.count
        local.append(s[p])
        var hi = p + 1
        while hi < s.count && hi - p < CharNGramModel.order && s[hi] != 10 { local.append(s[hi]); hi += 1 }
        if hi - p < CharNGramModel.order { local.append(CharNGramModel.lineEnd) }
        return Window(local: local, at: at, before: score(local, at))
    }

    /// ln S of the characters at `at`…`at + 3` of `t`, each given the ones before it.
    private func score(_ t: [UInt32], _ at: Int) -> Float {
        var sum: Float = 0
        for i in at..<min(t.count, at + CharNGramModel.order) { sum += logScore(t[max(0, i - CharNGramModel.order + 1)..<i], t[i]) }
        return sum
    }

    /// How much more (ln) likely the window's text is with `c` at its position than as written.
    public func gain(_ w: inout Window, _ c: UInt32) -> Float {
        let written = w.local[w.at]
        w.local[w.at] = c
        let g = score(w.local, w.at) - w.before
        w.local[w.at] = written
        return g
    }

    /// How much more (ln) likely the text is with `c` at `p` than with `s[p]`.
    public func gain(_ s: [UInt32], _ p: Int, _ c: UInt32) -> Float {
        var w = window(s, p)
        return gain(&w, c)
    }
}
