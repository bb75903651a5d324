import Fluent
import Foundation
import Vapor

/// Figures of one event for its page, the API and reports: timeline, hourly volume and sentiment mix, top sources,
/// keywords (word cloud), representative posts and the spread graph.
enum OpinionAnalysis {
    static let maxPosts = 5000

    struct Bucket: Content { var at: Date; var total: Int; var positive: Int; var neutral: Int; var negative: Int }
    struct Count: Content { var name: String; var count: Int }
    struct Term: Content { var word: String; var weight: Double }
    struct SpreadNode: Content { var author: String; var firstAt: Date; var reach: Int; var betweenness: Double; var origin: Bool }
    struct SpreadEdge: Content { var from: String; var to: String }
    struct Spread: Content {
        var nodes: [SpreadNode]
        var edges: [SpreadEdge]
        var origins: [String]
        var paths: [[String]]
        /// Distinct authors per hour from the first post to the last.
        var authorsPerHour: Double
    }
    struct Detail: Content {
        var event: OpinionEventDTO
        var volume: [Bucket]
        var sources: [Count]
        var authors: [Count]
        var regions: [Count]
        var keywords: [Term]
        var representatives: [OpinionPostDTO]
        var timeline: [OpinionPostDTO]
        var forecast: [Double]
        var burstZ: Double
        var spread: Spread
    }

    static func posts(of event: OpinionEvent, on db: any Database) async throws -> [OpinionPost] {
        try await OpinionPost.query(on: db).filter(\.$eventID == event.id!).sort(\.$postedAt, .ascending).limit(maxPosts).all()
    }

    static func hourly(_ posts: [OpinionPost]) -> [Bucket] {
        guard let first = posts.map(\.postedAt).min(), let last = posts.map(\.postedAt).max() else { return [] }
        let start = floor(first.timeIntervalSince1970 / 3600) * 3600
        let hours = min(24 * 30, Int((last.timeIntervalSince1970 - start) / 3600) + 1)
        var buckets = (0..<hours).map { Bucket(at: Date(timeIntervalSince1970: start + Double($0) * 3600), total: 0, positive: 0, neutral: 0, negative: 0) }
        for p in posts {
            let i = min(hours - 1, max(0, Int((p.postedAt.timeIntervalSince1970 - start) / 3600)))
            buckets[i].total += 1
            switch p.sentiment {
            case "positive": buckets[i].positive += 1
            case "negative": buckets[i].negative += 1
            default: buckets[i].neutral += 1
            }
        }
        return buckets
    }

    static func top(_ values: [String], _ n: Int) -> [Count] {
        var c: [String: Int] = [:]
        for v in values { c[v, default: 0] += 1 }
        return c.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(n).map { Count(name: $0.key, count: $0.value) }
    }

    static func spread(_ posts: [OpinionPost]) -> Spread {
        let graph = SpreadGraph(posts: posts.map { SpreadGraph.Post(id: $0.externalID, author: $0.author, at: $0.postedAt, parent: $0.repostOf ?? $0.replyTo) })
        let reach = graph.reach()
        let between = graph.authors.count <= 2000 ? graph.betweenness() : [Double](repeating: 0, count: graph.authors.count)
        let origins = Set(graph.origins())
        let order = graph.authors.indices.sorted { (reach[$0], between[$0], graph.authors[$1]) > (reach[$1], between[$1], graph.authors[$0]) }.prefix(150)
        let kept = Set(order)
        let nodes = order.map { SpreadNode(author: graph.authors[$0], firstAt: graph.firstSeen[$0], reach: reach[$0],
                                           betweenness: (between[$0] * 100).rounded() / 100, origin: origins.contains($0)) }
        let edges = graph.edges.filter { kept.contains($0.from) && kept.contains($0.to) }.prefix(500)
            .map { SpreadEdge(from: graph.authors[$0.from], to: graph.authors[$0.to]) }
        var speed = 0.0
        if let a = graph.firstSeen.min(), let b = graph.firstSeen.max() { speed = Double(graph.authors.count) / max(1, b.timeIntervalSince(a) / 3600) }
        return Spread(nodes: nodes, edges: Array(edges), origins: graph.origins().map { graph.authors[$0] },
                      paths: graph.paths().map { $0.map { graph.authors[$0] } }, authorsPerHour: (speed * 100).rounded() / 100)
    }

    static func detail(_ event: OpinionEvent, on db: any Database) async throws -> Detail {
        let posts = try await posts(of: event, on: db)
        let volume = hourly(posts)
        let counts = volume.map { Double($0.total) }
        let originals = posts.filter { $0.duplicateOf == nil }
        let reps = originals.sorted { ($0.reposts &+ $0.comments &+ $0.likes, $1.postedAt) > ($1.reposts &+ $1.comments &+ $1.likes, $0.postedAt) }.prefix(5)
        return Detail(event: OpinionEventDTO(event), volume: volume, sources: top(posts.map(\.platform), 10), authors: top(posts.map(\.author), 10),
                      regions: top(posts.compactMap(\.region), 10),
                      keywords: event.termWeights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(40).map { Term(word: $0.key, weight: ($0.value * 1000).rounded() / 1000) },
                      representatives: reps.map(OpinionPostDTO.init), timeline: Array(originals.prefix(20)).map(OpinionPostDTO.init),
                      forecast: Trend.holt(counts), burstZ: Trend.burst(counts).zScore, spread: spread(posts))
    }
}
