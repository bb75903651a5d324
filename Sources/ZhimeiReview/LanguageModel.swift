import Foundation

/// A word bigram language model with backoff (open-gram model from Debian's sunpinyin-data, CC BY-SA 3.0,
/// converted at set-up by scripts/review/sunpinyin-lm.py into `lm_bigram.bin`). Scores the segmentation of a
/// short window so that real-word errors (在/再, 以/已, 做/作…) become visible: the unigram model cannot see them.
public struct LanguageModel: Sendable {
    /// Packed word key (WordStatistics.key) → index into `logP` / `backoff` (a flat table: this look-up is in the typo
    /// search's innermost loop, where `Dictionary` hashing cost a tenth of the full review).
    let index: FlatTable<Int32>
    let logP: [Float]
    let backoff: [Float]
    /// The bigrams of word i as a small open-addressing table `slots[slotStart[i]..<slotStart[i + 1]]` (a power of two
    /// in size, at most ¾ full, key = j + 1, 0 = empty): one or two cache lines per look-up, where a binary search in
    /// the sorted 19 MB key array missed the cache at nearly every step. Same values (the first of equal keys).
    struct BigramSlot { var word: UInt32; var logP: Float }
    let slots: [BigramSlot]
    let slotStart: [Int32]
    public let bigramCount: Int
    /// `word(c) ?? -1` for every 16-bit key c (single characters: a flat array instead of the table).
    let singleWord: [Int32]
    /// ln P of a character the model does not know.
    static let unknownLogP: Float = -16

    public var wordCount: Int { logP.count }

