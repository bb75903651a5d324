import Fluent
import Foundation
import SQLKit

/// Per tenant and clock hour (by a post's stated time): posts by sentiment (`s:negative` …) and the first five keywords
/// of each post (`k:词`), kept as posts are stored (`OpinionIngest.insert`). The dashboard reads 24 hours of these
/// counts. Before, it decoded the newest 20,000 posts of the day, so a tenant with more posts than that a day saw
/// only the last hours in its chart and bursts against empty hours (3.5 s at 1,000,000 posts).
enum OpinionHourlyCounts {
    static let schema = "opinion_hourly_counts"
    /// The keywords of a post that count, as the dashboard always took them.
    static let keywordsPerPost = 5

    /// The start of the clock hour holding `date`, in Unix seconds.
    static func hour(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 3600).rounded(.down)) * 3600 }

    static func key(sentiment: String) -> String { "s:" + sentiment }
    static func key(keyword: String) -> String { "k:" + keyword }

    struct Cell: Hashable { var tenantID: UUID; var hour: Int64; var key: String }

    /// The counts these posts add.
    static func counts(of posts: [OpinionPost]) -> [Cell: Int] {
        var counts: [Cell: Int] = [:]
        for p in posts {
            let hour = hour(p.postedAt)
            counts[Cell(tenantID: p.tenantID, hour: hour, key: key(sentiment: p.sentiment)), default: 0] += 1
            for word in p.keywords.prefix(keywordsPerPost) {
                counts[Cell(tenantID: p.tenantID, hour: hour, key: key(keyword: word)), default: 0] += 1
            }
        }
        return counts
    }

    /// Adds the posts' counts, in the caller's transaction (an upsert per 300 cells).
    static func add(_ posts: [OpinionPost], on sql: any SQLDatabase) async throws {
        let cells = counts(of: posts).sorted { ($0.key.tenantID.uuidString, $0.key.hour, $0.key.key) < ($1.key.tenantID.uuidString, $1.key.hour, $1.key.key) }
        for chunk in cells.chunked(300) {
            let rows: [SQLQueryString] = chunk.map { "(\(bind: $0.key.tenantID), \(bind: $0.key.hour), \(bind: $0.key.key), \(bind: $0.value))" }
            try await sql.raw("INSERT INTO opinion_hourly_counts (tenant_id, hour, key, n) VALUES " + rows.joined(separator: ", ")
                + " ON CONFLICT (tenant_id, hour, key) DO UPDATE SET n = opinion_hourly_counts.n + excluded.n").run()
        }
    }

    /// The counts by hour start and key from `first` through `last` (hour starts), summed over the tenants in `scope`.
    static func read(_ scope: TenantScope, from first: Int64, through last: Int64, on db: any Database) async throws -> [Int64: [String: Int]] {
        let rows = try await OpinionIngest.sqlDatabase(db).raw("SELECT hour, key, CAST(SUM(n) AS BIGINT) AS n FROM opinion_hourly_counts WHERE "
            + scope.condition(column: "tenant_id") + " AND hour >= \(bind: first) AND hour <= \(bind: last) GROUP BY hour, key").all()
        var out: [Int64: [String: Int]] = [:]
        for row in rows {
            out[try row.decode(column: "hour", as: Int64.self), default: [:]][try row.decode(column: "key", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return out
    }

    /// The counts recomputed from the stored posts (tenant_id, hour, key, n): filled in by migration 096, and what
    /// the kept counts must equal.
    static func recount(_ dialect: OpinionSQLDialect) -> [SQLQueryString] {
        let hour = dialect.hour("p.posted_at"), word = dialect.element("k")
        return [
            "SELECT p.tenant_id AS tenant_id, \(unsafeRaw: hour) AS hour, 's:' || p.sentiment AS key, COUNT(*) AS n FROM opinion_posts p GROUP BY 1, 2, 3",
            """
            SELECT p.tenant_id AS tenant_id, \(unsafeRaw: hour) AS hour, 'k:' || \(unsafeRaw: word) AS key, COUNT(*) AS n
            FROM opinion_posts p, \(unsafeRaw: dialect.elements("p.keywords", as: "k")) WHERE \(unsafeRaw: dialect.place("k")) < \(literal: keywordsPerPost) GROUP BY 1, 2, 3
            """,
        ]
    }
}

/// 096: the hourly counts (`OpinionHourlyCounts`), filled in from the posts already stored.
struct M096_OpinionHourlyCounts: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(OpinionHourlyCounts.schema)
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("hour", .int64, .required)
            .field("key", .string, .required)
            .field("n", .int64, .required)
            .compositeIdentifier(over: "tenant_id", "hour", "key")
            .create()
        let sql = db as! any SQLDatabase
        for select in OpinionHourlyCounts.recount(OpinionSQLDialect(sql)) {
            try await sql.raw("INSERT INTO opinion_hourly_counts (tenant_id, hour, key, n) " + select).run()
        }
    }

    func revert(on db: Database) async throws { try await db.schema(OpinionHourlyCounts.schema).delete() }
}
