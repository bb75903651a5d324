import Fluent
import SQLKit

/// 090: monitored posts, with fingerprints, sentiment, entities and their event.
struct M090_CreateOpinionPosts: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(OpinionPost.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("source_id", .uuid)
            .field("platform", .string, .required)
            .field("external_id", .string, .required)
            .field("author", .string, .required)
            .field("text", .string, .required)
            .field("text_simplified", .string, .required)
            .field("language", .string, .required)
            .field("url", .string)
            .field("posted_at", .datetime, .required)
            .field("received_at", .datetime, .required)
            .field("future_time", .bool, .required)
            .field("repost_of", .string)
            .field("reply_to", .string)
            .field("likes", .int, .required)
            .field("reposts", .int, .required)
            .field("comments", .int, .required)
            .field("content_hash", .string, .required)
            .field("simhash", .int64, .required)
            .field("duplicate_of", .uuid)
            .field("sentiment", .string, .required)
            .field("sentiment_score", .double, .required)
            .field("keywords", .array(of: .string), .required)
            .field("entities", .array(of: .string), .required)
            .field("region", .string)
            .field("event_id", .uuid)
            .field("scheme_ids", .array(of: .string), .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "opinion_posts_ext").on(OpinionPost.schema).column("tenant_id").column("platform").column("external_id").run()
        try await sql.create(index: "opinion_posts_hash").on(OpinionPost.schema).column("tenant_id").column("content_hash").run()
        try await sql.create(index: "opinion_posts_event").on(OpinionPost.schema).column("event_id").column("posted_at").run()
        try await sql.create(index: "opinion_posts_time").on(OpinionPost.schema).column("tenant_id").column("posted_at").run()
    }

    func revert(on db: Database) async throws { try await db.schema(OpinionPost.schema).delete() }
}

/// 091: events (clusters of posts).
struct M091_CreateOpinionEvents: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(OpinionEvent.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("title", .string, .required)
            .field("terms", .array(of: .string), .required)
            .field("post_count", .int, .required)
            .field("positive", .int, .required)
            .field("neutral", .int, .required)
            .field("negative", .int, .required)
            .field("first_at", .datetime, .required)
            .field("last_at", .datetime, .required)
            .field("status", .string, .required)
            .field("merged_into", .uuid)
            .field("risk", .double, .required)
            .field("heat", .double, .required)
            .field("topic_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "opinion_events_tenant").on(OpinionEvent.schema).column("tenant_id").column("last_at").run()
    }

    func revert(on db: Database) async throws { try await db.schema(OpinionEvent.schema).delete() }
}

