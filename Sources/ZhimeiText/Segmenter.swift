import Foundation

public enum SegmentMode: String, Sendable, CaseIterable {
    /// jieba's precise mode (`jieba.cut`).
    case precise
    /// jieba's search mode (`jieba.cut_for_search`): also emits the dictionary 2-grams and 3-grams of long words.
    case search
}

public struct SegmentOptions: Sendable, Equatable {
    public var mode: SegmentMode
    /// Use the HMM for runs of characters the dictionary does not cover (jieba's `HMM=True`).
    public var hmm: Bool
    /// Keep URLs, e-mail addresses, ISO-style dates (2024-05-01), times (12:30), grouped numbers
    /// (1,234,567) and IPv4 addresses whole. jieba would split them; turn off for strict jieba parity.
    public var keepWhole: Bool
    public init(mode: SegmentMode = .precise, hmm: Bool = true, keepWhole: Bool = true) {
        self.mode = mode; self.hmm = hmm; self.keepWhole = keepWhole
    }
}

/// A token with its position in Unicode scalars (code points) of the input.
public struct Token: Sendable, Hashable {
    public var text: String
    /// Offset of the first scalar (0-based, in Unicode scalars).
    public var start: Int
    /// Offset one past the last scalar.
    public var end: Int
    public init(text: String, start: Int, end: Int) { self.text = text; self.start = start; self.end = end }
}

/// Reusable working memory for segmentation. Not thread-safe: use one per thread/task.
///
/// The hot stored properties opt out of dynamic exclusivity checks (`@exclusivity(unchecked)`):
/// the scratch is only ever used by one thread at a time and never accessed re-entrantly, and the
/// checks (a runtime call per token push) were a fifth of the segmentation cost.
public final class SegmentScratch {
    @exclusivity(unchecked) var route: UnsafeMutablePointer<Double>
    @exclusivity(unchecked) var routeX: UnsafeMutablePointer<Int32>
    /// IDF index + 1 (`Lexicon.idfValues`) of the word of ≥ 2 characters chosen at each route
    /// position from the base dictionary; 0 otherwise.
    @exclusivity(unchecked) var routeIDF: UnsafeMutablePointer<UInt32>
    /// Character codes of the block being cut (looked up once per character, not once per DAG step).
    @exclusivity(unchecked) var codes: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) var back: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) var cap: Int
    /// Token boundaries as (start, end) pairs of scalar offsets.
    @exclusivity(unchecked) public private(set) var tokens: UnsafeMutablePointer<Int32>
    /// Per token: IDF index + 1 when the route chose a base-dictionary word of ≥ 2 characters, else 0.
    @exclusivity(unchecked) var tokenIDFs: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) var tokCap: Int
    @exclusivity(unchecked) public private(set) var tokenCount = 0
    /// SimHash features (SimHasher): hash and weight bit pattern per feature.
    @exclusivity(unchecked) var featureHash: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) var featureWeight: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) var featureCap: Int

    public init() {
        cap = 1024
        route = .allocate(capacity: cap + 1); routeX = .allocate(capacity: cap + 1)
        routeIDF = .allocate(capacity: cap + 1); codes = .allocate(capacity: cap + 1)
        back = .allocate(capacity: 4 * cap)
        tokCap = 4096
        tokens = .allocate(capacity: 2 * tokCap)
        tokenIDFs = .allocate(capacity: tokCap)
        featureCap = 1024
        featureHash = .allocate(capacity: featureCap); featureWeight = .allocate(capacity: featureCap)
    }
    deinit {
        route.deallocate(); routeX.deallocate(); routeIDF.deallocate(); codes.deallocate(); back.deallocate()
        tokens.deallocate(); tokenIDFs.deallocate(); featureHash.deallocate(); featureWeight.deallocate()
    }

    @inline(__always) func ensure(_ n: Int) {
        if n <= cap { return }
        grow(n)
    }
    @inline(never) func grow(_ n: Int) {
        var c = cap
        while c < n { c *= 2 }
        route.deallocate(); routeX.deallocate(); routeIDF.deallocate(); codes.deallocate(); back.deallocate()
        route = .allocate(capacity: c + 1); routeX = .allocate(capacity: c + 1)
        routeIDF = .allocate(capacity: c + 1); codes = .allocate(capacity: c + 1)
        back = .allocate(capacity: 4 * c)
        cap = c
    }
    @inline(__always) func ensureFeatures(_ n: Int) {
        if n <= featureCap { return }
        var c = featureCap
        while c < n { c *= 2 }
        featureHash.deallocate(); featureWeight.deallocate()
        featureHash = .allocate(capacity: c); featureWeight = .allocate(capacity: c)
        featureCap = c
    }
    @inline(__always) func push(_ a: Int, _ b: Int, idf: UInt32 = 0) {
        let i = tokenCount
        if i == tokCap { growTokens() }
        tokens[2 * i] = Int32(truncatingIfNeeded: a)
        tokens[2 * i + 1] = Int32(truncatingIfNeeded: b)
        tokenIDFs[i] = idf
        tokenCount = i + 1
    }
    @inline(never) func growTokens() {
        let n = UnsafeMutablePointer<Int32>.allocate(capacity: 4 * tokCap)
        n.update(from: tokens, count: 2 * tokenCount)
        tokens.deallocate(); tokens = n
        let m = UnsafeMutablePointer<UInt32>.allocate(capacity: 2 * tokCap)
        m.update(from: tokenIDFs, count: tokenCount)
        tokenIDFs.deallocate(); tokenIDFs = m
        tokCap *= 2
    }
    public func reset() { tokenCount = 0 }
    @inline(__always) public func tokenStart(_ i: Int) -> Int { Int(tokens[2 * i]) }
    @inline(__always) public func tokenEnd(_ i: Int) -> Int { Int(tokens[2 * i + 1]) }
    /// IDF index + 1 of token `i` (`Lexicon.idfValues`) when known from the dictionary route, else 0.
    @inline(__always) func tokenIDF(_ i: Int) -> UInt32 { tokenIDFs[i] }
}

