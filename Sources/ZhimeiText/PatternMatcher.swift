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
    let root: [UInt32]               // code -> child | has-output bit (31)
    /// 16-byte slots, same positions as the builder's edge table: [parent<<21|code | child<<42 |
    /// has-output<<63, fail(child) | fail(fail(child))<<21]. A transition and the failure links the
    /// next mismatch needs arrive in one cache line. Huge-page backed (see `Blob.allocate`).
    let slots: HugeBuffer
    /// Flattened outputs: for each state with output, (pattern, length in codes) pairs for every pattern
    /// ending there or at its dictionary suffixes, in report order, then -1. `outputStart[state]` is
    /// its offset (-1: none); slots also carry offset + 1 in bits 42... of their second word.
    let outputs: [Int32]
    let outputStart: [Int32]
    /// Edge filter (see `filterProbe`): most mismatches are settled here without probing `slots`.
    let edgeFilter: [UInt64]
    let filterShift: UInt64
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
        // the scan's slot table is rebuilt below at load ≤ 0.7 (the builder's table grows at 0.6 and
        // can be as sparse as 0.3); the edge filter keeps the longer unsuccessful probes rare
        var slotBits = 4
        while (1 << slotBits) * 7 < tb.edges * 10 { slotBits += 1 }
        shift = UInt64(64 - slotBits)
        mask = (1 << slotBits) - 1
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
        // flattened output lists
        var outs: [Int32] = []
        var outStart = [Int32](repeating: -1, count: n)
        for v in 0..<n where nodeFirst[v] >= 0 || dict[v] != 0 {
            outStart[v] = Int32(outs.count)
            var o = nodeFirst[v] >= 0 ? v : Int(dict[v])
            while o != 0 {
                var pi = nodeFirst[o]
                while pi >= 0 { outs.append(pi); outs.append(depth[o]); pi = nextSame[Int(pi)] }
                o = Int(dict[o])
            }
            outs.append(-1)
        }
        outputs = outs
        outputStart = outStart
        // transition tables with a has-output bit and the failure links inline
        @inline(__always) func hasOutput(_ v: Int) -> Bool { nodeFirst[v] >= 0 || dict[v] != 0 }
        var rootOut = tb.root
        for c in 0..<rootOut.count where rootOut[c] != 0 {
            let v = Int(rootOut[c] & 0x7FFF_FFFF)
            rootOut[c] = UInt32(v) | (hasOutput(v) ? 1 << 31 : 0)
        }
        root = rootOut
        let sl = HugeBuffer(count: 2 << slotBits)
        let slotShift = UInt64(64 - slotBits), slotMask = (1 << slotBits) - 1
        for e in tb.table where e != 0 {
            var i = Int(((e & edgeKeyMask) &* hashMul) >> slotShift)
            while sl.pointer[2 * i] != 0 { i = (i + 1) & slotMask }
            let v = Int((e >> 42) & 0x1F_FFFF)
            let f = failA[v]
            sl.pointer[2 * i] = (e & edgeKeyMask) | UInt64(v) << 42 | (hasOutput(v) ? 1 << 63 : 0)
            let os = outStart[v] >= 0 && outStart[v] < (1 << 22) - 1 ? UInt64(outStart[v] + 1) : 0
            sl.pointer[2 * i + 1] = UInt64(f) | UInt64(f == 0 ? 0 : failA[Int(f)]) << 21 | os << 42
        }
        slots = sl
        let ef = tb.edgeFilter()
        edgeFilter = ef
        filterShift = UInt64(64 - ef.count.trailingZeroBitCount)
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

    /// Decodes one scalar at `i` exactly as `UTF8Scalars.decode` does (a maximal invalid
    /// subsequence is one U+FFFD); returns the scalar and the bytes consumed.
    @inline(__always) static func decodeOne(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> (UInt32, Int) {
        let b0 = p[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        if b0 >= 0xC2 && b0 <= 0xDF {
            if i + 1 < n, p[i + 1] & 0xC0 == 0x80 { return (UInt32(b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
            return (0xFFFD, 1)
        }
        if b0 >= 0xE0 && b0 <= 0xEF {
            let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            guard i + 1 < n, p[i + 1] >= lo, p[i + 1] <= hi else { return (0xFFFD, 1) }
            guard i + 2 < n, p[i + 2] & 0xC0 == 0x80 else { return (0xFFFD, 2) }
            return (UInt32(b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
        }
        if b0 >= 0xF0 && b0 <= 0xF4 {
            let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            guard i + 1 < n, p[i + 1] >= lo, p[i + 1] <= hi else { return (0xFFFD, 1) }
            guard i + 2 < n, p[i + 2] & 0xC0 == 0x80 else { return (0xFFFD, 2) }
            guard i + 3 < n, p[i + 3] & 0xC0 == 0x80 else { return (0xFFFD, 3) }
            return (UInt32(b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F), 4)
        }
        return (0xFFFD, 1)
    }

    @inline(never) func astralCode(_ c: UInt32) -> UInt32 {
        astralMap[c] ?? (folding.contains(.ignoreSymbols) && PatternMatcher.isIgnorable(c) ? PatternMatcher.ignore : 0)
    }

    /// Scans UTF-8 bytes (invalid sequences count as one U+FFFD each) and calls `report` for every
    /// match with scalar offsets. The fastest entry point: no String is created.
    public func scan(utf8 bytes: UnsafeBufferPointer<UInt8>, _ report: (PatternMatch) -> Void) {
        if folding.contains(.ignoreSymbols) { scanLoop(bytes, skipping: true, report) } else { scanLoop(bytes, skipping: false, report) }
    }

    /// The automaton loop. `skipping` (ignore symbols) is a constant in each specialisation: without
    /// it, match starts are computed from the pattern length and no position ring is kept.
    @inline(__always)
    func scanLoop(_ bytes: UnsafeBufferPointer<UInt8>, skipping: Bool, _ report: (PatternMatch) -> Void) {
        guard let p = bytes.baseAddress, !bytes.isEmpty else { return }
        let n = bytes.count
        var ring = [Int](repeating: 0, count: skipping ? ringSize : 1)
        let rmask = ringSize - 1
        let slots = self.slots.pointer, sh = shift, mk = mask, fsh = filterShift
        edgeFilter.withUnsafeBufferPointer { filter in
        charMap.withUnsafeBufferPointer { cm in
        root.withUnsafeBufferPointer { rootB in
        fail.withUnsafeBufferPointer { failB in
        outputs.withUnsafeBufferPointer { outB in
        outputStart.withUnsafeBufferPointer { outStartB in
        ring.withUnsafeMutableBufferPointer { ringB in
            var state: UInt32 = 0       // current node (0: root)
            var failInfo: UInt64 = 0    // fail(state) | fail(fail(state)) << 21
            var pos = 0                 // scalar offset of the current character
            var k = 0                   // count of non-ignored characters (skipping only)
            var i = 0
            while i < n {
                let b0 = p[i]
                var c: UInt32
                if b0 < 0x80 {
                    c = UInt32(b0); i &+= 1
                } else if b0 & 0xF0 == 0xE0 && i &+ 2 < n && p[i &+ 1] & 0xC0 == 0x80 && p[i &+ 2] & 0xC0 == 0x80
                            && (b0 != 0xE0 || p[i &+ 1] >= 0xA0) && (b0 != 0xED || p[i &+ 1] < 0xA0) {
                    c = UInt32(b0 & 0x0F) &<< 12 | UInt32(p[i &+ 1] & 0x3F) &<< 6 | UInt32(p[i &+ 2] & 0x3F)
                    i &+= 3
                } else {
                    let (d, len) = PatternMatcher.decodeOne(p, i, n)
                    c = d; i &+= len
                }
                let code: UInt32 = c < 0x10000 ? cm[Int(c)] : astralCode(c)
                if skipping {
                    if code == PatternMatcher.ignore { pos &+= 1; continue }
                    ringB[k & rmask] = pos
                    k &+= 1
                }
                if code == 0 { state = 0; pos &+= 1; continue }
                var out: Bool
                while true {
                    if state == 0 {
                        let r = rootB[Int(code)]
                        state = r & 0x7FFF_FFFF; out = r &>> 31 != 0; failInfo = 0
                        break
                    }
                    let key = UInt64(state) &<< 21 | UInt64(code)
                    let (fw, fm) = filterProbe(key, fsh)
                    var e: UInt64 = 0
                    var h = 0
                    if filter[fw] & fm == fm {
                        h = Int(truncatingIfNeeded: (key &* hashMul) &>> sh)
                        e = slots[2 &* h]
                        while e != 0 && e & edgeKeyMask != key {
                            h = (h &+ 1) & mk
                            e = slots[2 &* h]
                        }
                    }
                    if e != 0 {
                        state = UInt32(truncatingIfNeeded: (e &>> 42) & 0x1F_FFFF); out = e &>> 63 != 0
                        failInfo = slots[2 &* h &+ 1]
                        break
                    }
                    // mismatch: follow the failure link (fail(fail) is inline too; deeper chains read `fail`)
                    state = UInt32(truncatingIfNeeded: failInfo & 0x1F_FFFF)
                    if state != 0 {
                        let ff = UInt32(truncatingIfNeeded: (failInfo &>> 21) & 0x1F_FFFF)
                        failInfo = ff == 0 ? 0 : UInt64(ff) | UInt64(failB[Int(ff)]) &<< 21  // no output offset
                    }
                }
                if out {
                    // offset of the output list: from the slot just read, else the per-state array
                    let inSlot = Int(truncatingIfNeeded: failInfo &>> 42)
                    var j = inSlot != 0 ? inSlot &- 1 : Int(outStartB[Int(state)])
                    while true {
                        let pi = outB[j]
                        if pi < 0 { break }
                        let len = Int(outB[j &+ 1])
                        let start = skipping ? ringB[(k &- len) & rmask] : pos &+ 1 &- len
                        report(PatternMatch(pattern: Int(pi), start: start, end: pos &+ 1))
                        j &+= 2
                    }
                }
                pos &+= 1
            }
        }}}}}}}
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

/// A zero-filled, huge-page-advised buffer of UInt64 (freed on deinit). Immutable after the owner's init.
final class HugeBuffer: @unchecked Sendable {
    // Safe to share: written only while the owning PatternMatcher is being built, read-only afterwards.
    let pointer: UnsafeMutablePointer<UInt64>
    let count: Int
    private let mapping: UnsafeMutableRawPointer
    private let mappingSize: Int

    init(count: Int) {
        self.count = count
        if let (p, m, t) = Blob.allocate(count * 8) {
            pointer = p.bindMemory(to: UInt64.self, capacity: count)
            mapping = m; mappingSize = t
        } else {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(count * 8, 8), alignment: 16)
            p.initializeMemory(as: UInt8.self, repeating: 0, count: max(count * 8, 8))
            pointer = p.bindMemory(to: UInt64.self, capacity: count)
            mapping = p; mappingSize = -1
        }
    }
    deinit {
        if mappingSize < 0 { mapping.deallocate() } else { munmap(mapping, mappingSize) }
    }
}
