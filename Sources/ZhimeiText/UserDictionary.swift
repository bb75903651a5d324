import Foundation

/// Words added on top of the shared base dictionary: platform-wide or per tenant.
///
/// A value type with copy-on-write storage, so an overlay per tenant costs only its own words.
/// Semantics follow jieba's `add_word`: the frequency replaces the word's base frequency, the
/// dictionary total grows by the frequency, and a frequency of 0 deletes a word (its characters
/// are then never joined, not even by the HMM). When no frequency is given, jieba's
/// `suggest_freq(word)` value is used so that the word is cut out as a whole.
public struct UserDictionary: Sendable, Equatable {
    struct Entry: Sendable, Equatable { var freq: Int; var tag: String? }
    // trie over raw scalars: key = node << 21 | scalar
    var edges: [UInt64: Int32] = [:]
    var nodeFreq: [Int] = [-1]          // -1: prefix only
    var nodeLogFreq: [Double] = [0]
    var nodeTag: [String?] = [nil]
    /// Sum of the frequencies added (jieba adds every add_word frequency to its total).
    public private(set) var addedTotal: Int = 0
    public private(set) var count: Int = 0
    var hasZeroFreq = false

    public init() {}

    public var isEmpty: Bool { count == 0 }

    @inline(__always) func child(_ node: Int32, _ c: UInt32) -> Int32? {
        edges[UInt64(UInt32(node)) << 21 | UInt64(c)]
    }

    /// Adds (or replaces) a word with an explicit frequency and optional POS tag.
    public mutating func add(_ word: String, frequency: Int, tag: String? = nil) {
        let w = UTF8Scalars.scalars(of: word)
        guard !w.isEmpty else { return }
        var node: Int32 = 0
        for c in w {
            if let n = child(node, c) { node = n; continue }
            let n = Int32(nodeFreq.count)
            edges[UInt64(UInt32(node)) << 21 | UInt64(c)] = n
            nodeFreq.append(-1); nodeLogFreq.append(0); nodeTag.append(nil)
            node = n
        }
        if nodeFreq[Int(node)] < 0 { count += 1 }
        let f = max(0, frequency)
        nodeFreq[Int(node)] = f
        nodeLogFreq[Int(node)] = f > 0 ? Foundation.log(Double(f)) : 0
        if let tag { nodeTag[Int(node)] = tag }
        addedTotal += f
        if f == 0 { hasZeroFreq = true }
    }

    /// jieba's `del_word`: adds the word with frequency 0.
    public mutating func remove(_ word: String) { add(word, frequency: 0) }

    /// Loads jieba's user dictionary format: one `word [freq] [tag]` per line.
    /// Words without a frequency get `segmenter.suggestedFrequency(word)`.
    public mutating func load(contentsOf text: String, segmenter: Segmenter) {
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("\u{FEFF}") { line.removeFirst() }
            if line.isEmpty { continue }
            var parts = line.split(separator: " ").map(String.init)
            var tag: String?
            var freq: Int?
            if parts.count >= 2, let last = parts.last, last.allSatisfy({ $0 >= "a" && $0 <= "z" }), Int(last) == nil {
                tag = last; parts.removeLast()
            }
            if parts.count >= 2, let f = Int(parts.last!) { freq = f; parts.removeLast() }
            let word = parts.joined(separator: " ")
            var probe = Segmenter(lexicon: segmenter.lexicon, userDictionary: self)
            probe.options = segmenter.options
            add(word, frequency: freq ?? probe.suggestedFrequency(word), tag: tag)
        }
    }

    /// Exact lookup: nil if absent, else (freq, tag).
    func entry(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> (freq: Int, tag: String?)? {
        var node: Int32 = 0
        var i = start
        while i < end {
            guard let n = child(node, s[i]) else { return nil }
            node = n; i += 1
        }
        let f = nodeFreq[Int(node)]
        return f < 0 ? nil : (f, nodeTag[Int(node)])
    }

    public static func == (a: UserDictionary, b: UserDictionary) -> Bool {
        a.edges == b.edges && a.nodeFreq == b.nodeFreq && a.nodeTag == b.nodeTag && a.addedTotal == b.addedTotal
    }
}
