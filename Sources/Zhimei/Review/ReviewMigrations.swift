import Fluent
import SQLKit

/// 040: per-tenant review settings (stage → permission overrides, distinct signers).
struct M040_CreateReviewConfigs: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(ReviewConfig.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id))
            .field("stage_permissions", .array(of: .string), .required)
            .field("distinct_signers", .bool, .required)
            .field("updated_by", .uuid)
            .field("updated_at", .datetime)
            .unique(on: "tenant_id")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(ReviewConfig.schema).delete()
    }
}

/// 041: one review case per story (current round, stage, state).
struct M041_CreateReviewCases: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(ReviewCase.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id))
            .field("story_id", .uuid, .required)
            .field("author_id", .uuid)
            .field("submitter_id", .uuid)
            .field("headline", .string, .required)
            .field("author_name", .string, .required)
            .field("state", .string, .required)
            .field("round", .int, .required)
            .field("stage_index", .int, .required)
            .field("plan", .json, .required)
            .field("distinct_signers", .bool, .required)
            .field("story_version", .int)
            .field("submitted_at", .datetime)
            .field("decided_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "story_id")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "review_cases_queue").on(ReviewCase.schema).column("tenant_id").column("state").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(ReviewCase.schema).delete()
    }
}

/// 042: the review history (every round, every sign-off).
struct M042_CreateReviewEvents: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(ReviewEvent.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id))
            .field("story_id", .uuid, .required)
            .field("round", .int, .required)
            .field("stage_index", .int)
            .field("stage_name", .string)
            .field("action", .string, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("comment", .string, .required)
            .field("story_version", .int)
            .field("decision_key", .string)
            .field("at", .datetime, .required)
            .unique(on: "decision_key")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "review_events_story").on(ReviewEvent.schema).column("story_id").column("at").run()
        try await sql.create(index: "review_events_actor").on(ReviewEvent.schema).column("actor_id").column("at").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(ReviewEvent.schema).delete()
    }
}

/// 043: machine first-pass results, one per round.
struct M043_CreateFirstPasses: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(FirstPassRecord.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id))
            .field("story_id", .uuid, .required)
            .field("round", .int, .required)
            .field("status", .string, .required)
            .field("checker", .string, .required)
            .field("message_zh", .string, .required)
            .field("message_en", .string, .required)
            .field("findings", .json, .required)
            .field("at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "review_first_passes_story").on(FirstPassRecord.schema).column("story_id").column("round").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(FirstPassRecord.schema).delete()
    }
}

/// 044: removed visible AIGC labels.
struct M044_CreateAIGCLabelRemovals: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(AIGCLabelRemoval.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id))
            .field("story_id", .uuid, .required)
            .field("block_id", .string, .required)
            .field("reason", .string, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("at", .datetime, .required)
            .unique(on: "story_id", "block_id")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(AIGCLabelRemoval.schema).delete()
    }
}
