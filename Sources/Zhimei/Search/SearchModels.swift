import Fluent
import Foundation

/// How far the sync job has read each source (its watermark).
final class SearchSyncState: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "search_sync_state"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "last_id") var lastID: UUID?
    @Field(key: "synced_at") var syncedAt: Date
    init() {}
}

/// A tenant's synonym group (同义词): any word of the group also finds the others.
final class SearchSynonym: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "search_synonyms"
    static var tenantKey: FieldKey { "tenant_id" }
    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "words") var words: [String]
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A saved search with an alert: the owner is notified when new items match.
final class SavedSearch: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "search_saved"
    static var tenantKey: FieldKey { "tenant_id" }
    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "query") var query: String
    @Field(key: "kinds") var kinds: [String]
    @Field(key: "alert") var alert: Bool
    /// The search's other filters as query parameters (state, channel, author, tag, category, language, tenant_id, from,
    /// to, sort, recency); nil for searches saved before they were kept.
    @OptionalField(key: "filters") var filters: [String: String]?
    @Field(key: "checked_at") var checkedAt: Date
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// 061: sync watermarks, synonym groups, saved searches.
struct M061_CreateSearchSupport: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(SearchSyncState.schema)
            .field("id", .string, .identifier(auto: false))
            .field("updated_at", .datetime, .required)
            .field("last_id", .uuid)
            .field("synced_at", .datetime, .required)
            .create()
        try await db.schema(SearchSynonym.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id", onDelete: .cascade))
            .field("words", .array(of: .string), .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.schema(SavedSearch.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required)
            .field("name", .string, .required)
            .field("query", .string, .required)
            .field("kinds", .array(of: .string), .required)
            .field("alert", .bool, .required)
            .field("checked_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(SavedSearch.schema).delete()
        try await db.schema(SearchSynonym.schema).delete()
        try await db.schema(SearchSyncState.schema).delete()
    }
}

/// 160: a saved search keeps its filters, not only its words (search's second number range, 160–169).
struct M160_SavedSearchFilters: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(SavedSearch.schema).field("filters", .dictionary(of: .string)).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(SavedSearch.schema).deleteField("filters").update()
    }
}
