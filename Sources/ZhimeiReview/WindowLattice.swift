import Foundation

/// The unigram word lattice of one short window (confusion search and real-word pass): the dictionary log-probability of every
/// word s[j−len..<j] (len 1…4), looked up once per window. Trying a replacement at position q then re-looks-up only
/// the words that cover q — and only those whose adjacent character pairs all occur inside dictionary words — and
/// reruns the DP from q + 1. The DP makes the same additions and comparisons in the same order as
/// `WordStatistics.bestPath`, so scores are identical to the last bit (GoldenFindingsTests).
struct WindowLattice {
    static let width = WordStatistics.maxWordLength
    /// `logP[j * WindowLattice.width + len − 1]`: the word ending at j of length len; −infinity = not a word (len ≥ 2).
    private var logP: [Float]
    /// `pairOK[k]`: s[k], s[k + 1] occur next to each other inside some dictionary word (of the original window).
    private var pairOK: [Bool]
    /// `pairWordLogP[k]`: log-probability of the two-character word s[k] s[k + 1] (from the pair look-up; −infinity = none).
    private var pairWordLogP: [Float]
    /// The DP: best[j] = best path score of the first j characters; from[j] = start of the last word of that path.
    private var best: [Float]
    private var from: [Int]
    /// `from` of the loaded (original) window: a candidate at q leaves from[0...q] as it was.
    private var baseFrom: [Int]
    /// Language-model state (running total, last word) after the original window's best path to j, when `lmKnown[j]`.
    private var lmTotal: [Float]
    private var lmPrev: [Int32]
    private var lmKnown: [Bool]
    private var cuts: [Int], tail: [Int]
    private(set) var n = 0
    /// Memoised look-ups (windows overlap: most of a window's words were looked up for the previous one).
    let memo: TypoMemo

    init(capacity: Int, memo: TypoMemo) {
        self.memo = memo
        logP = [Float](repeating: 0, count: (capacity + 1) * WindowLattice.width)
        let positions = capacity + 1
        pairOK = [Bool](repeating: false, count: positions)
        pairWordLogP = [Float](repeating: 0, count: positions)
        best = [Float](repeating: 0, count: positions)
        from = [Int](repeating: 0, count: positions)
        baseFrom = [Int](repeating: 0, count: positions)
        lmTotal = [Float](repeating: 0, count: positions)
        lmPrev = [Int32](repeating: -1, count: positions)
        lmKnown = [Bool](repeating: false, count: positions)
        cuts = [Int](repeating: 0, count: positions)
        tail = [Int](repeating: 0, count: positions)
    }

    @inline(__always) private func lookup(_ words: WordStatistics, _ t: UnsafeBufferPointer<UInt32>, _ i: Int, _ j: Int) -> Float {
        let v = words.logP(WordStatistics.key(t, i, j), memo)
        if v != .infinity { return v }
        return j - i == 1 ? words.unknownLogP : -Float.infinity
    }

    /// Fills the lattice of `t[0..<n]` and returns its best-path score (== `bestPath`'s `best[n]`).
    mutating func load(_ words: WordStatistics, _ t: UnsafeBufferPointer<UInt32>, _ n: Int) -> Float {
        self.n = n
        for k in 0..<max(0, n - 1) {
            let v = words.pairWord(t[k], t[k + 1], memo)
            pairOK[k] = v != .infinity
            pairWordLogP[k] = v
        }
        var j = 1  // while loops: `stride`'s iterator was not inlined and showed in the profile
        while j <= n {
            for len in 1...min(WindowLattice.width, j) {
                // a word exists only if each of its adjacent pairs occurs inside a word; longer ones contain this pair too
                if len >= 2 && !pairOK[j - len] { for l in len...min(WindowLattice.width, j) { logP[j * WindowLattice.width + l - 1] = -Float.infinity }; break }
                logP[j * WindowLattice.width + len - 1] = len == 2 ? pairWordLogP[j - 2] : lookup(words, t, j - len, j)
            }
            j += 1
        }
        let score = run(from: 1)
        for j in 0...n { baseFrom[j] = from[j]; lmKnown[j] = false }
        lmKnown[0] = true; lmTotal[0] = 0; lmPrev[0] = -1
        return score
    }

    /// Best-path score with `t[q]` replaced (t must hold the replacement at q and the original window elsewhere);
    /// `left`/`right`: `WordStatistics.pairWord` of the replacement with t[q − 1] / t[q + 1] (+infinity = no pair),
    /// which also gives the two-character words covering q without another look-up.
    mutating func score(_ words: WordStatistics, _ t: UnsafeBufferPointer<UInt32>, _ q: Int, left leftWord: Float, right rightWord: Float) -> Float {
        fill(words, t, q, leftWord, rightWord, nil)
        return run(from: q + 1)
    }

