import Foundation

/// 64-bit SimHash over segmented words weighted by TF-IDF (IDF from jieba's table, median IDF for
/// unknown words). Words shorter than 2 scalars, whitespace and punctuation are ignored.
public struct SimHasher: Sendable {
    public var segmenter: Segmenter
    public init(segmenter: Segmenter) {
        var s = segmenter
        s.options.mode = .precise
        self.segmenter = s
    }

    public func fingerprint(_ text: String) -> UInt64 {
        let scalars = UTF8Scalars.scalars(of: text)
        let scratch = SegmentScratch()
        return scalars.withUnsafeBufferPointer { fingerprint($0, scratch: scratch) }
    }

    /// Fingerprint of a scalar buffer, reusing `scratch` (one per thread).
    ///
    /// Per feature: v[b] += w if bit b of the feature hash is set, else −w; bit b of the fingerprint
    /// is set when v[b] > 0. The features are collected first; then, for each byte of the hash, the 8
    /// accumulators live in 4 `SIMD2<Double>` registers and the ±w pattern comes from a 256-entry
    /// table of sign masks (w XOR sign bit = −w): 4 vector xor+add per feature and byte instead of 8
    /// scalar multiply-adds and no accumulator loads/stores. Each accumulator adds the same values in
    /// the same (token) order as the scalar definition, so fingerprints are bit-identical to it.
    /// Dictionary words chosen by the segmenter carry their IDF index (read from the edge slot the DAG
    /// walk already loaded); other tokens (HMM words, Latin words) use the IDF hash table.
    public func fingerprint(_ s: UnsafeBufferPointer<UInt32>, scratch: SegmentScratch) -> UInt64 {
        scratch.reset()
        segmenter.segment(s, scratch: scratch)
        let lex = segmenter.lexicon
        let idfValues = lex.idfValues
        let median = lex.medianIDF
        // 1. features: (hash, weight) per content token of ≥ 2 scalars, in token order
        scratch.ensureFeatures(scratch.tokenCount)
        let fh = scratch.featureHash, fw = scratch.featureWeight
        var nf = 0
        for t in 0..<scratch.tokenCount {
            let a = scratch.tokenStart(t), e = scratch.tokenEnd(t)
            if e &- a < 2 { continue }
            var content = false
            for i in a..<e where CharClass.isHan(s[i]) || CharClass.isAlnum(s[i]) { content = true; break }
            if !content { continue }
            let h = hashScalars(s, a, e)
            let known = scratch.tokenIDF(t)
            fh[nf] = h
            fw[nf] = (known != 0 ? idfValues[Int(known &- 1)] : (lex.idf(hash: h) ?? median)).bitPattern
            nf &+= 1
        }
        // 2. accumulate one byte of the hash (8 counters, 4 SIMD registers) at a time over all
        //    features, so the counters stay in registers
        let masks = SimHasher.signMasks
        var fp: UInt64 = 0
        for byte in 0..<8 {
            let sh = UInt64(8 &* byte)
            var a0 = SIMD2<Double>(0, 0), a1 = SIMD2<Double>(0, 0), a2 = SIMD2<Double>(0, 0), a3 = SIMD2<Double>(0, 0)
            var f = 0
            while f < nf {
                let wb = SIMD2<UInt64>(repeating: fw[f])
                let m = masks + Int(truncatingIfNeeded: (fh[f] &>> sh) & 0xFF) &* 4
                a0 += unsafeBitCast(wb ^ m[0], to: SIMD2<Double>.self)
                a1 += unsafeBitCast(wb ^ m[1], to: SIMD2<Double>.self)
                a2 += unsafeBitCast(wb ^ m[2], to: SIMD2<Double>.self)
                a3 += unsafeBitCast(wb ^ m[3], to: SIMD2<Double>.self)
                f &+= 1
            }
            var bits: UInt64 = 0
            if a0[0] > 0 { bits |= 1 }
            if a0[1] > 0 { bits |= 2 }
            if a1[0] > 0 { bits |= 4 }
            if a1[1] > 0 { bits |= 8 }
            if a2[0] > 0 { bits |= 16 }
            if a2[1] > 0 { bits |= 32 }
            if a3[0] > 0 { bits |= 64 }
            if a3[1] > 0 { bits |= 128 }
            fp |= bits &<< sh
        }
        return fp
    }