/// jieba-compatible segmenter: the shared immutable `Lexicon` plus an optional `UserDictionary`
/// overlay. A cheap value: make one per tenant (or per request) and share it freely; it is `Sendable`.
public struct Segmenter: Sendable {
    public let lexicon: Lexicon
    public var userDictionary: UserDictionary
    public var options: SegmentOptions
    /// Runs of Han characters longer than this are cut into pieces of this size first
    /// (bounded memory; real text never has runs this long).
    public static let maxBlock = 1 << 16

    public init(lexicon: Lexicon, userDictionary: UserDictionary = UserDictionary(), options: SegmentOptions = SegmentOptions()) {
        self.lexicon = lexicon; self.userDictionary = userDictionary; self.options = options
    }

    // MARK: convenience API

    /// Segments text; returns the words in order, like `jieba.lcut` (whitespace tokens included,
    /// as jieba yields them).
    public func cut(_ text: String) -> [String] { tokenize(text).map(\.text) }

    public func cut(_ text: String, mode: SegmentMode, hmm: Bool = true) -> [String] {
        var s = self; s.options.mode = mode; s.options.hmm = hmm
        return s.cut(text)
    }

    /// Tokens with scalar offsets. In search mode sub-words come before the word that contains them.
    public func tokenize(_ text: String) -> [Token] {
        let scalars = UTF8Scalars.scalars(of: text)
        let scratch = SegmentScratch()
        return scalars.withUnsafeBufferPointer { b in
            segment(b, scratch: scratch)
            var out: [Token] = []
            out.reserveCapacity(scratch.tokenCount)
            for i in 0..<scratch.tokenCount {
                let a = scratch.tokenStart(i), e = scratch.tokenEnd(i)
                out.append(Token(text: UTF8Scalars.string(scalars, a, e), start: a, end: e))
            }
            return out
        }
    }

    /// Words with part-of-speech tags: the (user) dictionary's tag, else a tag derived from the
    /// token's shape ("m" numbers, "eng" Latin, "url", "email", "t" dates/times, "x" symbols and
    /// whitespace, "n" for unknown Han words found by the HMM).
    public func tag(_ text: String) -> [(word: String, tag: String)] {
        let scalars = UTF8Scalars.scalars(of: text)
        let scratch = SegmentScratch()
        return scalars.withUnsafeBufferPointer { b in
            segment(b, scratch: scratch)
            return (0..<scratch.tokenCount).map { i in
                let a = scratch.tokenStart(i), e = scratch.tokenEnd(i)
                return (UTF8Scalars.string(scalars, a, e), tag(scalars: b, start: a, end: e))
            }
        }
    }

