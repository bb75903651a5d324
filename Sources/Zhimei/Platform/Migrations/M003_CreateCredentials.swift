import Fluent
import SQLKit

/// 003: browser sessions and API tokens.
struct M003_CreateCredentials: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(UserSession.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("active_tenant_id", .uuid)
            .field("ip", .string, .required)
            .field("user_agent", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("ended_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("token_hash", .string, .required)
            .field("scopes", .array(of: .string), .required)
            .field("expires_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(APIToken.schema).delete()
        try await db.schema(UserSession.schema).delete()
    }
}