/// 092: monitoring schemes, sources, alert rules, alerts and imports.
struct M092_CreateOpinionSettings: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(OpinionScheme.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("name", .string, .required)
            .field("rule", .string, .required)
            .field("regions", .array(of: .string), .required)
            .field("platforms", .array(of: .string), .required)
            .field("exclusions", .array(of: .string), .required)
            .field("enabled", .bool, .required)
            .field("archived", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.schema(OpinionSource.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("url", .string)
            .field("platform", .string, .required)
            .field("webhook_secret", .string, .required)
            .field("posts_received", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.schema(OpinionAlertRule.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("name", .string, .required)
            .field("scheme_id", .uuid)
            .field("min_posts", .int, .required)
            .field("window_minutes", .int, .required)
            .field("min_risk", .double, .required)
            .field("min_negative_share", .double, .required)
            .field("require_burst", .bool, .required)
            .field("email", .string, .required)
            .field("enabled", .bool, .required)
            .field("archived", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.schema(OpinionAlert.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("rule_id", .uuid, .required)
            .field("event_id", .uuid, .required)
            .field("title", .string, .required)
            .field("detail", .string, .required)
            .field("risk", .double, .required)
            .field("window_posts", .int, .required)
            .field("email_payload", .string, .required)
            .field("email_status", .string, .required)
            .field("notified", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.schema(OpinionImport.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("source_id", .uuid)
            .field("format", .string, .required)
            .field("path", .string, .required)
            .field("total_bytes", .int64, .required)
            .field("checkpoint", .int64, .required)
            .field("rows_read", .int, .required)
            .field("imported", .int, .required)
            .field("duplicates", .int, .required)
            .field("skipped", .int, .required)
            .field("future_times", .int, .required)
            .field("problems", .array(of: .string), .required)
            .field("status", .string, .required)
            .field("job_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "opinion_alerts_tenant").on(OpinionAlert.schema).column("tenant_id").column("created_at").run()
        try await sql.create(index: "opinion_alerts_rule_event").on(OpinionAlert.schema).column("rule_id").column("event_id").run()
    }

    func revert(on db: Database) async throws {
        for schema in [OpinionImport.schema, OpinionAlert.schema, OpinionAlertRule.schema, OpinionSource.schema, OpinionScheme.schema] {
            try await db.schema(schema).delete()
        }
    }
}

/// 093: feed sources polled on a schedule (interval and next due time; null interval = the default).
struct M093_OpinionFeedSchedule: AsyncMigration {
    func prepare(on db: Database) async throws {
        // One column per ALTER: SQLite adds a single column per statement.
        try await db.schema(OpinionSource.schema).field("interval_seconds", .int).update()
        try await db.schema(OpinionSource.schema).field("next_poll_at", .datetime).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema(OpinionSource.schema).deleteField("next_poll_at").update()
        try await db.schema(OpinionSource.schema).deleteField("interval_seconds").update()
    }
}

/// 094: one post per (tenant, platform, ID) in the database too — the backstop for batches of one tenant ingested by
/// two processes at once (within one process they run one at a time: `OpinionIngest.queue`). A database that already
/// holds such duplicates (stored before this) keeps the plain index, and the migration says so in the log.
struct M094_UniqueOpinionPostIDs: AsyncMigration {
    func prepare(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        let repeated = try await sql.raw("""
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM opinion_posts GROUP BY tenant_id, platform, external_id HAVING COUNT(*) > 1) r
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        guard repeated == 0 else {
            db.logger.warning("opinion_posts holds \(repeated) repeated (tenant, platform, ID) keys: kept the non-unique index")
            return
        }
        try await sql.create(index: "opinion_posts_ext_unique").unique().on(OpinionPost.schema)
            .column("tenant_id").column("platform").column("external_id").run()
        try await sql.drop(index: "opinion_posts_ext").run()
    }

    func revert(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX IF NOT EXISTS opinion_posts_ext ON opinion_posts (tenant_id, platform, external_id)").run()
        try await sql.drop(index: "opinion_posts_ext_unique").ifExists().run()
    }
}

/// 095: an event's posts by arrival, with their stated time. The alert figures count the posts that arrived within 13
/// windows; with only (event_id, posted_at) each check read every post an event ever had (1.5 s per query for 61
/// events holding 1,100,000 posts), on every import check and every scheduler minute. With the stated time in the
/// index the volume per window is counted from the index alone (3.0 s → 0.75 s when all 1,100,000 are in the windows).
struct M095_OpinionPostsByArrival: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await (db as! any SQLDatabase).create(index: "opinion_posts_event_arrival").on(OpinionPost.schema)
            .column("event_id").column("received_at").column("posted_at").run()
    }

    func revert(on db: Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "opinion_posts_event_arrival").ifExists().run()
    }
}

/// An event's page counts volume by hour and sentiment, sources, regions and authors, and picks its most engaged
/// originals, over all the event's posts; with only (event_id, posted_at) indexed each of those five queries read
/// every post's row (an event of 100,000 posts: ~0.15 s each). This index holds the columns they read, so they are
/// answered from the index alone (~7× fewer pages). It starts with the columns of `opinion_posts_event`, which it
/// replaces, so a post still updates as many indexes as before.
struct M097_OpinionEventFiguresIndex: AsyncMigration {
    static let columns = ["event_id", "posted_at", "sentiment", "platform", "region", "author", "duplicate_of", "likes", "reposts", "comments", "id"]

    func prepare(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        var index = sql.create(index: "opinion_posts_event_figures").on(OpinionPost.schema)
        for c in Self.columns { index = index.column(c) }
        try await index.run()
        try await sql.drop(index: "opinion_posts_event").ifExists().run()
    }

    func revert(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.create(index: "opinion_posts_event").on(OpinionPost.schema).column("event_id").column("posted_at").run()
        try await sql.drop(index: "opinion_posts_event_figures").ifExists().run()
    }
}

/// 098: a source can be switched off and deleted, and shows how its last poll went and when posts last arrived.
/// 099: a scheme can be limited to some of the tenant's sources.
struct M099_SchemeSources: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(OpinionScheme.schema).field("source_ids", .array(of: .uuid)).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema(OpinionScheme.schema).deleteField("source_ids").update()
    }
}

struct M098_OpinionSourceState: AsyncMigration {
    func prepare(on db: Database) async throws {
        // One column per ALTER: SQLite adds a single column per statement.
        try await db.schema(OpinionSource.schema).field("enabled", .bool, .required, .sql(.default(true))).update()
        try await db.schema(OpinionSource.schema).field("archived", .bool, .required, .sql(.default(false))).update()
        try await db.schema(OpinionSource.schema).field("last_polled_at", .datetime).update()
        try await db.schema(OpinionSource.schema).field("last_outcome", .string).update()
        try await db.schema(OpinionSource.schema).field("last_error", .string).update()
        try await db.schema(OpinionSource.schema).field("last_received_at", .datetime).update()
    }

    func revert(on db: Database) async throws {
        for field in ["last_received_at", "last_error", "last_outcome", "last_polled_at", "archived", "enabled"] {
            try await db.schema(OpinionSource.schema).deleteField(.string(field)).update()
        }
    }
}
