import Fluent
import SQLKit

/// 070: per-tenant channels.
struct M070_CreatePublishChannels: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(PublishChannel.schema)
            .id()
            .field("tenant_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("enabled", .bool, .required)
            .field("max_length", .int, .required)
            .field("hashtags", .array(of: .string), .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "tenant_id", "kind")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema(PublishChannel.schema).delete() }
}

/// 071: publications (immutable per story version and channel).
struct M071_CreatePublications: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Publication.schema)
            .id()
            .field("tenant_id", .uuid, .required)
            .field("story_id", .uuid, .required)
            .field("story_version", .int, .required)
            .field("channel", .string, .required)
            .field("state", .string, .required)
            .field("headline", .string, .required)
            .field("summary", .string, .required)
            .field("snapshot", .json, .required)
            .field("rendered", .string, .required)
            .field("content_type", .string, .required)
            .field("author_name", .string, .required)
            .field("credit", .string, .required)
            .field("correction", .string)
            .field("corrected_at", .datetime)
            .field("publish_at", .datetime, .required)
            .field("published_at", .datetime)
            .field("first_published_at", .datetime)
            .field("killed_at", .datetime)
            .field("kill_reason", .string)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .unique(on: "story_id", "story_version", "channel")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "publications_tenant_channel_state").on(Publication.schema)
            .column("tenant_id").column("channel").column("state").column("published_at").run()
    }

    func revert(on db: Database) async throws { try await db.schema(Publication.schema).delete() }
}

/// 072: external destinations.
struct M072_CreatePublishDestinations: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(PublishDestination.schema)
            .id()
            .field("tenant_id", .uuid, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("target", .string, .required)
            .field("secret", .string, .required)
            .field("options", .json, .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("deleted_at", .datetime)
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema(PublishDestination.schema).delete() }
}

/// 073: the delivery log (one row per idempotency key).
struct M073_CreatePublishDeliveries: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(PublishDelivery.schema)
            .id()
            .field("tenant_id", .uuid, .required)
            .field("destination_id", .uuid, .required, .references(PublishDestination.schema, "id", onDelete: .cascade))
            .field("story_id", .uuid, .required)
            .field("story_version", .int, .required)
            .field("event", .string, .required)
            .field("idempotency_key", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .field("delivered_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "idempotency_key")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema(PublishDelivery.schema).delete() }
}

/// 074: per-tenant publication generation, bumped on every publish, update, correction and kill; serving processes
/// poll it to drop cached public answers changed by another process.
struct M074_CreatePublishGenerations: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(PublishGeneration.table)
            .field("tenant_id", .uuid, .required)
            .field("generation", .int64, .required)
            .unique(on: "tenant_id")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema(PublishGeneration.table).delete() }
}