    /// An upper bound of `score(…)` that looks up no word: the three- and four-character words covering q get the
    /// bound of their pair through q (`WordStatistics.pairInfo`'s `long`) instead of their value. The DP only adds
    /// and takes maxima, so larger word scores never give a smaller result. `exact`: no bound was needed, the
    /// lattice is then exactly as `score` leaves it. (The confusion search skips a candidate whose bound already
    /// fails its pre-filter: most do, and their long-word look-ups were the remaining cache misses.)
    mutating func upperBound(_ words: WordStatistics, _ t: UnsafeBufferPointer<UInt32>, _ q: Int, left leftWord: Float, right rightWord: Float,
                             leftLong: Float, rightLong: Float) -> (value: Float, exact: Bool) {
        let exact = fill(words, t, q, leftWord, rightWord, (leftLong, rightLong))
        return (run(from: q + 1), exact)
    }

    /// The words covering q (with `bounds`: three- and four-character ones bounded, not looked up); returns whether
    /// no bound was used.
    @discardableResult @inline(__always)
    private mutating func fill(_ words: WordStatistics, _ t: UnsafeBufferPointer<UInt32>, _ q: Int, _ leftWord: Float, _ rightWord: Float,
                               _ bounds: (Float, Float)?) -> Bool {
        let left = leftWord != .infinity, right = rightWord != .infinity
        var exact = true
        var j = q + 1
        let last = min(n, q + WindowLattice.width)
        while j <= last {
            defer { j += 1 }
            var ok = true  // all pairs of t[j−len..<j] so far (growing to the left)
            for len in (j - q)...min(WindowLattice.width, j) {
                let i = j - len
                // pairs inside t[i..<j] not yet checked: the ones from the new left end, and on first entry those right of q
                if len == j - q {
                    // t[q..<j]: the pair at q (if j > q + 1) uses the replacement, the rest are original
                    if j > q + 1 && !right { ok = false }
                    if ok && j > q + 2 { for k in (q + 1)..<(j - 1) where !pairOK[k] { ok = false; break } }
                } else {
                    // the new left pair (i, i + 1): i + 1 == q uses the replacement
                    if i + 1 == q ? !left : !pairOK[i] { ok = false }
                }
                // the two-character words covering q are t[q − 1] t[q] (needs `left`) and t[q] t[q + 1] (needs `right`)
                let v: Float
                if len == 1 { v = lookup(words, t, i, j) } else if !ok { v = -Float.infinity } else if len == 2 { v = i + 1 == q ? leftWord : rightWord }
                else if let (leftLong, rightLong) = bounds {
                    // t[i..<j] contains the pair (q − 1, q) when i < q and (q, q + 1) when j > q + 1: each bounds it
                    v = i < q && j > q + 1 ? min(leftLong, rightLong) : i < q ? leftLong : rightLong
                    exact = false
                } else { v = lookup(words, t, i, j) }
                logP[j * WindowLattice.width + len - 1] = v
            }
        }
        return exact
    }

    /// The DP from position j0 on (best[0..<j0] valid), with bestPath's arithmetic and tie-breaking.
    @inline(__always) private mutating func run(from j0: Int) -> Float {
        guard n > 0 else { return 0 }
        best[0] = 0
        var j = j0
        while j <= n {
            var bj = -Float.greatestFiniteMagnitude, fj = j - 1
            for len in 1...min(WindowLattice.width, j) {
                let lp = logP[j * WindowLattice.width + len - 1]
                if lp == -Float.infinity { continue }
                let i = j - len
                if best[i] + lp > bj { bj = best[i] + lp; fj = i }
            }
            best[j] = bj
            from[j] = fj
            j += 1
        }
        return best[n]
    }

    /// Language-model score of the current best path (after `load`, without `q`: the original window's; after
    /// `score(…, q, …)`, with the same `q`: the candidate's) — the same `scoreWord` additions in the same order as `WordStatistics.scores`, but the
    /// path's prefix up to its last cut ≤ q is the original window's, so its running total is reused.
    mutating func lmScore(_ lm: LanguageModel, _ t: UnsafeBufferPointer<UInt32>, q: Int? = nil) -> Float {
        guard n > 0 else { return 0 }
        var m = 0, j = n
        if let q { while j > q { tail[m] = j; m += 1; j = from[j] } }
        var total = baseState(lm, t, j), prev = lmPrev[j]
        while m > 0 {
            m -= 1
            let end = tail[m]
            lm.scoreWord(t, j, end, &prev, &total, memo)
            j = end
        }
        return total
    }

    /// The running total after the original window's best path to j (memoised; fills `lmPrev[j]`). The words of that
    /// path end at or before j, so a replacement after j does not change them.
    private mutating func baseState(_ lm: LanguageModel, _ t: UnsafeBufferPointer<UInt32>, _ j: Int) -> Float {
        if lmKnown[j] { return lmTotal[j] }
        var m = 0, k = j
        while !lmKnown[k] { cuts[m] = k; m += 1; k = baseFrom[k] }
        var total = lmTotal[k], prev = lmPrev[k]
        while m > 0 {
            m -= 1
            let end = cuts[m]
            lm.scoreWord(t, k, end, &prev, &total, memo)
            k = end
            lmTotal[k] = total; lmPrev[k] = prev; lmKnown[k] = true
        }
        return total
    }
}
