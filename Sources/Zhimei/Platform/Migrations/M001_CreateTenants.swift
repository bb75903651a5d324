import Fluent

/// 001: tenants (the platform and its county centres).
struct M001_CreateTenants: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Tenant.schema)
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("parent_id", .uuid, .references(Tenant.schema, .id))
            .field("region", .string, .required)
            .field("disabled", .bool, .required)
            .field("settings", .json, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "slug")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(Tenant.schema).delete()
    }
}