    /// For each byte value: 8 sign masks (as 4 pairs), 0 where the bit is set (+w), the sign bit where
    /// it is clear (−w). 16 KB, built once.
    // nonisolated(unsafe) is safe: the table is written once inside the initializer and only read afterwards.
    nonisolated(unsafe) static let signMasks: UnsafePointer<SIMD2<UInt64>> = {
        let p = UnsafeMutablePointer<SIMD2<UInt64>>.allocate(capacity: 256 * 4)
        let sign: UInt64 = 1 << 63
        for v in 0..<256 {
            for pair in 0..<4 {
                let b0 = (v >> (2 * pair)) & 1, b1 = (v >> (2 * pair + 1)) & 1
                p[v * 4 + pair] = SIMD2(b0 == 1 ? 0 : sign, b1 == 1 ? 0 : sign)
            }
        }
        return UnsafePointer(p)
    }()

    /// The scalar definition (reference for tests): same features and weights, plain 64-bit loop.
    func referenceFingerprint(_ s: UnsafeBufferPointer<UInt32>) -> UInt64 {
        let scratch = SegmentScratch()
        segmenter.segment(s, scratch: scratch)
        let lex = segmenter.lexicon
        var acc = [Double](repeating: 0, count: 64)
        for t in 0..<scratch.tokenCount {
            let a = scratch.tokenStart(t), e = scratch.tokenEnd(t)
            if e - a < 2 { continue }
            var content = false
            for i in a..<e where CharClass.isHan(s[i]) || CharClass.isAlnum(s[i]) { content = true; break }
            if !content { continue }
            let h = hashScalars(s, a, e)
            let w = lex.idf(hash: h) ?? lex.medianIDF
            for b in 0..<64 {
                let bit = Double(Int((h >> UInt64(b)) & 1))
                acc[b] += (2 * bit - 1) * w
            }
        }
        var fp: UInt64 = 0
        for b in 0..<64 where acc[b] > 0 { fp |= 1 << UInt64(b) }
        return fp
    }

    @inline(__always) public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}

/// Finds fingerprints within Hamming distance k ≤ 3 of a query among millions: the 64 bits are cut
/// into 4 blocks of 16; two fingerprints within distance 3 agree on at least one block
/// (pigeonhole), so each block value indexes a bucket of candidate ids.
public struct SimHashIndex: Sendable {
    public private(set) var fingerprints: [UInt64] = []
    /// buckets[block][value]: ids (in insertion order)
    private var buckets: [[[UInt32]]] = Array(repeating: Array(repeating: [], count: 1 << 16), count: 4)
    public static let maxDistance = 3

    public init() {}

    public var count: Int { fingerprints.count }

    /// Adds a fingerprint; returns its id (0, 1, 2, …).
    @discardableResult
    public mutating func add(_ fp: UInt64) -> Int {
        let id = UInt32(fingerprints.count)
        fingerprints.append(fp)
        for b in 0..<4 { buckets[b][Int((fp >> UInt64(16 * b)) & 0xFFFF)].append(id) }
        return Int(id)
    }