    /// Tag of the token `b[start..<end]`.
    public func tag(scalars b: UnsafeBufferPointer<UInt32>, start a: Int, end e: Int) -> String {
        if !userDictionary.isEmpty, let u = userDictionary.entry(b, a, e), u.freq > 0 || u.tag != nil {
            if let t = u.tag { return t }
        }
        if let t = lexicon.tag(b, a, e) { return t }
        return shapeTag(b, a, e)
    }

    /// Dictionary frequency of a word as this segmenter sees it (user overlay first).
    public func frequency(of word: String) -> Int {
        let s = UTF8Scalars.scalars(of: word)
        return s.withUnsafeBufferPointer { wordFreq($0, 0, $0.count) }
    }

    /// This segmenter with someone's own words — a tenant's fact-base names, monitoring-scheme terms — cut whole, so
    /// that 金沙路下穿通道 gives 金沙路, not 金沙 and 路下. Words the dictionary already keeps whole are left alone (their
    /// tags stay the dictionary's); the others get jieba's suggested frequency and their tag. At most `limit` are added.
    public func addingWholeWords(_ words: [(word: String, tag: String)], limit: Int = 5_000) -> Segmenter {
        var copy = self
        var added = 0
        for (word, tag) in words where added < limit {
            let w = word.trimmingCharacters(in: .whitespaces)
            guard w.unicodeScalars.count >= 2, w.unicodeScalars.count <= 20, !w.contains(where: \.isWhitespace),
                  copy.cut(w, mode: .precise, hmm: false).count > 1 else { continue }
            copy.userDictionary.add(w, frequency: copy.suggestedFrequency(w), tag: tag)
            added += 1
        }
        return copy
    }

    /// jieba's `suggest_freq(word)`: the frequency that makes the word be cut out whole.
    public func suggestedFrequency(_ word: String) -> Int {
        let ftotal = Double(total)
        var f = 1.0
        var s = self; s.options.hmm = false; s.options.mode = .precise; s.options.keepWhole = false
        for seg in s.cut(word) {
            let sf = s.frequency(of: seg)
            f *= Double(sf == 0 ? 1 : sf) / ftotal
        }
        let own = frequency(of: word)
        return max(Int(f * Double(total)) + 1, own == 0 ? 1 : own)
    }

    var total: Int { Int(lexicon.total) + userDictionary.addedTotal }

    // MARK: core

    @inline(__always) func wordFreq(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int) -> Int {
        if !userDictionary.isEmpty, let u = userDictionary.entry(s, a, e) { return u.freq }
        guard let r = lexicon.trie.find(s, a, e), r & 0x8000_0000 != 0 else { return 0 }
        return Int(lexicon.freq[Int(r & 0x7FFF_FFFF)])
    }

    /// Segments `s` and appends token boundaries to `scratch` (call `scratch.reset()` to reuse).
    public func segment(_ s: UnsafeBufferPointer<UInt32>, scratch: SegmentScratch) {
        let n = s.count
        var i = 0
        var segStart = 0
        if options.keepWhole {
            while i < n {
                let c = s[i]
                if c < 0x80 && CharClass.isAlnum(c) && (i == 0 || !KeepWhole.isWordChar(s[i - 1])) {
                    let e = KeepWhole.match(s, i)
                    if e > i {
                        if segStart < i { segmentPlain(s, segStart, i, scratch) }
                        emitWord(s, i, e, scratch)
                        i = e; segStart = e
                        continue
                    }
                }
                i += 1
            }
        }
        if segStart < n { segmentPlain(s, segStart, n, scratch) }
    }

    @inline(__always) func emitWord(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, _ scratch: SegmentScratch, idf: UInt32 = 0) {
        if options.mode == .search {
            let len = e - a
            if len > 2 {
                for i in a..<(e - 1) where wordFreq(s, i, i + 2) > 0 { scratch.push(i, i + 2) }
            }
            if len > 3 {
                for i in a..<(e - 2) where wordFreq(s, i, i + 3) > 0 { scratch.push(i, i + 3) }
            }
        }
        scratch.push(a, e, idf: idf)
    }

