// A compact scalar trie: dense character codes, a direct array for the root's children and one
// open-addressing hash table of packed 64-bit edges for everything else. Built once by
// `TrieBuilder`, serialised into the binary cache and used read-only through `TrieView`.
//
// Edge entry layout (UInt64):  bit 63 = child is a word | bits 42..62 child node | bits 21..41 parent node | bits 0..20 code
// Root entries (UInt32):        bit 31 = child is a word | bits 0..30 child node (0 = none)
// In the compiled Lexicon each edge slot is 16 bytes: the packed edge, then the child's log-frequency
// and IDF indexes (see TrieView.table).

@usableFromInline let edgeKeyMask: UInt64 = (1 << 42) - 1
@usableFromInline let hashMul: UInt64 = 0x9E37_79B9_7F4A_7C15
@usableFromInline let filterMul: UInt64 = 0xD6E8_FEB8_6659_FD93

/// Edge filter (a blocked Bloom filter over edge keys, ~8 bits per edge, 2 bits per key in one
/// 64-bit word): most DAG steps that leave the dictionary are answered from this small array
/// (512 KB for jieba's dictionary, cache-resident) instead of probing the 8 MB edge table.
@inline(__always) @usableFromInline
func filterProbe(_ key: UInt64, _ shift: UInt64) -> (word: Int, mask: UInt64) {
    let f = key &* filterMul
    let m: UInt64 = (1 &<< ((f &>> 36) & 63)) | (1 &<< ((f &>> 42) & 63))
    return (Int(truncatingIfNeeded: f &>> shift), m)
}

struct TrieBuilder {
    var bmpCode = [UInt32](repeating: 0, count: 0x10000)
    var astralCode: [UInt32: UInt32] = [:]
    var nextCode: UInt32 = 1
    var root: [UInt32] = [0]
    var table: [UInt64] = .init(repeating: 0, count: 1 << 16)
    var bits = 16
    var edges = 0
    var nodeCount = 1  // node 0 is the root

    mutating func code(for c: UInt32) -> UInt32 {
        if c < 0x10000 {
            let k = bmpCode[Int(c)]
            if k != 0 { return k }
            bmpCode[Int(c)] = nextCode
        } else {
            if let k = astralCode[c] { return k }
            astralCode[c] = nextCode
        }
        root.append(0)
        nextCode += 1
        return nextCode - 1
    }

    private mutating func grow() {
        let old = table
        bits += 1
        table = .init(repeating: 0, count: 1 << bits)
        let shift = UInt64(64 - bits), mask = (1 << bits) - 1
        for e in old where e != 0 {
            var h = Int(((e & edgeKeyMask) &* hashMul) >> shift)
            while table[h] != 0 { h = (h + 1) & mask }
            table[h] = e
        }
    }

    /// The edge filter for the current table (power-of-two number of words, ≥ 8 bits per edge).
    func edgeFilter() -> [UInt64] {
        var words = 2  // ≥ 2, so the index shift stays below 64
        while words * 64 < edges * 8 { words <<= 1 }
        let shift = UInt64(64 - words.trailingZeroBitCount)
        var f = [UInt64](repeating: 0, count: words)
        for e in table where e != 0 {
            let (w, m) = filterProbe(e & edgeKeyMask, shift)
            f[w] |= m
        }
        return f
    }

    /// Node of a word or prefix already inserted, or nil.
    func find(_ word: [UInt32]) -> Int? {
        var node = 0
        let shift = UInt64(64 - bits), mask = (1 << bits) - 1
        for ch in word {
            let c: UInt32
            if ch < 0x10000 { c = bmpCode[Int(ch)] } else { c = astralCode[ch] ?? 0 }
            if c == 0 { return nil }
            if node == 0 {
                let r = root[Int(c)]
                if r == 0 { return nil }
                node = Int(r & 0x7FFF_FFFF)
                continue
            }
            let key = UInt64(node) << 21 | UInt64(c)
            var h = Int((key &* hashMul) >> shift)
            while true {
                let e = table[h]
                if e == 0 { return nil }
                if e & edgeKeyMask == key { node = Int((e >> 42) & 0x1F_FFFF); break }
                h = (h + 1) & mask
            }
        }
        return node == 0 ? nil : node
    }

