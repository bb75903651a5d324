import Foundation

/// Folding applied to both the patterns and the scanned text.
public struct MatchFolding: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Case-insensitive (Latin, Greek, Cyrillic, full-width Latin).
    public static let caseInsensitive = MatchFolding(rawValue: 1)
    /// Full-width ASCII (Ａ１！) matches half-width (A1!); U+3000 matches a space.
    public static let width = MatchFolding(rawValue: 2)
    /// Traditional characters match their Simplified forms (character-level map from OpenCC t2s).
    public static let traditionalToSimplified = MatchFolding(rawValue: 4)
    /// Whitespace, punctuation, symbols and emoji between characters are ignored (法*轮 matches 法轮).
    public static let ignoreSymbols = MatchFolding(rawValue: 8)
    public static let all: MatchFolding = [.caseInsensitive, .width, .traditionalToSimplified, .ignoreSymbols]
}

public struct PatternMatch: Sendable, Hashable {
    /// Index of the pattern in the array given to the matcher.
    public var pattern: Int
    /// Start offset in Unicode scalars of the scanned text.
    public var start: Int
    /// End offset (exclusive) in Unicode scalars.
    public var end: Int
}

/// Aho–Corasick automaton over folded Unicode scalars for large lexicons (100,000+ terms).
/// Reports every occurrence (overlapping ones included) with scalar offsets into the original text,
/// so skipped symbols inside a match are covered by its range. Immutable and `Sendable` once built.
public final class PatternMatcher: Sendable {
    static let ignore: UInt32 = 0xFFFF_FFFF
    public let patternCount: Int
    public let folding: MatchFolding
    let charMap: [UInt32]            // BMP scalar -> code (0: absent, ignore: skip)
    let astralMap: [UInt32: UInt32]
    let root: [UInt32]               // code -> child | word bit
    let table: [UInt64]
    let shift: UInt64
    let mask: Int
    let fail: [UInt32]
    let dictLink: [UInt32]           // nearest proper suffix state with output
    let firstPattern: [Int32]        // per node: first pattern index ending here (-1)
    let nextSame: [Int32]            // per pattern: next pattern with the same folded form (-1)
    let patternLength: [Int32]       // per node: depth (in codes)
    let ringSize: Int
    /// Whether Traditional→Simplified folding was actually available (needs OpenCC).
    public let traditionalFoldingActive: Bool

