import Fluent
import Foundation
import SQLKit

/// An event's alert figures, counted by the database for many events at once.
///
/// Before, every ingest batch read each touched event's posts of the last 13 windows into models (up to 20,000 per
/// event) and counted them in Swift: a 500-post import batch touching 200 events decoded thousands of rows, more as
/// the events grew (about 15 % of an import's CPU, perf 2026-12-04). Now three grouped queries serve all the events of
/// a batch: volume per window, the window's sums, and the distinct sensitive keywords and schemes per event.
extension OpinionAlerts {
    /// Figures of each event over `window` seconds ending `now`, against 12 earlier windows.
    ///
    /// A post counts in the window of its time (`posted_at`, but no earlier than 13 windows before its arrival and
    /// no later than its arrival); posts that arrived before the 13 windows are not counted. The negative share,
    /// heat, sensitive words and schemes come from the posts that arrived within the last window.
    static func figures(eventIDs: [UUID], window: TimeInterval, on db: any Database, now: Date) async throws -> [UUID: Figures] {
        guard !eventIDs.isEmpty else { return [:] }
        let sql = try OpinionIngest.sqlDatabase(db)
        let dialect = OpinionSQLDialect(sql)
        let span = window * 13
        let nowEpoch = now.timeIntervalSince1970
        var buckets: [UUID: [Double]] = [:]
        var sums: [UUID: (posts: Int, negative: Int, likes: Int, reposts: Int, comments: Int)] = [:]
        var words: [UUID: Set<String>] = [:]
        var schemes: [UUID: Set<String>] = [:]
        for chunk in eventIDs.chunked(200) {
            let ids: [any Encodable & Sendable] = chunk
            let received = dialect.epoch("received_at"), posted = dialect.epoch("posted_at")
            // A post's time: its stated time, within [arrival − 13 windows, arrival]; its age in whole windows is
            // clamped to the 13 buckets below.
            let time = dialect.least(dialect.greatest(posted, "\(received) - \(span)"), received)
            let age = dialect.trunc("(\(nowEpoch) - \(time)) / \(window)")
            let volume = try await sql.raw("""
                SELECT event_id, \(unsafeRaw: age) AS age, \(unsafeRaw: dialect.real("COUNT(*)")) AS n FROM opinion_posts p
                WHERE \(arrived(ids, since: now.addingTimeInterval(-span))) GROUP BY event_id, \(unsafeRaw: age)
                """).all()
            for row in volume {
                let id = try row.decode(column: "event_id", as: UUID.self)
                let windowsAgo = Int(try row.decode(column: "age", as: Double.self))
                let n = try row.decode(column: "n", as: Double.self)
                buckets[id, default: [Double](repeating: 0, count: 13)][12 - min(12, max(0, windowsAgo))] += n
            }
            let since = now.addingTimeInterval(-window)
            let totals = try await sql.raw("""
                SELECT event_id, \(unsafeRaw: dialect.real("COUNT(*)")) AS n,
                       \(unsafeRaw: dialect.real("SUM(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END)")) AS negative,
                       \(unsafeRaw: dialect.real("SUM(likes)")) AS likes, \(unsafeRaw: dialect.real("SUM(reposts)")) AS reposts,
                       \(unsafeRaw: dialect.real("SUM(comments)")) AS comments
                FROM opinion_posts p WHERE \(arrived(ids, since: since)) GROUP BY event_id
                """).all()
            for row in totals {
                let id = try row.decode(column: "event_id", as: UUID.self)
                func int(_ c: String) throws -> Int { Int(clamping: Int64(try row.decode(column: c, as: Double?.self) ?? 0)) }
                sums[id] = (try int("n"), try int("negative"), try int("likes"), try int("reposts"), try int("comments"))
            }
            // The distinct sensitive keywords and schemes per event, taken out of the lists by the database. Before,
            // every flagged post's lists were read and decoded (up to 20,000 per 200 events, each batch): during a long
            // import, whose posts all arrive within the window, that grew with every batch (60 % of an import's CPU at
            // 90,000 posts, perf 2026-12-06).
            let anyWord = dialect.holdsAny("p.keywords", Trend.sensitiveWords)
            let keyword = dialect.element("k")
            let keywordHasWord = Trend.sensitiveWords.map { dialect.contains(keyword, $0) }.joined(separator: " OR ")
            let flagged = try await sql.raw("""
                SELECT DISTINCT p.event_id AS event_id, \(unsafeRaw: keyword) AS word FROM opinion_posts p, \(unsafeRaw: dialect.elements("p.keywords", as: "k"))
                WHERE \(arrived(ids, since: since)) AND (\(unsafeRaw: anyWord)) AND (\(unsafeRaw: keywordHasWord))
                """).all()
            for row in flagged {
                words[try row.decode(column: "event_id", as: UUID.self), default: []].insert(try row.decode(column: "word", as: String.self))
            }
            let schemed = try await sql.raw("""
                SELECT DISTINCT p.event_id AS event_id, \(unsafeRaw: dialect.element("s")) AS scheme FROM opinion_posts p, \(unsafeRaw: dialect.elements("p.scheme_ids", as: "s"))
                WHERE \(arrived(ids, since: since)) AND \(unsafeRaw: dialect.nonEmpty("p.scheme_ids"))
                """).all()
            for row in schemed {
                schemes[try row.decode(column: "event_id", as: UUID.self), default: []].insert(try row.decode(column: "scheme", as: String.self))
            }
        }
        var out: [UUID: Figures] = [:]
        for id in eventIDs {
            let s = sums[id] ?? (0, 0, 0, 0, 0)
            let share = s.posts == 0 ? 0 : Double(s.negative) / Double(s.posts)
            let burst = Trend.burst(buckets[id] ?? [Double](repeating: 0, count: 13))
            let risk = Trend.risk(volume: s.posts, zScore: burst.zScore, negativeShare: share, sensitiveHits: words[id]?.count ?? 0)
            out[id] = Figures(windowPosts: s.posts, negativeShare: share, burst: burst, risk: risk,
                              heat: Trend.heat(volume: s.posts, reposts: s.reposts, comments: s.comments, likes: s.likes),
                              schemeIDs: schemes[id] ?? [])
        }
        return out
    }

    /// The posts (`p`) of these events that arrived since a time: one range of the (event_id, received_at) index per
    /// event (migration 095), so a check reads the windows' posts, not each event's whole history.
    static func arrived(_ ids: [any Encodable & Sendable], since: Date) -> SQLQueryString {
        "p.event_id IN (\(binds: ids)) AND p.received_at >= \(bind: since)"
    }
}