    /// Reads `lm_bigram.bin`; nil when the bytes are not a well-formed model.
    init?(data: Data) {
        guard data.count >= 12, data.prefix(4) == Data("ZLM1".utf8) else { return nil }
        func u32(_ o: Int) -> Int { data.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: o, as: UInt32.self).littleEndian) } }
        let w = u32(4), b = u32(8)
        let wordBytes = w.multipliedReportingOverflow(by: 16), pairBytes = b.multipliedReportingOverflow(by: 12)
        guard !wordBytes.overflow, !pairBytes.overflow, data.count == 12 + wordBytes.partialValue + pairBytes.partialValue else { return nil }
        var index = FlatTable<Int32>(capacity: w, filler: -1)
        var logP = [Float](repeating: 0, count: w), backoff = [Float](repeating: 0, count: w)
        var keys = [UInt64](repeating: 0, count: b), probs = [Float](repeating: 0, count: b)
        data.withUnsafeBytes { raw in
            for i in 0..<w {
                let o = 12 + 16 * i
                index.set(raw.loadUnaligned(fromByteOffset: o, as: UInt64.self).littleEndian, Int32(i))
                logP[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: o + 8, as: UInt32.self).littleEndian)
                backoff[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: o + 12, as: UInt32.self).littleEndian)
            }
            let k0 = 12 + 16 * w, p0 = k0 + 8 * b
            keys.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[k0..<p0])) }
            probs.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[p0..<(p0 + 4 * b)])) }
        }
        self.index = index
        self.logP = logP
        self.backoff = backoff
        let sortedKeys = keys.map { UInt64(littleEndian: $0) }
        guard b < Int(Int32.max), sortedKeys.indices.dropFirst().allSatisfy({ sortedKeys[$0 - 1] <= sortedKeys[$0] }) else { return nil }
        var rows = [Int32](repeating: 0, count: w + 1), k = 0
        for i in 0...w {
            while k < b && sortedKeys[k] >> 32 < UInt64(i) { k += 1 }
            rows[i] = Int32(k)
        }
        let probsLE = probs.map { Float(bitPattern: $0.bitPattern.littleEndian) }
        var starts = [Int32](repeating: 0, count: w + 1), total = 0
        for i in 0..<w {
            starts[i] = Int32(total)
            let r = Int(rows[i + 1] - rows[i])
            if r > 0 { var size = 1; while size * 3 < r * 4 + 1 { size <<= 1 }; total += size }
        }
        starts[w] = Int32(total)
        guard total < Int(Int32.max) else { return nil }
        var table = [BigramSlot](repeating: BigramSlot(word: 0, logP: 0), count: total)
        for i in 0..<w {
            let base = Int(starts[i]), mask = Int(starts[i + 1]) - base - 1
            for k in Int(rows[i])..<Int(rows[i + 1]) {
                let j = UInt32(truncatingIfNeeded: sortedKeys[k])
                var h = LanguageModel.slot(j, mask)
                while table[base + h].word != 0 && table[base + h].word != j &+ 1 { h = (h + 1) & mask }
                if table[base + h].word == 0 { table[base + h] = BigramSlot(word: j &+ 1, logP: probsLE[k]) }  // equal keys: the first wins, as in the binary search
            }
        }
        slots = table
        slotStart = starts
        bigramCount = b
        singleWord = (0..<0x10000).map { c in c == 0 ? -1 : index[UInt64(c)] ?? -1 }
    }

    /// Word index of a packed key, nil when the model does not know the word.
    @inline(__always) func word(_ key: UInt64) -> Int32? { key == 0 ? nil : index[key] }

    @inline(__always) static func slot(_ j: UInt32, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(j) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// ln P(w | prev) with backoff; prev < 0 = no history.
    @inline(__always) func logProbability(_ w: Int32, after prev: Int32) -> Float {
        guard prev >= 0 else { return logP[Int(w)] }
        let base = Int(slotStart[Int(prev)]), mask = Int(slotStart[Int(prev) + 1]) - base - 1
        if mask >= 0 {
            let key = UInt32(bitPattern: w) &+ 1
            var h = LanguageModel.slot(UInt32(bitPattern: w), mask)
            return slots.withUnsafeBufferPointer { t in
                while true {
                    let s = t[base + h]
                    if s.word == key { return s.logP }
                    if s.word == 0 { break }  // never full: a row's table is at most ¾ full
                    h = (h + 1) & mask
                }
                return backoff[Int(prev)] + logP[Int(w)]
            }
        }
        return backoff[Int(prev)] + logP[Int(w)]
    }

    /// ln P of the words `s[r.0..<r.1]` of a segmentation, in order (words the model does not know are scored
    /// character by character; unknown characters get a fixed penalty and cut the history).
    func score(_ s: UnsafeBufferPointer<UInt32>, _ words: [(Int, Int)]) -> Float {
        var total: Float = 0
        var prev: Int32 = -1
        for (a, b) in words { scoreWord(s, a, b, &prev, &total) }
        return total
    }

    /// Adds ln P of the word `s[a..<b]` after `prev` to `total` (character by character when unknown); with `memo`,
    /// the look-ups are memoised (same values, same additions in the same order).
    @inline(__always) func scoreWord(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int, _ prev: inout Int32, _ total: inout Float,
                                     _ memo: TypoMemo? = nil) {
        let w = wordIndex(WordStatistics.key(s, a, b), memo)
        if w >= 0 {
            total += logProbability(w, after: prev, memo); prev = w
            return
        }
        for i in a..<b {
            let c = wordIndex(WordStatistics.key(s, i, i + 1), memo)
            if c >= 0 { total += logProbability(c, after: prev, memo); prev = c } else { total += LanguageModel.unknownLogP; prev = -1 }
        }
    }
}

extension WordStatistics {
    /// The unigram best-path score of `s[a..<b]` and the language-model score of that same segmentation, without
    /// heap allocation (the hot loop of the typo search calls this for every candidate).
    func scores(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int, _ lm: LanguageModel) -> (unigram: Float, lm: Float) {
        let n = b - a
        guard n > 0 else { return (0, 0) }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n + 1) { best in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (n + 1)) { buf in
                let from = UnsafeMutableBufferPointer(rebasing: buf[0...n])
                let cuts = UnsafeMutableBufferPointer(rebasing: buf[(n + 1)...])
                bestPath(s, a, n, best, from)
                var m = 0, j = n
                while j > 0 { cuts[m] = j; m += 1; j = from[j] }
                var total: Float = 0, prev: Int32 = -1, start = 0
                while m > 0 {
                    m -= 1
                    let end = cuts[m]
                    lm.scoreWord(s, a + start, a + end, &prev, &total)
                    start = end
                }
                return (best[n], total)
            }
        }
    }
}

