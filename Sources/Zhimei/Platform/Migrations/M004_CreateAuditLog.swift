import Fluent
import SQLKit

/// 004: the append-only, hash-chained audit log.
struct M004_CreateAuditLog: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(AuditEntry.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("at_ms", .int64, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("tenant_id", .uuid)
            .field("action", .string, .required)
            .field("target_type", .string, .required)
            .field("target_id", .string, .required)
            .field("ip", .string, .required)
            .field("outcome", .string, .required)
            .field("summary", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            // One successor per entry: two writers racing for the chain's tail cannot both win.
            .unique(on: "prev_hash")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "audit_entries_tenant_at").on(AuditEntry.schema).column("tenant_id").column("at_ms").run()
        try await sql.create(index: "audit_entries_action").on(AuditEntry.schema).column("action").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(AuditEntry.schema).delete()
    }
}
