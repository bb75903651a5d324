import Foundation

/// The immutable base data of the engine: jieba's prefix dictionary (as a trie with frequencies and
/// part-of-speech tags), its HMM parameters and its IDF table. Load it once per process with
/// `Lexicon.load(from:)` and share it: it is immutable and `Sendable`.
public final class Lexicon: @unchecked Sendable {
    // @unchecked is safe: every stored property is a `let`, and the raw pointers point into `blob`,
    // whose memory is written once before init returns and never mutated afterwards.
    static let formatVersion: Int64 = 5
    let blob: Blob
    @usableFromInline let trie: TrieView
    @usableFromInline let freq: UnsafePointer<UInt32>
    @usableFromInline let logFreq: UnsafePointer<Double>
    let tags: UnsafePointer<UInt16>
    let tagNames: [String]
    /// Sum of all dictionary frequencies (jieba's `total`).
    public let total: Int64
    @usableFromInline let logTotal: Double
    // HMM (states B, M, E, S = 0, 1, 2, 3)
    @usableFromInline let hmmStart: UnsafePointer<Double>
    @usableFromInline let hmmTrans: UnsafePointer<Double>
    @usableFromInline let emitIndex: UnsafePointer<UInt16>
    @usableFromInline let emitRows: UnsafePointer<Double>
    // IDF
    let idfKeys: UnsafeBufferPointer<UInt64>
    let idfVals: UnsafePointer<Double>
    /// Distinct IDF values; index 0 is jieba's median IDF (for dictionary words missing from the IDF
    /// table). Edge slots carry an index into it, so a token chosen from the dictionary gets its IDF
    /// without the IDF hash lookup (`SegmentScratch.tokenIDF`).
    @usableFromInline let idfValues: UnsafePointer<Double>
    /// Distinct log(frequency) values, indexed by the low half of an edge slot's second word.
    @usableFromInline let logValues: UnsafePointer<Double>
    /// jieba's median IDF, used for words missing from the IDF table.
    public let medianIDF: Double
    /// Seconds spent loading (from cache, or compiling + writing the cache).
    public let loadSeconds: Double
    /// Whether this instance was loaded from the binary cache (false: compiled from the text files).
    public let loadedFromCache: Bool
    /// Bytes of the compiled dictionary held in memory.
    public var residentBytes: Int { blob.size }

    static let minFloat = -3.14e100

