import Fluent

/// 002: users and their per-tenant role memberships.
struct M002_CreatePeople: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(User.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("email", .string)
            .field("password_hash", .string, .required)
            .field("status", .string, .required)
            .field("home_tenant_id", .uuid, .required, .references(Tenant.schema, .id))
            .field("language", .string, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("must_change_password", .bool, .required)
            .field("invite_token_hash", .string)
            .field("invite_expires_at", .datetime)
            .field("last_login_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
        try await db.schema(Membership.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "user_id", "tenant_id", "role")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(Membership.schema).delete()
        try await db.schema(User.schema).delete()
    }
}