    /// jieba's `cut`: split into re_han blocks and the rest.
    func segmentPlain(_ s: UnsafeBufferPointer<UInt32>, _ from: Int, _ to: Int, _ scratch: SegmentScratch) {
        var i = from
        while i < to {
            let c = s[i]
            if CharClass.isBlock(c) {
                var j = i + 1
                while j < to && CharClass.isBlock(s[j]) { j += 1 }
                var a = i
                while a < j {
                    let e = min(j, a + Segmenter.maxBlock)
                    cutBlock(s, a, e, scratch)
                    a = e
                }
                i = j
            } else if options.keepWhole && KeepWhole.isOtherLetter(c) {
                // words in other alphabets (Привет, Ελλάδα, é…) stay whole; jieba would split per character
                var j = i + 1
                while j < to && KeepWhole.isOtherLetter(s[j]) { j += 1 }
                scratch.push(i, j); i = j
            } else if options.keepWhole && KeepWhole.isEmoji(c) {
                // an emoji with its modifiers, variation selectors and ZWJ sequence is one token
                var j = i + 1
                while j < to {
                    let d = s[j]
                    if KeepWhole.isEmojiModifier(d) { j += 1; continue }
                    if s[j - 1] == 0x200D && KeepWhole.isEmoji(d) { j += 1; continue }
                    break
                }
                scratch.push(i, j); i = j
            } else {
                if c == 13 && i + 1 < to && s[i + 1] == 10 { scratch.push(i, i + 2); i += 2 } else { scratch.push(i, i + 1); i += 1 }
            }
        }
    }

    /// Fills scratch.route / routeX / routeIDF for s[a..<e] (jieba's get_DAG + calc).
    func calcRoute(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, _ scratch: SegmentScratch) {
        let n = e - a
        scratch.ensure(n)
        let route = scratch.route, routeX = scratch.routeX, routeIDF = scratch.routeIDF
        let trie = lexicon.trie
        let logFreq = lexicon.logFreq
        route[n] = 0
        routeX[n] = 0
        if userDictionary.isEmpty {
            let logTotal = lexicon.logTotal
            // character codes once per block (code 0: not in the dictionary; root[0] == 0)
            let codes = scratch.codes
            for k in 0..<n { codes[k] = trie.code(s[a + k]) }
            let rootP = trie.root, rootLF = trie.rootLogFreq, table = trie.table, shift = trie.shift, mask = trie.mask
            let logValues = lexicon.logValues
            let filter = trie.filter, filterShift = trie.filterShift
            // jieba's DAG and route, right to left
            var idx = n - 1
            while idx >= 0 {
                var best = -Double.infinity
                var bestX = -1
                var bestIDF: UInt32 = 0
                let c0 = Int(codes[idx])
                let r = rootP[c0]
                if r != 0 {
                    var node = r & 0x7FFF_FFFF
                    if r & 0x8000_0000 != 0 {
                        best = (rootLF[c0] - logTotal) + route[idx &+ 1]; bestX = idx
                    }
                    var k = idx &+ 1
                    while k < n {
                        let c = codes[k]
                        if c == 0 { break }
                        let key = UInt64(node) &<< 21 | UInt64(c)
                        // most walks end here: the small edge filter says so without touching the table
                        let (fw, fm) = filterProbe(key, filterShift)
                        if filter[fw] & fm != fm { break }
                        // child(node, c): one multiply-shift probe into the edge table
                        var h = Int(truncatingIfNeeded: (key &* hashMul) &>> shift)
                        var en = table[2 &* h]
                        while en != 0 && en & edgeKeyMask != key {
                            h = (h &+ 1) & mask
                            en = table[2 &* h]
                        }
                        if en == 0 { break }
                        node = UInt32(truncatingIfNeeded: (en &>> 42) & 0x1F_FFFF)
                        if en & (1 << 63) != 0 {
                            let info = table[2 &* h &+ 1]
                            let v = (logValues[Int(truncatingIfNeeded: info & 0xFFFF_FFFF)] - logTotal) + route[k &+ 1]
                            if v >= best { best = v; bestX = k; bestIDF = UInt32(truncatingIfNeeded: info &>> 32) &+ 1 }
                        }
                        k &+= 1
                    }
                }
                if bestX < 0 { best = (0 - logTotal) + route[idx &+ 1]; bestX = idx }
                route[idx] = best
                routeX[idx] = Int32(truncatingIfNeeded: bestX)
                routeIDF[idx] = bestIDF
                idx &-= 1
            }
        } else {
            let ud = userDictionary
            let logTotal = Foundation.log(Double(total))
            var idx = n - 1
            while idx >= 0 {
                var bnode: UInt32 = 0, balive = true
                var unode: Int32 = 0, ualive = true
                var best = -Double.infinity
                var bestX = -1
                var k = idx
                while k < n {
                    let c = s[a + k]
                    var bword = false
                    if balive {
                        let r = trie.child(bnode, trie.code(c))
                        if r == 0 { balive = false } else { bnode = r & 0x7FFF_FFFF; bword = r & 0x8000_0000 != 0 }
                    }
                    if ualive {
                        if let u = ud.child(unode, c) { unode = u } else { ualive = false }
                    }
                    if !balive && !ualive { break }
                    var lf: Double? = nil
                    if ualive && ud.nodeFreq[Int(unode)] >= 0 {
                        if ud.nodeFreq[Int(unode)] > 0 { lf = ud.nodeLogFreq[Int(unode)] }
                    } else if balive && bword {
                        lf = logFreq[Int(bnode)]
                    }
                    if let lf {
                        let v = (lf - logTotal) + route[k + 1]
                        if v >= best { best = v; bestX = k }
                    }
                    k += 1
                }
                if bestX < 0 { best = (0 - logTotal) + route[idx + 1]; bestX = idx }
                route[idx] = best
                routeX[idx] = Int32(truncatingIfNeeded: bestX)
                routeIDF[idx] = 0  // user-dictionary path: SimHash looks IDFs up by hash
                idx -= 1
            }
        }
    }