    init(blob: Blob, seconds: Double, fromCache: Bool) throws {
        self.blob = blob
        let meta = blob.buffer(0, as: Int64.self)
        guard meta.count >= 12, meta[0] == Lexicon.formatVersion else { throw TextDataError.cacheCorrupt }
        total = meta[1]
        logTotal = Foundation.log(Double(total))
        let bits = Int(meta[2])
        guard blob.sections.count >= 19 else { throw TextDataError.cacheCorrupt }
        let filterWords = blob.sections[17].length / 8
        trie = TrieView(bmpCode: blob.pointer(1, as: UInt32.self), astral: blob.buffer(2, as: UInt32.self),
                        root: blob.pointer(3, as: UInt32.self), rootLogFreq: blob.pointer(18, as: Double.self), rootCount: Int(meta[4]),
                        table: blob.pointer(4, as: UInt64.self), shift: UInt64(64 - bits), mask: (1 << bits) - 1,
                        nodeCount: Int(meta[3]),
                        filter: blob.pointer(17, as: UInt64.self), filterShift: UInt64(64 - filterWords.trailingZeroBitCount))
        guard blob.sections.count >= 19, blob.sections[4].length == 16 << bits, blob.sections[18].length == 8 * Int(meta[4]), blob.sections[1].length == 4 * 0x10000,
              blob.sections[5].length == 4 * trie.nodeCount,
              blob.sections[16].length >= 8, blob.sections.count >= 20,
              blob.sections[17].length >= 16, (blob.sections[17].length / 8).nonzeroBitCount == 1 else { throw TextDataError.cacheCorrupt }
        freq = blob.pointer(5, as: UInt32.self)
        logFreq = blob.pointer(6, as: Double.self)
        tags = blob.pointer(7, as: UInt16.self)
        tagNames = String(decoding: blob.buffer(8, as: UInt8.self), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        hmmStart = blob.pointer(9, as: Double.self)
        hmmTrans = blob.pointer(10, as: Double.self)
        emitIndex = blob.pointer(11, as: UInt16.self)
        emitRows = blob.pointer(12, as: Double.self)
        idfKeys = blob.buffer(13, as: UInt64.self)
        idfVals = blob.pointer(14, as: Double.self)
        medianIDF = blob.pointer(15, as: Double.self)[0]
        idfValues = blob.pointer(16, as: Double.self)
        logValues = blob.pointer(19, as: Double.self)
        loadSeconds = seconds
        loadedFromCache = fromCache
    }

    // MARK: loading

    /// Loads the compiled cache if it is up to date with the text files, otherwise compiles the text
    /// files and (best effort) writes the cache. Throws `TextDataError.missingFile` naming the file
    /// and the set-up command when data is missing.
    public static func load(from location: TextDataLocation = .fromEnvironment()) throws -> Lexicon {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let stamps = sourceStamps(location)
        if let stamps, let blob = try? Blob(path: location.cachePath) {
            let meta = blob.buffer(0, as: Int64.self)
            if meta.count >= 12, meta[0] == formatVersion, Array(meta[6..<12]) == stamps,
               let lex = try? Lexicon(blob: blob, seconds: elapsed(t0), fromCache: true) {
                return lex
            }
        }
        // Compile. Report exactly which file is missing.
        for p in [location.dictPath, location.hmmPath, location.idfPath] where !FileManager.default.fileExists(atPath: p) {
            throw TextDataError.missingFile(path: p)
        }
        let bytes = try compile(location, stamps: stamps ?? [Int64](repeating: 0, count: 6))
        let tmp = location.cachePath + ".tmp\(getpid())"
        if FileManager.default.createFile(atPath: tmp, contents: Data(bytes)) {
            if rename(tmp, location.cachePath) != 0 { unlink(tmp) }
        }
        return try Lexicon(blob: Blob(bytes: bytes), seconds: elapsed(t0), fromCache: false)
    }

    static func elapsed(_ t0: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }

    static func sourceStamps(_ loc: TextDataLocation) -> [Int64]? {
        var out: [Int64] = []
        for p in [loc.dictPath, loc.hmmPath, loc.idfPath] {
            var st = stat()
            guard stat(p, &st) == 0 else { return nil }
            out.append(Int64(st.st_size))
            out.append(Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
        }
        return out
    }

    static func compile(_ loc: TextDataLocation, stamps: [Int64]) throws -> [UInt8] {
        // dict.txt: "word freq [tag]" (jieba's gen_pfdict: last duplicate wins, total counts every line)
        let dictBytes = try readFileBytes(loc.dictPath)
        var entries: [[UInt32]: (freq: Int64, tag: String?)] = [:]
        var order: [[UInt32]] = []
        var total: Int64 = 0
        try forEachLine(dictBytes) { line, no in
            var s = line
            while let f = s.first, f == 32 || f == 9 { s = s.dropFirst() }
            while let l = s.last, l == 32 || l == 9 || l == 13 { s = s.dropLast() }
            if s.isEmpty { return }
            let parts = s.split(separator: 32, omittingEmptySubsequences: false)
            guard parts.count >= 2, let f = Int64(String(decoding: parts[1], as: UTF8.self)) else {
                throw TextDataError.invalidData(file: loc.dictPath, line: no, message: "expected 'word freq [tag]'")
            }
            var w = UTF8Scalars.decode(Array(parts[0]))
            if no == 1, w.first == 0xFEFF { w.removeFirst() }
            if w.isEmpty { return }
            let tag = parts.count >= 3 ? String(decoding: parts[2], as: UTF8.self) : nil
            if entries[w] == nil { order.append(w) }
            entries[w] = (f, tag)
            total += f
        }
        var tb = TrieBuilder()
        var nodeFreq: [UInt32] = [0]
        var nodeTag: [UInt16] = [0]
        var tagNames = [""]
        var tagIndex: [String: UInt16] = ["": 0]
        for w in order {
            let e = entries[w]!
            let node = tb.insert(w, isWord: e.freq > 0)
            if nodeFreq.count < tb.nodeCount {
                nodeFreq.append(contentsOf: repeatElement(0, count: tb.nodeCount - nodeFreq.count))
                nodeTag.append(contentsOf: repeatElement(0, count: tb.nodeCount - nodeTag.count))
            }
            nodeFreq[node] = UInt32(clamping: e.freq)
            if let t = e.tag {
                if tagIndex[t] == nil { tagIndex[t] = UInt16(tagNames.count); tagNames.append(t) }
                nodeTag[node] = tagIndex[t]!
            }
        }
        let logFreq = nodeFreq.map { $0 > 0 ? Foundation.log(Double($0)) : 0 }

        // hmm.txt
        var start = [Double](repeating: minFloat, count: 4)
        var trans = [Double](repeating: minFloat, count: 16)
        var emitIndex = [UInt16](repeating: 0, count: 0x10000)
        var emitRows = [Double](repeating: minFloat, count: 4)  // row 0: unknown character
        func st(_ s: ArraySlice<UInt8>) -> Int? {
            guard s.count == 1 else { return nil }
            switch s.first! { case 66: return 0; case 77: return 1; case 69: return 2; case 83: return 3; default: return nil }
        }
        try forEachLine(try readFileBytes(loc.hmmPath)) { line, no in
            if line.isEmpty || line.first == 35 { return }
            let p = line.split(separator: 32)
            let bad = TextDataError.invalidData(file: loc.hmmPath, line: no, message: "unexpected line")
            switch String(decoding: p[0], as: UTF8.self) {
            case "start":
                guard p.count == 3, let s = st(p[1]), let v = parseDouble(p[2]) else { throw bad }
                start[s] = v
            case "trans":
                guard p.count == 4, let a = st(p[1]), let b = st(p[2]), let v = parseDouble(p[3]) else { throw bad }
                trans[a * 4 + b] = v
            case "emit":
                guard p.count == 4, let s = st(p[1]), let c = UInt32(String(decoding: p[2], as: UTF8.self), radix: 16),
                      let v = parseDouble(p[3]) else { throw bad }
                guard c < 0x10000 else { return }
                var row = Int(emitIndex[Int(c)])
                if row == 0 {
                    row = emitRows.count / 4
                    emitRows.append(contentsOf: [minFloat, minFloat, minFloat, minFloat])
                    emitIndex[Int(c)] = UInt16(row)
                }
                emitRows[row * 4 + s] = v
            default: throw bad
            }
        }

        // idf.txt: "word idf"
        var idf: [UInt64: Double] = [:]
        var idfByNode: [(node: Int, idf: Double)] = []
        try forEachLine(try readFileBytes(loc.idfPath)) { line, no in
            let p = line.split(separator: 32)
            if p.isEmpty { return }
            guard p.count == 2, let v = parseDouble(p[1]) else {
                throw TextDataError.invalidData(file: loc.idfPath, line: no, message: "expected 'word idf'")
            }
            let w = UTF8Scalars.decode(Array(p[0]))
            idf[hashScalars(w)] = v
            if let node = tb.find(w) { idfByNode.append((node, v)) }
        }
        // open-addressing table keyed by the 64-bit scalar hash (0 = empty slot)
        var idfCap = 1024
        while idfCap < idf.count * 2 { idfCap <<= 1 }
        var idfKeys = [UInt64](repeating: 0, count: idfCap)
        var idfVals = [Double](repeating: 0, count: idfCap)
        for (k, v) in idf {
            let key = k == 0 ? 1 : k
            var h = Int(truncatingIfNeeded: key) & (idfCap - 1)
            while idfKeys[h] != 0 { h = (h + 1) & (idfCap - 1) }
            idfKeys[h] = key; idfVals[h] = v
        }
        let median = idf.isEmpty ? 0 : idf.values.sorted()[idf.count / 2]
        // per node: index into idfValues (0: median), later lines winning as in the hash table
        var idfValues = [median]
        var idfIndex: [UInt64: UInt32] = [:]
        var nodeIDFIndex = [UInt32](repeating: 0, count: tb.nodeCount)
        for (node, v) in idfByNode {
            if idfIndex[v.bitPattern] == nil { idfIndex[v.bitPattern] = UInt32(idfValues.count); idfValues.append(v) }
            nodeIDFIndex[node] = idfIndex[v.bitPattern]!
        }
        // distinct log(frequency) values
        var logValues: [Double] = [0]
        var logIndex: [UInt32: UInt32] = [:]
        var nodeLogIndex = [UInt32](repeating: 0, count: tb.nodeCount)
        for node in 0..<tb.nodeCount where nodeFreq[node] > 0 {
            let f = nodeFreq[node]
            if logIndex[f] == nil { logIndex[f] = UInt32(logValues.count); logValues.append(logFreq[node]) }
            nodeLogIndex[node] = logIndex[f]!
        }

        var astral: [UInt32] = []
        for (s, c) in tb.astralCode.sorted(by: { $0.key < $1.key }) { astral.append(s); astral.append(c) }
        var w = BlobWriter()
        let meta: [Int64] = [formatVersion, total, Int64(tb.bits), Int64(tb.nodeCount), Int64(tb.root.count), Int64(idfKeys.count)] + stamps
        w.add(meta)
        // 16-byte edge slots: the packed edge, then the child's log(frequency) and IDF indexes (see TrieView.table)
        var table16 = [UInt64](repeating: 0, count: 2 * tb.table.count)
        for (i, e) in tb.table.enumerated() where e != 0 {
            let child = Int((e >> 42) & 0x1F_FFFF)
            table16[2 * i] = e
            table16[2 * i + 1] = UInt64(nodeLogIndex[child]) | UInt64(nodeIDFIndex[child]) << 32
        }
        let rootLogFreq = tb.root.map { r in r == 0 ? 0 : logFreq[Int(r & 0x7FFF_FFFF)] }
        w.add(tb.bmpCode); w.add(astral); w.add(tb.root); w.add(table16)
        w.add(nodeFreq); w.add(logFreq); w.add(nodeTag)
        w.add(Array(tagNames.joined(separator: "\n").utf8))
        w.add(start); w.add(trans); w.add(emitIndex); w.add(emitRows)
        w.add(idfKeys); w.add(idfVals); w.add([median]); w.add(idfValues)
        w.add(tb.edgeFilter())
        w.add(rootLogFreq)
        w.add(logValues)
        return w.finish()
    }

    // MARK: lookups

    /// Dictionary frequency of a word (0 when absent or a mere prefix).
    public func frequency(of word: String) -> Int {
        let s = UTF8Scalars.scalars(of: word)
        return s.withUnsafeBufferPointer { b in
            guard let r = trie.find(b, 0, b.count), r & 0x8000_0000 != 0 else { return 0 }
            return Int(freq[Int(r & 0x7FFF_FFFF)])
        }
    }

    /// Part-of-speech tag from the dictionary, or nil.
    public func tag(of word: String) -> String? {
        let s = UTF8Scalars.scalars(of: word)
        return s.withUnsafeBufferPointer { tag($0, 0, $0.count) }
    }

    func tag(_ b: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> String? {
        guard let r = trie.find(b, start, end), r & 0x8000_0000 != 0 else { return nil }
        let t = Int(tags[Int(r & 0x7FFF_FFFF)])
        return t == 0 ? nil : tagNames[t]
    }

    /// IDF of a word, or nil when it is not in jieba's IDF table.
    public func idf(of word: String) -> Double? {
        let s = UTF8Scalars.scalars(of: word)
        return s.withUnsafeBufferPointer { idf($0, 0, $0.count) }
    }

    func idf(_ b: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Double? {
        idf(hash: hashScalars(b, start, end))
    }

    /// IDF by `hashScalars` value (lets callers that already hashed a token skip rehashing).
    @inline(__always) func idf(hash: UInt64) -> Double? {
        let key = hash == 0 ? 1 : hash
        let mask = idfKeys.count - 1
        var h = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = idfKeys[h]
            if k == key { return idfVals[h] }
            if k == 0 { return nil }
            h = (h + 1) & mask
        }
    }
}