    /// Builds the automaton. Empty patterns (or patterns that fold to nothing) never match.
    /// Traditional→Simplified folding uses `openCC` (default: the shared instance); without OpenCC
    /// that folding is skipped (see `traditionalFoldingActive`).
    public init(patterns: [String], folding: MatchFolding = [], openCC: OpenCC? = nil) {
        self.patternCount = patterns.count
        self.folding = folding
        var fold = [UInt32](repeating: 0, count: 0x10000)
        for i in 0..<0x10000 { fold[i] = UInt32(i) }
        var tActive = false
        if folding.contains(.traditionalToSimplified), let map = PatternMatcher.t2sMap(openCC) {
            for (t, s) in map { fold[Int(t)] = s }
            tActive = true
        }
        traditionalFoldingActive = tActive
        if folding.contains(.width) {
            for c in 0xFF01...0xFF5E { fold[c] = fold[c - 0xFEE0] }
            fold[0x3000] = 0x20
        }
        if folding.contains(.caseInsensitive) {
            for c in 0..<0x0530 {
                let f = fold[c]
                let lower = String(Character(Unicode.Scalar(f)!)).lowercased().unicodeScalars
                if lower.count == 1 { fold[c] = lower.first!.value }
            }
            for c in 0xFF21...0xFF3A where !folding.contains(.width) { fold[c] = UInt32(c + 0x20) }
            if folding.contains(.width) { for c in 0xFF21...0xFF3A { fold[c] = UInt32(c - 0xFEE0 + 0x20) } }
        }
        let skip = folding.contains(.ignoreSymbols)
        @inline(__always) func folded(_ c: UInt32) -> UInt32? {
            if skip && PatternMatcher.isIgnorable(c) { return nil }
            if c < 0x10000 {
                let f = fold[Int(c)]
                if skip && PatternMatcher.isIgnorable(f) { return nil }
                return f
            }
            return c
        }
        var tb = TrieBuilder()
        var nodeFirst: [Int32] = [-1]
        var nextSame = [Int32](repeating: -1, count: patterns.count)
        var lastOf: [Int: Int] = [:]
        var maxLen = 1
        for (pi, p) in patterns.enumerated() {
            let f = p.unicodeScalars.compactMap { folded($0.value) }
            if f.isEmpty { continue }
            maxLen = max(maxLen, f.count)
            let node = tb.insert(f, isWord: true)
            if nodeFirst.count < tb.nodeCount { nodeFirst.append(contentsOf: repeatElement(-1, count: tb.nodeCount - nodeFirst.count)) }
            if nodeFirst[node] < 0 { nodeFirst[node] = Int32(pi) } else { nextSame[lastOf[node]!] = Int32(pi) }
            lastOf[node] = pi
        }
        if nodeFirst.count < tb.nodeCount { nodeFirst.append(contentsOf: repeatElement(-1, count: tb.nodeCount - nodeFirst.count)) }
        // character map for raw scalars
        var cmap = [UInt32](repeating: 0, count: 0x10000)
        for c in 0..<0x10000 {
            if let f = folded(UInt32(c)) {
                cmap[c] = f < 0x10000 ? tb.bmpCode[Int(f)] : (tb.astralCode[f] ?? 0)
            } else {
                cmap[c] = PatternMatcher.ignore
            }
        }
        charMap = cmap
        astralMap = tb.astralCode
        root = tb.root
        table = tb.table
        shift = UInt64(64 - tb.bits)
        mask = (1 << tb.bits) - 1
        firstPattern = nodeFirst
        self.nextSame = nextSame
        var r = 1
        while r < maxLen + 1 { r <<= 1 }
        ringSize = r
        // children lists (CSR) for BFS
        let n = tb.nodeCount
        var childCount = [Int32](repeating: 0, count: n + 1)
        var edges: [(parent: UInt32, code: UInt32, child: UInt32)] = []
        edges.reserveCapacity(n)
        for (code, rv) in tb.root.enumerated() where rv != 0 { edges.append((0, UInt32(code), rv & 0x7FFF_FFFF)) }
        for e in tb.table where e != 0 {
            edges.append((UInt32((e >> 21) & 0x1F_FFFF), UInt32(e & 0x1F_FFFF), UInt32((e >> 42) & 0x1F_FFFF)))
        }
        for e in edges { childCount[Int(e.parent) + 1] += 1 }
        for i in 0..<n { childCount[i + 1] += childCount[i] }
        var fill = childCount
        var kids = [(code: UInt32, child: UInt32)](repeating: (0, 0), count: edges.count)
        for e in edges { kids[Int(fill[Int(e.parent)])] = (e.code, e.child); fill[Int(e.parent)] += 1 }
        var failA = [UInt32](repeating: 0, count: n)
        var dict = [UInt32](repeating: 0, count: n)
        var depth = [Int32](repeating: 0, count: n)
        var queue: [UInt32] = [0]
        queue.reserveCapacity(n)
        var qi = 0
        let rootA = tb.root, tableA = tb.table, sh = UInt64(64 - tb.bits), mk = (1 << tb.bits) - 1
        func go(_ s: UInt32, _ c: UInt32) -> UInt32 {
            if s == 0 { return rootA[Int(c)] & 0x7FFF_FFFF }
            let key = UInt64(s) << 21 | UInt64(c)
            var h = Int((key &* hashMul) >> sh)
            while true {
                let e = tableA[h]
                if e == 0 { return 0 }
                if e & edgeKeyMask == key { return UInt32((e >> 42) & 0x1F_FFFF) }
                h = (h + 1) & mk
            }
        }
        while qi < queue.count {
            let u = queue[qi]; qi += 1
            for k in Int(childCount[Int(u)])..<Int(childCount[Int(u) + 1]) {
                let (c, v) = kids[k]
                depth[Int(v)] = depth[Int(u)] + 1
                if u == 0 {
                    failA[Int(v)] = 0
                } else {
                    var f = failA[Int(u)]
                    while true {
                        let g = go(f, c)
                        if g != 0 { failA[Int(v)] = g; break }
                        if f == 0 { failA[Int(v)] = 0; break }
                        f = failA[Int(f)]
                    }
                }
                let fv = failA[Int(v)]
                dict[Int(v)] = nodeFirst[Int(fv)] >= 0 ? fv : dict[Int(fv)]
                queue.append(v)
            }
        }
        fail = failA
        dictLink = dict
        patternLength = depth
    }