    func cutBlock(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, _ scratch: SegmentScratch) {
        calcRoute(s, a, e, scratch)
        let n = e - a
        var x = 0
        var bufStart = -1
        if options.hmm {
            while x < n {
                let y = Int(scratch.routeX[x]) + 1
                if y - x == 1 {
                    if bufStart < 0 { bufStart = x }
                } else {
                    if bufStart >= 0 { flushBuffer(s, a + bufStart, a + x, scratch); bufStart = -1 }
                    emitWord(s, a + x, a + y, scratch, idf: scratch.routeIDF[x])
                }
                x = y
            }
            if bufStart >= 0 { flushBuffer(s, a + bufStart, a + n, scratch) }
        } else {
            while x < n {
                let y = Int(scratch.routeX[x]) + 1
                if y - x == 1 && CharClass.isAlnum(s[a + x]) {
                    if bufStart < 0 { bufStart = x }
                } else {
                    if bufStart >= 0 { emitWord(s, a + bufStart, a + x, scratch); bufStart = -1 }
                    emitWord(s, a + x, a + y, scratch, idf: scratch.routeIDF[x])
                }
                x = y
            }
            if bufStart >= 0 { emitWord(s, a + bufStart, a + n, scratch) }
        }
    }

    /// A run of single-character route steps (jieba's `buf`).
    @inline(__always)
    func flushBuffer(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, _ scratch: SegmentScratch) {
        if e - a == 1 { emitWord(s, a, e, scratch); return }
        if wordFreq(s, a, e) > 0 {
            for i in a..<e { emitWord(s, i, i + 1, scratch) }
            return
        }
        finalseg(s, a, e, scratch)
    }

    /// jieba's finalseg.cut: HMM on Han runs, `[a-zA-Z0-9]+(?:\.\d+)?%?` on the rest.
    func finalseg(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, _ scratch: SegmentScratch) {
        var i = a
        while i < e {
            if CharClass.isHan(s[i]) {
                var j = i + 1
                while j < e && CharClass.isHan(s[j]) { j += 1 }
                viterbi(s, i, j, scratch)
                i = j
            } else {
                var j = i + 1
                while j < e && !CharClass.isHan(s[j]) { j += 1 }
                var p = i, gap = i
                while p < j {
                    if CharClass.isAlnum(s[p]) {
                        var q = p + 1
                        while q < j && CharClass.isAlnum(s[q]) { q += 1 }
                        if q + 1 < j && s[q] == 0x2E && CharClass.isDigit(s[q + 1]) {
                            q += 2
                            while q < j && CharClass.isDigit(s[q]) { q += 1 }
                        }
                        if q < j && s[q] == 0x25 { q += 1 }
                        if gap < p { emitWord(s, gap, p, scratch) }
                        emitWord(s, p, q, scratch)
                        p = q; gap = q
                    } else {
                        p += 1
                    }
                }
                if gap < j { emitWord(s, gap, j, scratch) }
                i = j
            }
        }
    }

