import Fluent
import Foundation
import SQLKit
import Vapor

/// Figures of one event for its page, the API and reports: timeline, hourly volume and sentiment mix, top sources,
/// keywords (word cloud), representative posts and the spread graph.
enum OpinionAnalysis {
    /// The posts the spread graph is drawn from: the event's first, by stated time.
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

    /// Hourly buckets from grouped rows of `hour` (start, Unix seconds), `sentiment` and `n`.
    static func buckets(rows: [any SQLRow]) throws -> [Bucket] {
        var counts: [Int64: (positive: Int, neutral: Int, negative: Int)] = [:]
        for row in rows {
            let h = try row.decode(column: "hour", as: Int64.self), n = try row.decode(column: "n", as: Int.self)
            switch try row.decode(column: "sentiment", as: String.self) {
            case "positive": counts[h, default: (0, 0, 0)].positive += n
            case "negative": counts[h, default: (0, 0, 0)].negative += n
            default: counts[h, default: (0, 0, 0)].neutral += n
            }
        }
        return buckets(counts)
    }

    /// Hourly buckets from the first hour with posts to the last (at most 30 days; later hours count in the last).
    static func buckets(_ counts: [Int64: (positive: Int, neutral: Int, negative: Int)]) -> [Bucket] {
        guard let start = counts.keys.min(), let end = counts.keys.max() else { return [] }
        let hours = min(24 * 30, Int((end - start) / 3600) + 1)
        var buckets = (0..<hours).map { Bucket(at: Date(timeIntervalSince1970: Double(start + Int64($0) * 3600)), total: 0, positive: 0, neutral: 0, negative: 0) }
        for (hour, c) in counts {
            let i = min(hours - 1, Int((hour - start) / 3600))
            buckets[i].positive += c.positive; buckets[i].neutral += c.neutral; buckets[i].negative += c.negative
            buckets[i].total += c.positive + c.neutral + c.negative
        }
        return buckets
    }

    static func spread(_ posts: [SpreadGraph.Post]) -> Spread {
        let graph = SpreadGraph(posts: posts)
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

    /// The figures of an event's page. Volume, sentiment mix, sources, authors, regions and representative posts are
    /// counted by the database over all the event's posts; the spread graph is drawn from the first `maxPosts`. Before,
    /// everything came from the first 5,000 posts, so a bigger event's curve stopped early and its counts were partial
    /// (and reading 5,000 whole posts took ~1 s).
    static func detail(_ event: OpinionEvent, on db: any Database) async throws -> Detail {
        let sql = try OpinionIngest.sqlDatabase(db)
        let eventID = event.id!
        let hour = OpinionSQLDialect(sql).hour("posted_at")
        let volume = try buckets(rows: try await sql.raw(Self.volumeQuery(eventID, hour: hour)).all())
        let counts = volume.map { Double($0.total) }
        func top(_ column: String) async throws -> [Count] {
            try await sql.raw(Self.topQuery(column, eventID)).all()
                .map { Count(name: try $0.decode(column: "name", as: String.self), count: try $0.decode(column: "n", as: Int.self)) }
        }
        // Representative posts: the originals with the most engagement; the timeline: the first originals.
        let engaged = try await sql.raw(Self.engagedQuery(eventID)).all().map { try $0.decode(column: "id", as: UUID.self) }
        let byID = Dictionary(try await OpinionPost.query(on: db).filter(\.$id ~~ engaged).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let timeline = try await OpinionPost.query(on: db).filter(\.$eventID == eventID).filter(\.$duplicateOf == nil)
            .sort(\.$postedAt, .ascending).limit(20).all()
        return Detail(event: OpinionEventDTO(event), volume: volume, sources: try await top("platform"), authors: try await top("author"),
                      regions: try await top("region"),
                      keywords: event.termWeights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(40).map { Term(word: $0.key, weight: ($0.value * 1000).rounded() / 1000) },
                      representatives: engaged.compactMap { byID[$0] }.map(OpinionPostDTO.init), timeline: timeline.map(OpinionPostDTO.init),
                      forecast: Trend.holt(counts), burstZ: Trend.burst(counts).zScore, spread: try await spread(of: eventID, on: sql))
    }

    // The five queries of an event's figures; each reads only columns of `opinion_posts_event_figures` (migration 097).

    static func volumeQuery(_ eventID: UUID, hour: String) -> SQLQueryString {
        "SELECT \(unsafeRaw: hour) AS hour, sentiment, COUNT(*) AS n FROM opinion_posts WHERE event_id = \(bind: eventID) GROUP BY 1, 2"
    }

    /// The ten most frequent values of a column (platform, author, region).
    static func topQuery(_ column: String, _ eventID: UUID) -> SQLQueryString {
        """
        SELECT \(ident: column) AS name, COUNT(*) AS n FROM opinion_posts WHERE event_id = \(bind: eventID) AND \(ident: column) IS NOT NULL
        GROUP BY 1 ORDER BY n DESC, name ASC LIMIT 10
        """
    }

    static func engagedQuery(_ eventID: UUID) -> SQLQueryString {
        """
        SELECT id FROM opinion_posts WHERE event_id = \(bind: eventID) AND duplicate_of IS NULL
        ORDER BY reposts + comments + likes DESC, posted_at ASC LIMIT 5
        """
    }

    /// The spread graph of the event's first `maxPosts` posts, reading only the columns it needs.
    static func spread(of eventID: UUID, on sql: any SQLDatabase) async throws -> Spread {
        let rows = try await sql.raw("""
            SELECT external_id, author, posted_at, repost_of, reply_to FROM opinion_posts WHERE event_id = \(bind: eventID)
            ORDER BY posted_at ASC LIMIT \(literal: maxPosts)
            """).all()
        return spread(try rows.map { row in
            SpreadGraph.Post(id: try row.decode(column: "external_id", as: String.self), author: try row.decode(column: "author", as: String.self),
                             at: try row.decode(column: "posted_at", as: Date.self),
                             parent: try row.decode(column: "repost_of", as: String?.self) ?? row.decode(column: "reply_to", as: String?.self))
        })
    }
}