    static func isIgnorable(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return !(CharClass.isAlnum(c))
        }
        switch c {
        case 0x80...0xBF, 0xD7, 0xF7: return true
        case 0x2000...0x206F, 0x20A0...0x20CF, 0x2100...0x27BF, 0x2900...0x2BFF: return true
        case 0x3000...0x3003, 0x3008...0x3020, 0x3030, 0x303D, 0x30FB: return true
        case 0xFE10...0xFE1F, 0xFE30...0xFE4F, 0xFE50...0xFE6F, 0xFEFF: return true
        case 0xFF01...0xFF0F, 0xFF1A...0xFF20, 0xFF3B...0xFF40, 0xFF5B...0xFF65, 0xFFE0...0xFFEE, 0xFFFC, 0xFFFD: return true
        case 0xFE00...0xFE0F, 0x200B...0x200F: return true
        case 0x1F000...0x1FAFF, 0xE0000...0xE007F: return true
        default: return false
        }
    }

    // nonisolated(unsafe) is safe: only read and written while holding t2sLock.
    nonisolated(unsafe) private static var t2sCache: [UInt32: UInt32]?
    private static let t2sLock = NSLock()

    /// Character-level Traditional→Simplified map from OpenCC's t2s configuration (built once).
    static func t2sMap(_ cc: OpenCC?) -> [UInt32: UInt32]? {
        t2sLock.lock(); defer { t2sLock.unlock() }
        if let m = t2sCache { return m }
        guard let cc = cc ?? (try? OpenCC.shared.get()) else { return nil }
        var chars: [UInt32] = []
        for r in [0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF] { chars.append(contentsOf: r.map { UInt32($0) }) }
        var input = String.UnicodeScalarView()
        for c in chars { input.append(Unicode.Scalar(c)!); input.append("\n") }
        guard let out = try? cc.convert(String(input), config: "t2s") else { return nil }
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= chars.count else { return nil }
        var map: [UInt32: UInt32] = [:]
        for (i, c) in chars.enumerated() {
            let u = lines[i].unicodeScalars
            if u.count == 1, let s = u.first?.value, s != c { map[c] = s }
        }
        t2sCache = map
        return map
    }

    @inline(__always) func goto(_ s: UInt32, _ c: UInt32, _ rootP: UnsafePointer<UInt32>, _ tab: UnsafePointer<UInt64>) -> UInt32 {
        if s == 0 { return rootP[Int(c)] & 0x7FFF_FFFF }
        let key = UInt64(s) << 21 | UInt64(c)
        var h = Int((key &* hashMul) >> shift)
        while true {
            let e = tab[h]
            if e == 0 { return 0 }
            if e & edgeKeyMask == key { return UInt32(truncatingIfNeeded: (e >> 42) & 0x1F_FFFF) }
            h = (h &+ 1) & mask
        }
    }

    /// Scans UTF-8 bytes (invalid sequences count as one U+FFFD each) and calls `report` for every
    /// match with scalar offsets. The fastest entry point: no String is created.
    public func scan(utf8 bytes: UnsafeBufferPointer<UInt8>, _ report: (PatternMatch) -> Void) {
        guard let p = bytes.baseAddress, !bytes.isEmpty else { return }
        let n = bytes.count
        var ring = [Int](repeating: 0, count: ringSize)
        let rmask = ringSize - 1
        charMap.withUnsafeBufferPointer { cm in
        root.withUnsafeBufferPointer { rootB in
        table.withUnsafeBufferPointer { tabB in
        fail.withUnsafeBufferPointer { failB in
        firstPattern.withUnsafeBufferPointer { firstB in
        dictLink.withUnsafeBufferPointer { dictB in
        ring.withUnsafeMutableBufferPointer { ringB in
            let rootP = rootB.baseAddress!, tab = tabB.baseAddress!
            var state: UInt32 = 0
            var pos = 0        // scalar offset of the current character
            var k = 0          // count of non-ignored characters
            var i = 0
            while i < n {
                let b0 = p[i]
                var c: UInt32
                if b0 < 0x80 {
                    c = UInt32(b0); i += 1
                } else if b0 >= 0xE0 && b0 <= 0xEF && i + 2 < n && p[i + 1] & 0xC0 == 0x80 && p[i + 2] & 0xC0 == 0x80 {
                    c = UInt32(b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F)
                    if c < 0x800 || (c >= 0xD800 && c <= 0xDFFF) { c = 0xFFFD; i += 1 } else { i += 3 }
                } else {
                    // rare path: decode one scalar with full validation
                    var tmp: [UInt32] = []
                    let len = PatternMatcher.sequenceLength(p, i, n)
                    UTF8Scalars.decode(UnsafeBufferPointer(start: p + i, count: len), into: &tmp)
                    c = tmp.first ?? 0xFFFD
                    i += len
                }
                let code: UInt32 = c < 0x10000 ? cm[Int(c)] : (astralMap[c] ?? (folding.contains(.ignoreSymbols) && PatternMatcher.isIgnorable(c) ? PatternMatcher.ignore : 0))
                if code == PatternMatcher.ignore { pos += 1; continue }
                ringB[k & rmask] = pos
                k += 1
                if code == 0 { state = 0; pos += 1; continue }
                while true {
                    let g = goto(state, code, rootP, tab)
                    if g != 0 { state = g; break }
                    if state == 0 { break }
                    state = failB[Int(state)]
                }
                if state != 0 {
                    var o = firstB[Int(state)] >= 0 ? state : dictB[Int(state)]
                    while o != 0 {
                        let len = Int(patternLength[Int(o)])
                        let start = ringB[(k - len) & rmask]
                        var pi = firstB[Int(o)]
                        while pi >= 0 {
                            report(PatternMatch(pattern: Int(pi), start: start, end: pos + 1))
                            pi = nextSame[Int(pi)]
                        }
                        o = dictB[Int(o)]
                    }
                }
                pos += 1
            }
        }}}}}}}
    }

    /// Length of the (possibly invalid) UTF-8 sequence at i, as the decoder would consume it.
    static func sequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        let b0 = p[i]
        var need = 0
        if b0 >= 0xC2 && b0 <= 0xDF { need = 1 } else if b0 >= 0xE0 && b0 <= 0xEF { need = 2 } else if b0 >= 0xF0 && b0 <= 0xF4 { need = 3 } else { return 1 }
        var tmp: [UInt32] = []
        let len = min(n - i, need + 1)
        UTF8Scalars.decode(UnsafeBufferPointer(start: p + i, count: len), into: &tmp)
        if tmp.count == 1 { return len }
        // invalid: the decoder consumed a maximal subpart; find its length
        for l in 1...len {
            tmp.removeAll()
            UTF8Scalars.decode(UnsafeBufferPointer(start: p + i, count: l), into: &tmp)
            if tmp.count == 1 && (l == len || tmp[0] == 0xFFFD) {
                var t2: [UInt32] = []
                UTF8Scalars.decode(UnsafeBufferPointer(start: p + i, count: len), into: &t2)
                if t2.count > 1 { return l }
            }
        }
        return 1
    }

    public func matches(in text: String) -> [PatternMatch] {
        var out: [PatternMatch] = []
        var t = text
        t.withUTF8 { b in scan(utf8: b) { out.append($0) } }
        return out
    }

    /// Number of matches (benchmarks).
    public func countMatches(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var c = 0
        scan(utf8: bytes) { _ in c += 1 }
        return c
    }
}
