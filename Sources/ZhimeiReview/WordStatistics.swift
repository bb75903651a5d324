import Foundation

/// Word statistics for typo detection: jieba dictionary words of up to four BMP characters packed into
/// one 64-bit key, with log-probabilities and part-of-speech tags, and the best-segmentation score of a
/// short window (a unigram word model, as jieba's max-probability path).
public struct WordStatistics: Sendable {
    struct Entry: Sendable { var logP: Float; var tag: UInt8 }
    static let maxWordLength = 4
    var entries = FlatTable<Entry>(capacity: 16)
    var tagNames: [String] = [""]
    var charFreq: [UInt32: Int32] = [:]
    /// Adjacent character pairs occurring inside dictionary words (a <<16 | b): the cheap filter before scoring. The
    /// entry's logP is that of the two-character word a b itself (−infinity when a b occurs only inside longer words;
    /// the pair key equals the word key), so whoever checks a pair gets the two-character word without a second look-up.
    /// The entry's tag bounds the three- and four-character words containing the pair (`longBound`).
    var pairs = FlatTable<Entry>(capacity: 16)
    /// One bit per hashed pair of `pairs` (1 MB, stays in the core's cache): most pairs the typo search tries are not
    /// in the dictionary, and this answers them without a miss in the large table (a set bit is confirmed there).
    var pairFilter: [UInt64] = []
    static let pairFilterBits: UInt64 = 23
    /// `entries[c]?.logP ?? +infinity` for every 16-bit key c: the single characters, the most frequent look-up,
    /// in a 256 KB array instead of the large table (same values, including what key 0 answers).
    var singleLogP: [Float] = []
    /// log-probability of a character that is not a dictionary word on its own.
    var unknownLogP: Float = -20
    public var count: Int { entries.count }

    init() {}

    /// Misspellings that jieba's dictionary lists as words (自已 for 自己): left out so the typo model can fix them.
    static let excludedWords: Set<Substring> = ["自已", "象样", "既使", "按装", "一但"]

    /// Parses jieba's dict.txt ("word freq tag" per line).
    init(jiebaDictionary text: String) {
        var total: Double = 0
        var raw: [(UInt64, Double, UInt8)] = []
        raw.reserveCapacity(350_000)
        var tagIndex: [Substring: UInt8] = ["": 0]
        var pairSet = Set<UInt32>()
        for line in text.split(separator: "\n") {
            let cols = line.split(separator: " ")
            guard cols.count >= 2, let f = Double(cols[1]), f > 0 else { continue }
            total += f
            guard let key = WordStatistics.key(cols[0].unicodeScalars.map(\.value)) else { continue }
            if WordStatistics.excludedWords.contains(cols[0]) { continue }
            var t: UInt8 = 0
            if cols.count > 2 {
                if let i = tagIndex[cols[2]] { t = i } else if tagNames.count < 255 {
                    t = UInt8(tagNames.count); tagIndex[cols[2]] = t; tagNames.append(String(cols[2]))
                }
            }
            raw.append((key, f, t))
            if key >= 0x10000 {
                var k = key
                while k >= 0x10000 { pairSet.insert(UInt32(truncatingIfNeeded: k)); k >>= 16 }
            }
            if key < 0x10000 { charFreq[UInt32(key)] = Int32(min(f, Double(Int32.max))) }
        }
        guard total > 0 else { return }
        let lt = log(total)
        entries = FlatTable(capacity: raw.count)
        for (k, f, t) in raw { entries.set(k, Entry(logP: Float(log(f) - lt), tag: t)) }
        pairs = FlatTable(capacity: pairSet.count)
        var longMax: [UInt32: Float] = [:]  // pair → best log-probability of a three- or four-character word containing it
        for (k, _, _) in raw where k >= 0x1_0000_0000 {
            let lp = entries[k]?.logP ?? -.infinity  // the table's value (the last of equal keys)
            var x = k
            while x >= 0x10000 { let p = UInt32(truncatingIfNeeded: x); longMax[p] = max(longMax[p] ?? -.infinity, lp); x >>= 16 }
        }
        for p in pairSet.sorted() {
            pairs.set(UInt64(p), Entry(logP: entries[UInt64(p)]?.logP ?? -.infinity, tag: WordStatistics.boundTag(longMax[p] ?? -.infinity)))
        }
        var filter = [UInt64](repeating: 0, count: 1 << Int(WordStatistics.pairFilterBits - 6))
        for p in pairSet { let h = WordStatistics.pairBit(UInt64(p)); filter[h >> 6] |= 1 << UInt64(h & 63) }
        pairFilter = filter
        singleLogP = (0..<0x10000).map { entries[UInt64($0)]?.logP ?? .infinity }
        unknownLogP = Float(log(0.5) - lt)
    }

    /// A pair entry's tag: an upper bound of `lp` on a grid of 1/8 (tag t ≤ 254 stands for −t/8 ≥ lp; 255 = −infinity,
    /// no such word). Coarse but safe: the bound only decides which candidates are scored exactly.
    static func boundTag(_ lp: Float) -> UInt8 {
        guard lp > -.infinity else { return 255 }
        var t = Int(min(254, max(0, (-Double(lp) * 8).rounded(.down))))
        while t > 0 && WordStatistics.longBound(UInt8(t)) < lp { t -= 1 }
        return UInt8(t)
    }
    @inline(__always) static func longBound(_ tag: UInt8) -> Float { tag == 255 ? -.infinity : -Float(tag) / 8 }

    /// Packs 1…4 BMP scalars; nil for longer words or astral scalars.
    @inline(__always) static func key(_ s: [UInt32]) -> UInt64? {
        guard !s.isEmpty, s.count <= maxWordLength else { return nil }
        var k: UInt64 = 0
        for c in s { guard c < 0x10000, c != 0 else { return nil }; k = k << 16 | UInt64(c) }
        return k
    }

