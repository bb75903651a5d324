import Foundation
import ZhimeiText

/// Online single-pass clustering of posts into events (事件聚类).
///
/// Each post goes, in this order: (1) to the event of a post within SimHash distance 3 (a reprint or a
/// near-duplicate — `nearDuplicateOf` is that post); (2) to the event whose keyword centroid has the highest
/// cosine similarity with the post's TF-IDF keyword vector, if at least `threshold`; (3) to a new event.
/// Candidates for (2) come from an inverted index on centroid terms, so the cost does not grow with the number of
/// events. A centroid is the sum of its posts' vectors, trimmed to its 60 strongest terms.
///
/// Anchor rule (锚词): a post joins an event by keywords only if the event also holds at least 2 of the post's 3
/// strongest keywords. Cosine alone let one shared place name plus shared stock phrases (一事, 引发, 关注) — or the
/// same kind of happening (停水，居民生活不便) in another town — merge unrelated events (generated set: 60 events
/// collapsed into 12; docs/opinion.md).
struct EventClusterer {
    struct Centroid {
        var terms: [String: Double]
        var norm: Double
        var count: Int
    }

    struct Assignment: Equatable {
        var event: Int
        var isNewEvent: Bool
        /// Index (in `add` order) of the earlier post this one nearly duplicates.
        var nearDuplicateOf: Int?
        var similarity: Double
    }

    var threshold: Double
    private(set) var centroids: [Centroid] = []
    private var postEvent: [Int] = []
    private var fingerprints = SimHashIndex()
    private var inverted: [String: [Int]] = [:]
    static let centroidTerms = 60
    /// How many of the post's strongest keywords are its anchors, and how many of them the event must hold.
    static let anchorTerms = 3
    static let anchorsRequired = 2

    /// The cosine threshold ingest uses (the bench's default too).
    static let defaultThreshold = 0.3

    init(threshold: Double = EventClusterer.defaultThreshold) { self.threshold = threshold }

    /// Seeds an existing event (from the database) so new posts can join it.
    @discardableResult
    mutating func seed(terms: [String: Double], count: Int, fingerprints fps: [UInt64]) -> Int {
        let index = centroids.count
        centroids.append(Centroid(terms: terms, norm: Self.norm(terms), count: max(1, count)))
        for t in terms.keys { inverted[t, default: []].append(index) }
        for fp in fps { fingerprints.add(fp); postEvent.append(index) }
        return index
    }

    mutating func add(keywords: [TermWeight], simhash: UInt64) -> Assignment {
        var vector: [String: Double] = [:]
        for k in keywords where k.weight.isFinite && k.weight > 0 { vector[k.word, default: 0] += k.weight }
        if let near = fingerprints.query(simhash, maxDistance: 3).first {
            let event = postEvent[near.id]
            absorb(vector, into: event)
            let post = fingerprints.add(simhash)
            postEvent.append(event)
            _ = post
            return Assignment(event: event, isNewEvent: false, nearDuplicateOf: near.id, similarity: 1)
        }
        let norm = Self.norm(vector)
        let anchors = Self.anchors(of: vector)
        let required = min(Self.anchorsRequired, anchors.count)
        var best = -1, bestScore = 0.0
        if norm > 0 {
            var seen = Set<Int>()
            for term in vector.keys {
                for c in inverted[term] ?? [] where seen.insert(c).inserted {
                    let centroid = centroids[c]
                    guard centroid.norm > 0 else { continue }
                    var held = 0
                    for a in anchors where centroid.terms[a] != nil { held += 1 }
                    guard held >= required else { continue }
                    var dot = 0.0
                    for (t, w) in vector { if let cw = centroid.terms[t] { dot += w * cw } }
                    let score = dot / (norm * centroid.norm)
                    if score > bestScore { bestScore = score; best = c }
                }
            }
        }
        let isNew = best < 0 || bestScore < threshold
        let event: Int
        if isNew {
            event = centroids.count
            centroids.append(Centroid(terms: [:], norm: 0, count: 0))
        } else {
            event = best
        }
        absorb(vector, into: event)
        fingerprints.add(simhash)
        postEvent.append(event)
        return Assignment(event: event, isNewEvent: isNew, nearDuplicateOf: nil, similarity: isNew ? 1 : bestScore)
    }

    private mutating func absorb(_ vector: [String: Double], into event: Int) {
        var c = centroids[event]
        for (t, w) in vector {
            if c.terms[t] == nil { inverted[t, default: []].append(event) }
            c.terms[t, default: 0] += w
        }
        if c.terms.count > Self.centroidTerms * 2 {
            let keep = c.terms.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(Self.centroidTerms)
            c.terms = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
        c.count += 1
        c.norm = Self.norm(c.terms)
        centroids[event] = c
    }

    /// The post's strongest keywords (ties by word, so the choice is deterministic).
    static func anchors(of vector: [String: Double]) -> [String] {
        vector.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(anchorTerms).map(\.key)
    }

    static func norm(_ v: [String: Double]) -> Double { v.values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The strongest terms of an event (its word cloud and stored vector).
    func topTerms(_ event: Int, _ n: Int = 30) -> [(String, Double)] {
        guard centroids.indices.contains(event) else { return [] }
        return centroids[event].terms.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(n).map { ($0.key, $0.value) }
    }
}

/// Purity and normalised mutual information of a clustering against gold labels (bench and tests).
enum ClusterQuality {
    static func purity(predicted: [Int], gold: [Int]) -> Double {
        guard predicted.count == gold.count, !gold.isEmpty else { return 0 }
        var table: [Int: [Int: Int]] = [:]
        for (p, g) in zip(predicted, gold) { table[p, default: [:]][g, default: 0] += 1 }
        let hit = table.values.reduce(0) { $0 + ($1.values.max() ?? 0) }
        return Double(hit) / Double(gold.count)
    }

    /// NMI with the arithmetic-mean normalisation: 2·I(P;G) / (H(P) + H(G)).
    static func nmi(predicted: [Int], gold: [Int]) -> Double {
        guard predicted.count == gold.count, !gold.isEmpty else { return 0 }
        let n = Double(gold.count)
        var joint: [Int: [Int: Double]] = [:], pc: [Int: Double] = [:], gc: [Int: Double] = [:]
        for (p, g) in zip(predicted, gold) { joint[p, default: [:]][g, default: 0] += 1; pc[p, default: 0] += 1; gc[g, default: 0] += 1 }
        func entropy(_ c: [Int: Double]) -> Double { c.values.reduce(0) { $0 - ($1 / n) * log($1 / n) } }
        var mi = 0.0
        for (p, row) in joint {
            for (g, c) in row { mi += (c / n) * log((c * n) / ((pc[p] ?? 1) * (gc[g] ?? 1))) }
        }
        let h = entropy(pc) + entropy(gc)
        return h == 0 ? 1 : 2 * mi / h
    }
}
