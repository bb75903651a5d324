import Fluent
import SQLKit

/// 010: lead sources (feeds and webhooks) with their polling state and health.
struct M010_CreateLeadSources: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(LeadSource.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("url", .string)
            .field("enabled", .bool, .required)
            .field("interval_seconds", .int, .required)
            .field("webhook_secret", .string, .required)
            .field("etag", .string)
            .field("last_modified", .string)
            .field("next_poll_at", .datetime)
            .field("last_polled_at", .datetime)
            .field("last_success_at", .datetime)
            .field("last_error", .string)
            .field("last_error_at", .datetime)
            .field("last_status", .int)
            .field("failure_count", .int, .required)
            .field("items_fetched", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "lead_sources_due").on(LeadSource.schema).column("enabled").column("next_poll_at").run()
        try await sql.create(index: "lead_sources_tenant").on(LeadSource.schema).column("tenant_id").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(LeadSource.schema).delete()
    }
}

/// 011: leads, with near-duplicate bands and cluster, status and assignment.
struct M011_CreateLeads: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Lead.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("source_id", .uuid)
            .field("origin", .string, .required)
            .field("source_name", .string, .required)
            .field("guid_hash", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("summary", .string, .required)
            .field("keywords", .array(of: .string), .required)
            .field("source_url", .string)
            .field("published_at", .datetime, .required)
            .field("fetched_at", .datetime, .required)
            .field("language", .string, .required)
            .field("title_simplified", .string)
            .field("body_simplified", .string)
            .field("category", .string, .required)
            .field("simhash", .int64, .required)
            .field("band0", .int, .required)
            .field("band1", .int, .required)
            .field("band2", .int, .required)
            .field("band3", .int, .required)
            .field("cluster_id", .uuid, .required)
            .field("status", .string, .required)
            .field("assignee_id", .uuid)
            .field("claimed_at", .datetime)
            .field("topic_id", .uuid)
            .field("contact", .string)
            .field("attachments", .array(of: .string), .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "leads_tenant_time").on(Lead.schema).column("tenant_id").column("fetched_at").run()
        try await sql.create(index: "leads_source_guid").on(Lead.schema).column("source_id").column("guid_hash").run()
        try await sql.create(index: "leads_cluster").on(Lead.schema).column("cluster_id").run()
        for band in 0..<4 {
            try await sql.create(index: "leads_band\(band)").on(Lead.schema).column("tenant_id").column("band\(band)").run()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema(Lead.schema).delete()
    }
}

/// 012: one lead per (source, item hash) across processes too. Ingests are serialised per tenant only inside one
/// process, so a `serve` and a `worker` polling the same feed could each store an item. Leads without a source (tips,
/// pasted text) have a NULL source and are not constrained (NULLs are distinct in a unique index on both databases).
/// A database that already holds repeated pairs keeps the plain index, with a warning, rather than failing to start.
struct M012_UniqueLeadGUIDs: AsyncMigration {
    func prepare(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        let repeated = try await sql.raw("""
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM leads WHERE source_id IS NOT NULL GROUP BY source_id, guid_hash HAVING COUNT(*) > 1) r
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        guard repeated == 0 else {
            db.logger.warning("leads holds \(repeated) repeated (source, item) pairs: kept the non-unique index")
            return
        }
        try await sql.create(index: "leads_source_guid_unique").unique().on(Lead.schema).column("source_id").column("guid_hash").run()
        try await sql.drop(index: "leads_source_guid").ifExists().run()
    }

    func revert(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX IF NOT EXISTS leads_source_guid ON leads (source_id, guid_hash)").run()
        try await sql.drop(index: "leads_source_guid_unique").ifExists().run()
    }
}