    @inline(__always) static func key(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int) -> UInt64 {
        var k: UInt64 = 0
        for i in a..<b { k = k << 16 | UInt64(s[i] & 0xFFFF) }
        return k
    }

    /// Dictionary log-probability of a word, nil when absent.
    public func logProbability(_ word: String) -> Float? {
        guard let k = WordStatistics.key(word.unicodeScalars.map(\.value)) else { return nil }
        return entries[k]?.logP
    }

    func contains(_ k: UInt64) -> Bool { entries[k] != nil }
    @inline(__always) func hasPair(_ a: UInt32, _ b: UInt32) -> Bool { pairWord(a, b) != .infinity }
    /// +infinity when a, b occur next to each other inside no dictionary word; else the log-probability of the
    /// two-character word a b (−infinity when it is no word on its own).
    @inline(__always) func pairWord(_ a: UInt32, _ b: UInt32) -> Float { pairInfo(a, b).word }
    /// `pairWord` and an upper bound of the log-probability of any three- or four-character word containing a b
    /// (−infinity when none; meaningless when there is no pair).
    @inline(__always) func pairInfo(_ a: UInt32, _ b: UInt32) -> (word: Float, long: Float) {
        guard a < 0x10000 && b < 0x10000 else { return (.infinity, -.infinity) }
        let k = UInt64(a << 16 | b)
        guard mayHavePair(k), let e = pairs[k] else { return (.infinity, -.infinity) }
        return (e.logP, WordStatistics.longBound(e.tag))
    }
    @inline(__always) static func pairBit(_ k: UInt64) -> Int { Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) &>> (64 - pairFilterBits)) }
    /// False only when the pair key (a << 16 | b) occurs inside no dictionary word.
    @inline(__always) func mayHavePair(_ k: UInt64) -> Bool {
        guard !pairFilter.isEmpty else { return false }
        let h = WordStatistics.pairBit(k)
        return pairFilter[h >> 6] & (1 << UInt64(h & 63)) != 0
    }
    func entry(_ k: UInt64) -> Entry? { entries[k] }
    func charFrequency(_ c: UInt32) -> Int { Int(charFreq[c] ?? 0) }
    func tag(_ k: UInt64) -> String { tagNames[Int(entries[k]?.tag ?? 0)] }

    /// The max-probability DP over `s[a..<b]` (single characters always allowed): fills `best[0...n]` and, when
    /// given, `from[j]` = start of the last word of the best path to j. One loop for scoring and segmenting.
    @inline(__always)
    func bestPath(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ n: Int, _ best: UnsafeMutableBufferPointer<Float>,
                          _ from: UnsafeMutableBufferPointer<Int>?, memo: TypoMemo? = nil) {
        best[0] = 0
        // each adjacent pair's filter bit once (the loop below asks for a pair up to four times: as a two-, three- and
        // four-character word's left pair, and again in `pairWord`)
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: max(1, n)) { may in
            for k in 0..<max(0, n - 1) { may[k] = mayHavePair(UInt64(s[a + k] & 0xFFFF) << 16 | UInt64(s[a + k + 1] & 0xFFFF)) }
            var j = 1  // a while loop: `stride`'s iterator was not inlined and showed in the profile
            while j <= n {
                defer { j += 1 }
                var bj = -Float.greatestFiniteMagnitude, fj = j - 1
                for len in 1...min(WordStatistics.maxWordLength, j) {
                    let i = j - len
                    // a word exists only if each adjacent pair of it occurs inside a word; longer ones contain this pair too
                    if len >= 2 && !may[i] { break }
                    let lp: Float
                    let k = WordStatistics.key(s, a + i, a + j)
                    if len == 1 && !singleLogP.isEmpty {
                        let v = singleLogP[Int(k)]
                        lp = v != .infinity ? v : unknownLogP
                    } else if len == 2, let memo {
                        // the pair table answers two-character words (and memoises the pair for the lattices); the
                        // filter bit is set here, so this is `pairWord(k, memo)` without asking the filter again
                        let v = memo.pairs.value(k) { pairs[$0]?.logP ?? .infinity }
                        if v == .infinity { break }
                        if v == -.infinity { continue }
                        lp = v
                    } else if let memo {
                        let v = logP(k, memo)
                        if v != .infinity { lp = v } else if len == 1 { lp = unknownLogP } else { continue }
                    } else if let e = entries[k] { lp = e.logP } else if len == 1 { lp = unknownLogP } else { continue }
                    if best[i] + lp > bj { bj = best[i] + lp; fj = i }
                }
                best[j] = bj
                from?[j] = fj
            }
        }
    }

    /// Best segmentation of `s[a..<b]` as (start, end) word ranges (the best path of `bestPath`).
    func segment(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int, memo: TypoMemo? = nil) -> [(Int, Int)] {
        let n = b - a
        guard n > 0 else { return [] }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n + 1) { best in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n + 1) { from in
                bestPath(s, a, n, best, from, memo: memo)
                var count = 0, j = n
                while j > 0 { count += 1; j = from[j] }
                // the path is walked from its end: fill the result back to front (one allocation, no reversal copy)
                return [(Int, Int)](unsafeUninitializedCapacity: count) { out, initialized in
                    var k = count, j = n
                    while j > 0 { let i = from[j]; k -= 1; out[k] = (a + i, a + j); j = i }
                    initialized = count
                }
            }
        }
    }
}

extension WordStatistics {
    /// Whether a character is a single-character dictionary word (encoding detection).
    public func isKnownCharacter(_ c: UInt32) -> Bool { charFreq[c] != nil }
}