    /// jieba's finalseg viterbi over states B, M, E, S (0...3), with its tie-breaking
    /// (Python's max over (prob, state) tuples prefers the larger state letter: S > M > E > B).
    func viterbi(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, _ scratch: SegmentScratch) {
        let n = e - a
        let lex = lexicon
        let st = lex.hmmStart, tr = lex.hmmTrans, rows = lex.emitRows, idx = lex.emitIndex
        let back = scratch.back
        var row = Int(idx[Int(s[a])]) * 4
        var vB = st[0] + rows[row], vM = st[1] + rows[row + 1], vE = st[2] + rows[row + 2], vS = st[3] + rows[row + 3]
        let tEB = tr[2 * 4 + 0], tSB = tr[3 * 4 + 0]
        let tMM = tr[1 * 4 + 1], tBM = tr[0 * 4 + 1]
        let tSS = tr[3 * 4 + 3], tES = tr[2 * 4 + 3]
        let tBE = tr[0 * 4 + 2], tME = tr[1 * 4 + 2]
        var t = 1
        while t < n {
            row = Int(idx[Int(s[a + t])]) * 4
            let eB = rows[row], eM = rows[row + 1], eE = rows[row + 2], eS = rows[row + 3]
            // B <- E | S   (tie: S)
            let b1 = (vE + tEB) + eB, b2 = (vS + tSB) + eB
            let nB: Double, pB: UInt8
            if b2 >= b1 { nB = b2; pB = 3 } else { nB = b1; pB = 2 }
            // M <- M | B   (tie: M)
            let m1 = (vM + tMM) + eM, m2 = (vB + tBM) + eM
            let nM: Double, pM: UInt8
            if m1 >= m2 { nM = m1; pM = 1 } else { nM = m2; pM = 0 }
            // E <- B | M   (tie: M)
            let e1 = (vB + tBE) + eE, e2 = (vM + tME) + eE
            let nE: Double, pE: UInt8
            if e2 >= e1 { nE = e2; pE = 1 } else { nE = e1; pE = 0 }
            // S <- S | E   (tie: S)
            let s1 = (vS + tSS) + eS, s2 = (vE + tES) + eS
            let nS: Double, pS: UInt8
            if s1 >= s2 { nS = s1; pS = 3 } else { nS = s2; pS = 2 }
            back[4 * t] = pB; back[4 * t + 1] = pM; back[4 * t + 2] = pE; back[4 * t + 3] = pS
            vB = nB; vM = nM; vE = nE; vS = nS
            t += 1
        }
        var state: UInt8 = vS >= vE ? 3 : 2
        // Backtrack into back[4*t] slot 0..: reuse the first byte of each row for the path.
        // The path overwrites slot 0 of each row once that row has been read.
        var k = n - 1
        while k > 0 {
            let prev = back[4 * k + Int(state)]
            back[4 * k] = state
            state = prev
            k -= 1
        }
        back[0] = state
        let forceSplit = userDictionary.hasZeroFreq
        var begin = 0, next = 0
        for i in 0..<n {
            switch back[4 * i] {
            case 0: begin = i
            case 2:
                hmmWord(s, a + begin, a + i + 1, forceSplit, scratch); next = i + 1
            case 3:
                hmmWord(s, a + i, a + i + 1, forceSplit, scratch); next = i + 1
            default: break
            }
        }
        if next < n { hmmWord(s, a + next, a + n, forceSplit, scratch) }
    }

    @inline(__always)
    func hmmWord(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int, _ forceSplit: Bool, _ scratch: SegmentScratch) {
        if forceSplit, e - a > 1, let u = userDictionary.entry(s, a, e), u.freq == 0 {
            for i in a..<e { emitWord(s, i, i + 1, scratch) }
            return
        }
        emitWord(s, a, e, scratch)
    }
}

func shapeTag(_ b: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int) -> String {
    var digits = 0, alpha = 0, han = 0, space = 0, other = 0
    var hasAt = false, hasColon = false, hasSlash = false
    for i in a..<e {
        let c = b[i]
        if CharClass.isDigit(c) { digits += 1 }
        else if CharClass.isAlpha(c) { alpha += 1 }
        else if CharClass.isHan(c) { han += 1 }
        else if CharClass.isSpace(c) { space += 1 }
        else {
            other += 1
            if c == 0x40 { hasAt = true } else if c == 0x3A { hasColon = true } else if c == 0x2F { hasSlash = true }
        }
    }
    let n = e - a
    if han > 0 { return "n" }
    if hasAt && alpha > 0 { return "email" }
    if hasColon && hasSlash || (alpha > 0 && n > 4 && hasSlash) { return "url" }
    if digits > 0 && alpha == 0 && (hasColon || (other > 0 && digits >= 6)) { return "t" }
    if digits > 0 && alpha == 0 { return "m" }
    if alpha > 0 { return "eng" }
    return "x"
}

