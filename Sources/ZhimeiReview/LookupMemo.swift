import Foundation

/// A small direct-mapped memo in front of one of the large read-only tables (dictionary words, word pairs, language
/// model): the typo rules look the same words up again and again — overlapping windows, the same run segmented and
/// scored by several rules — and a look-up in a table of many megabytes is mostly a cache miss, while this memo stays
/// in the core's cache. Exact: a slot answers only for the key it holds, so results do not change.
/// Not thread-safe: one per `Proofreader.typos` call (inside `TypoMemo`).
final class LookupMemo<Value> {
    private let keys: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<Value>
    private let shift: UInt64
    private let size: Int
    /// A key no look-up uses (four U+FFFF scalars / an impossible word pair).
    private static var empty: UInt64 { UInt64.max }

    init(bits: Int, filler: Value) {
        size = 1 << bits
        shift = UInt64(64 - bits)
        keys = .allocate(capacity: size)
        keys.initialize(repeating: LookupMemo.empty, count: size)
        values = .allocate(capacity: size)
        values.initialize(repeating: filler, count: size)
    }

    deinit {
        keys.deinitialize(count: size)
        keys.deallocate()
        values.deinitialize(count: size)
        values.deallocate()
    }

    /// The memoised `compute(key)`.
    @inline(__always) func value(_ key: UInt64, _ compute: (UInt64) -> Value) -> Value {
        let i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift)
        if keys[i] == key && key != LookupMemo.empty { return values[i] }
        let v = compute(key)
        keys[i] = key
        values[i] = v
        return v
    }
}

/// The memos of one typo pass (dictionary log-probabilities, word pairs, language-model word indexes and bigrams).
final class TypoMemo {
    /// Word key → log-probability, +infinity when the word is not in the dictionary.
    let words: LookupMemo<Float>
    /// Pair key (a << 16 | b) → `WordStatistics.pairWord` (+infinity = in no dictionary word).
    let pairs: LookupMemo<Float>
    /// Word key → language-model word index, −1 when unknown.
    let lmWords: LookupMemo<Int32>
    /// (prev << 32 | word) → ln P(word | prev).
    let bigrams: LookupMemo<Float>

    /// Sized for a text of `length` scalars (a short line does not pay for clearing a large memo).
    init(length: Int = 0) {
        var bits = 8
        while bits < 13 && (1 << bits) < 4 * length { bits += 1 }
        words = LookupMemo(bits: bits, filler: 0)
        pairs = LookupMemo(bits: bits, filler: 0)
        lmWords = LookupMemo(bits: bits - 1, filler: -1)
        bigrams = LookupMemo(bits: bits - 1, filler: 0)
    }
}

extension WordStatistics {
    /// Dictionary log-probability of a packed word key, +infinity when absent (memoised).
    @inline(__always) func logP(_ key: UInt64, _ memo: TypoMemo) -> Float {
        if key < 0x10000 && !singleLogP.isEmpty { return singleLogP[Int(key)] }
        return memo.words.value(key) { entries[$0]?.logP ?? .infinity }
    }

    /// `pairWord(a, b)`, memoised.
    @inline(__always) func pairWord(_ a: UInt32, _ b: UInt32, _ memo: TypoMemo) -> Float {
        guard a < 0x10000 && b < 0x10000 else { return .infinity }
        return pairWord(UInt64(a << 16 | b), memo)
    }

    /// `pairWord` of a packed pair key (both scalars in the BMP), memoised.
    @inline(__always) func pairWord(_ k: UInt64, _ memo: TypoMemo) -> Float {
        guard mayHavePair(k) else { return .infinity }
        return memo.pairs.value(k) { pairs[$0]?.logP ?? .infinity }
    }
}

extension LanguageModel {
    /// `word(key) ?? -1`, single characters from a flat array, longer words memoised when a memo is given.
    @inline(__always) func wordIndex(_ key: UInt64, _ memo: TypoMemo?) -> Int32 {
        if key < 0x10000 && !singleWord.isEmpty { return singleWord[Int(key)] }
        guard let memo else { return word(key) ?? -1 }
        return memo.lmWords.value(key) { word($0) ?? -1 }
    }

    /// `logProbability(w, after: prev)`, memoised when a memo is given.
    @inline(__always) func logProbability(_ w: Int32, after prev: Int32, _ memo: TypoMemo?) -> Float {
        guard prev >= 0, let memo else { return logProbability(w, after: prev) }
        return memo.bigrams.value(UInt64(UInt32(prev)) << 32 | UInt64(UInt32(w))) { _ in logProbability(w, after: prev) }
    }
}
