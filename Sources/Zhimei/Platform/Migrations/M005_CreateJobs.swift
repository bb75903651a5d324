import Fluent
import SQLKit

/// 005: the durable job table.
struct M005_CreateJobs: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Job.schema)
            .id()
            .field("kind", .string, .required)
            .field("tenant_id", .uuid)
            .field("payload", .string, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("lease_expires_at", .datetime)
            .field("lease_owner", .string)
            .field("idempotency_key", .string)
            .field("progress_stage", .string, .required)
            .field("progress_percent", .int, .required)
            .field("last_error", .string)
            .field("result", .string)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "idempotency_key")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "jobs_claim").on(Job.schema).column("state").column("run_at").run()
        try await sql.create(index: "jobs_tenant").on(Job.schema).column("tenant_id").column("created_at").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(Job.schema).delete()
    }
}