    /// Inserts a word; returns its node. Marks the node as a word when `isWord`.
    mutating func insert(_ word: [UInt32], isWord: Bool) -> Int {
        precondition(!word.isEmpty)
        var node = 0
        for (i, ch) in word.enumerated() {
            let last = i == word.count - 1
            let c = code(for: ch)
            if node == 0 {
                var r = root[Int(c)]
                if r == 0 {
                    precondition(nodeCount < (1 << 21) - 1, "trie too large")
                    r = UInt32(nodeCount); nodeCount += 1
                }
                if last && isWord { r |= 1 << 31 }
                root[Int(c)] = r
                node = Int(r & 0x7FFF_FFFF)
                continue
            }
            if (edges + 1) * 10 > table.count * 6 { grow() }
            let key = UInt64(node) << 21 | UInt64(c)
            let shift = UInt64(64 - bits), mask = (1 << bits) - 1
            var h = Int((key &* hashMul) >> shift)
            while true {
                let e = table[h]
                if e == 0 {
                    precondition(nodeCount < (1 << 21) - 1, "trie too large")
                    let child = nodeCount; nodeCount += 1; edges += 1
                    table[h] = key | UInt64(child) << 42 | ((last && isWord) ? 1 << 63 : 0)
                    node = child
                    break
                }
                if e & edgeKeyMask == key {
                    if last && isWord { table[h] = e | 1 << 63 }
                    node = Int((e >> 42) & 0x1F_FFFF)
                    break
                }
                h = (h + 1) & mask
            }
        }
        return node
    }
}

/// Read-only view over trie arrays that live in a `Blob` (or any memory that outlives the view).
@usableFromInline
struct TrieView: @unchecked Sendable {
    // Safe to share: the pointed-to memory is immutable after construction and owned by the Blob
    // that every holder of a TrieView also retains.
    @usableFromInline let bmpCode: UnsafePointer<UInt32>
    @usableFromInline let astral: UnsafeBufferPointer<UInt32>  // sorted pairs (scalar, code)
    @usableFromInline let root: UnsafePointer<UInt32>
    /// log(frequency) of each root child (by code; 0 when not a word).
    @usableFromInline let rootLogFreq: UnsafePointer<Double>
    @usableFromInline let rootCount: Int
    /// Edge table with 16-byte slots: [packed edge, child's log-frequency index | IDF index << 32]
    /// (`Lexicon.logValues`, `Lexicon.idfValues`), so a DAG step finds the word's log-probability and
    /// IDF through the cache line it already probed.
    @usableFromInline let table: UnsafePointer<UInt64>
    @usableFromInline let shift: UInt64
    @usableFromInline let mask: Int
    @usableFromInline let nodeCount: Int
    @usableFromInline let filter: UnsafePointer<UInt64>
    @usableFromInline let filterShift: UInt64

    /// False when no edge with this key exists; true when one may (then probe the table).
    @inline(__always) @usableFromInline
    func mayHaveEdge(_ key: UInt64) -> Bool {
        let (w, m) = filterProbe(key, filterShift)
        return filter[w] & m == m
    }

    @inline(__always) @usableFromInline
    func code(_ c: UInt32) -> UInt32 {
        if c < 0x10000 { return bmpCode[Int(c)] }
        var lo = 0, hi = astral.count / 2
        while lo < hi {
            let mid = (lo + hi) >> 1
            let s = astral[mid * 2]
            if s == c { return astral[mid * 2 + 1] }
            if s < c { lo = mid + 1 } else { hi = mid }
        }
        return 0
    }

    /// Child of `node` by character code: 0 if none, else node | (isWord << 31).
    @inline(__always) @usableFromInline
    func child(_ node: UInt32, _ code: UInt32) -> UInt32 {
        if code == 0 { return 0 }
        if node == 0 { return root[Int(code)] }
        let key = UInt64(node) << 21 | UInt64(code)
        var h = Int((key &* hashMul) >> shift)
        while true {
            let e = table[2 &* h]
            if e == 0 { return 0 }
            if e & edgeKeyMask == key { return UInt32(truncatingIfNeeded: (e >> 42) & 0x1F_FFFF) | UInt32(truncatingIfNeeded: e >> 32) & 0x8000_0000 }
            h = (h &+ 1) & mask
        }
    }

    /// Exact lookup: (node, isWord) or nil when the string is not even a prefix.
    @inline(__always) @usableFromInline
    func find(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> UInt32? {
        var node: UInt32 = 0
        var i = start
        var r: UInt32 = 0
        while i < end {
            r = child(node, code(s[i]))
            if r == 0 { return nil }
            node = r & 0x7FFF_FFFF
            i += 1
        }
        return i == start ? nil : r
    }
}