    /// Ids and distances of fingerprints within `maxDistance` (≤ 3) of `fp`, nearest first.
    public func query(_ fp: UInt64, maxDistance k: Int = 3) -> [(id: Int, distance: Int)] {
        precondition(k <= SimHashIndex.maxDistance, "SimHashIndex supports distances up to 3")
        var out: [(id: Int, distance: Int)] = []
        fingerprints.withUnsafeBufferPointer { fps in
            for b in 0..<4 {
                let key = (fp >> UInt64(16 * b)) & 0xFFFF
                for id in buckets[b][Int(key)] {
                    let other = fps[Int(id)]
                    // count each candidate once: skip it if an earlier block already matched
                    var seen = false
                    for pb in 0..<b where (other >> UInt64(16 * pb)) & 0xFFFF == (fp >> UInt64(16 * pb)) & 0xFFFF { seen = true; break }
                    if seen { continue }
                    let d = (other ^ fp).nonzeroBitCount
                    if d <= k { out.append((Int(id), d)) }
                }
            }
        }
        out.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id < $1.id }
        return out
    }
}

/// MinHash signatures over character shingles, with banded LSH for Jaccard near-duplicates.
public struct MinHasher: Sendable {
    public let shingle: Int
    public let permutations: Int
    let seedsA: [UInt64]
    let seedsB: [UInt64]

    public init(shingle: Int = 3, permutations: Int = 128, seed: UInt64 = 0x5A48_494D_4549) {
        self.shingle = max(1, shingle); self.permutations = max(1, permutations)
        var x = seed
        func next() -> UInt64 { x &+= 0x9E37_79B9_7F4A_7C15; var z = x; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) }
        seedsA = (0..<permutations).map { _ in next() | 1 }
        seedsB = (0..<permutations).map { _ in next() }
    }

    /// Signature over shingles of consecutive Han/alphanumeric scalars (whitespace and punctuation removed).
    public func signature(_ text: String) -> [UInt32] {
        let s = UTF8Scalars.scalars(of: text).filter { CharClass.isHan($0) || CharClass.isAlnum($0) || $0 >= 0x3400 }
        var sig = [UInt32](repeating: .max, count: permutations)
        if s.isEmpty { return sig }
        let k = min(shingle, s.count)
        s.withUnsafeBufferPointer { b in
            for i in 0...(b.count - k) {
                let h = hashScalars(b, i, i + k)
                for p in 0..<permutations {
                    let v = UInt32(truncatingIfNeeded: (h &* seedsA[p] &+ seedsB[p]) >> 32)
                    if v < sig[p] { sig[p] = v }
                }
            }
        }
        return sig
    }

    public static func similarity(_ a: [UInt32], _ b: [UInt32]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var eq = 0
        for i in 0..<a.count where a[i] == b[i] { eq += 1 }
        return Double(eq) / Double(a.count)
    }
}

/// Banded LSH over MinHash signatures: `bands` × `rows` must equal the signature length.
public struct MinHashLSH: Sendable {
    public let bands: Int
    public let rows: Int
    private var tables: [[UInt64: [Int]]]
    public private(set) var signatures: [[UInt32]] = []

    public init(bands: Int = 32, rows: Int = 4) {
        self.bands = bands; self.rows = rows
        tables = Array(repeating: [:], count: bands)
    }

    private func bandKey(_ sig: [UInt32], _ b: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(b)
        for r in 0..<rows { h = (h ^ UInt64(sig[b * rows + r])) &* 0x100_0000_01B3 }
        return h
    }

    @discardableResult
    public mutating func add(_ sig: [UInt32]) -> Int {
        precondition(sig.count == bands * rows, "signature length must be bands × rows")
        let id = signatures.count
        signatures.append(sig)
        for b in 0..<bands { tables[b][bandKey(sig, b), default: []].append(id) }
        return id
    }

    /// Candidates sharing a band, with estimated Jaccard similarity ≥ `threshold`, best first.
    public func query(_ sig: [UInt32], threshold: Double = 0.5) -> [(id: Int, similarity: Double)] {
        var seen = Set<Int>()
        var out: [(id: Int, similarity: Double)] = []
        for b in 0..<bands {
            for id in tables[b][bandKey(sig, b)] ?? [] where seen.insert(id).inserted {
                let s = MinHasher.similarity(sig, signatures[id])
                if s >= threshold { out.append((id, s)) }
            }
        }
        return out.sorted { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.id < $1.id }
    }
}
