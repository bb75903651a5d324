import Fluent
import SQLKit
import Vapor

/// Where a topic is on the board. Moves one column at a time (no skipping).
public enum TopicStatus: String, Codable, Sendable, CaseIterable {
    case proposed, approved, inProgress = "in_progress", filed, done

    var index: Int { Self.allCases.firstIndex(of: self)! }
}

public enum TopicPriority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent
}

/// The kinds of coverage a topic needs.
public enum CoverageKind: String, Codable, Sendable, CaseIterable {
    case text, photo, video, live
}

/// A planned topic (选题).
public final class Topic: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "topics"
    public static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "title") public var title: String
    @Field(key: "description") public var details: String
    @Field(key: "angle") public var angle: String
    @Field(key: "priority") public var priority: TopicPriority
    @Field(key: "status") public var status: TopicStatus
    @OptionalField(key: "due_at") public var dueAt: Date?
    /// Assigned reporters (user IDs as strings; people of the same tenant).
    @Field(key: "assignee_ids") public var assigneeIDs: [String]
    @Field(key: "keywords") public var keywords: [String]
    /// The lead it was converted from, if any.
    @OptionalField(key: "lead_id") public var leadID: UUID?
    /// The shared-pool entry it was adopted from, if any.
    @OptionalField(key: "pool_entry_id") public var poolEntryID: UUID?
    @Field(key: "created_by") public var createdBy: UUID
    @Field(key: "created_by_name") public var createdByName: String
    @OptionalField(key: "approved_by") public var approvedBy: UUID?
    @OptionalField(key: "approved_at") public var approvedAt: Date?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    var assignees: [UUID] { assigneeIDs.compactMap(UUID.init(uuidString:)) }
}

/// One piece of coverage a topic needs (text, photo, video, live), with its assignee and a done flag.
public final class CoverageItem: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "topic_coverage"
    public static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "topic_id") public var topicID: UUID
    @Field(key: "kind") public var kind: CoverageKind
    @Field(key: "note") public var note: String
    @OptionalField(key: "assignee_id") public var assigneeID: UUID?
    @Field(key: "done") public var done: Bool
    /// Removed items stay (for the audit trail and idempotent deletes) but are hidden.
    @Field(key: "removed") public var removed: Bool
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}

/// A comment on a topic; `@username` of the same tenant notifies that person.
public final class TopicComment: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "topic_comments"
    public static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "topic_id") public var topicID: UUID
    @Field(key: "author_id") public var authorID: UUID
    @Field(key: "author_name") public var authorName: String
    @Field(key: "body") public var body: String
    /// Usernames that were mentioned and notified.
    @Field(key: "mentions") public var mentions: [String]
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// An interview outline draft (采访提纲) with its origin: the built-in template or a text-generation provider.
public final class InterviewOutline: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "interview_outlines"
    public static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "topic_id") public var topicID: UUID
    /// "template" or "ai".
    @Field(key: "origin") public var origin: String
    @Field(key: "provider") public var provider: String
    @Field(key: "model") public var model: String
    @Field(key: "generated_at") public var generatedAt: Date
    @Field(key: "content") public var content: String
    @Field(key: "keywords") public var keywords: [String]
    @Field(key: "people") public var people: [String]
    @Field(key: "places") public var places: [String]
    @Field(key: "organisations") public var organisations: [String]
    @Field(key: "created_by") public var createdBy: UUID
    @OptionalField(key: "edited_by") public var editedBy: UUID?
    @OptionalField(key: "edited_at") public var editedAt: Date?

    public init() {}
}

/// A read-only copy in the shared pool between the platform and the counties. Owned by the receiving tenant:
/// the platform for submissions (上报), a county for assignments (下发). Records where it came from.
public final class PoolEntry: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "shared_pool_entries"
    public static var tenantKey: FieldKey { "tenant_id" }

    public enum Direction: String, Codable, Sendable { case submitted, assigned }
    public enum Kind: String, Codable, Sendable, CaseIterable { case topic, story }

    @ID(key: .id) public var id: UUID?
    /// The receiving tenant (owner of this copy).
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "direction") public var direction: Direction
    @Field(key: "kind") public var kind: Kind
    @Field(key: "title") public var title: String
    @Field(key: "summary") public var summary: String
    @Field(key: "body") public var body: String
    @Field(key: "keywords") public var keywords: [String]
    @Field(key: "source_tenant_id") public var sourceTenantID: UUID
    @Field(key: "source_tenant_name") public var sourceTenantName: String
    @Field(key: "source_id") public var sourceID: UUID
    @OptionalField(key: "shared_by") public var sharedBy: UUID?
    @Field(key: "shared_by_name") public var sharedByName: String
    @Field(key: "shared_at") public var sharedAt: Date
    @OptionalField(key: "adopted_topic_id") public var adoptedTopicID: UUID?
    @OptionalField(key: "adopted_at") public var adoptedAt: Date?
    @OptionalField(key: "adopted_by_name") public var adoptedByName: String?

    public init() {}
}

/// 022: topics.
struct M022_CreateTopics: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Topic.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("angle", .string, .required)
            .field("priority", .string, .required)
            .field("status", .string, .required)
            .field("due_at", .datetime)
            .field("assignee_ids", .array(of: .string), .required)
            .field("keywords", .array(of: .string), .required)
            .field("lead_id", .uuid)
            .field("pool_entry_id", .uuid)
            .field("created_by", .uuid, .required)
            .field("created_by_name", .string, .required)
            .field("approved_by", .uuid)
            .field("approved_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "topics_tenant_status").on(Topic.schema).column("tenant_id").column("status").run()
        try await sql.create(index: "topics_tenant_due").on(Topic.schema).column("tenant_id").column("due_at").run()
    }

    func revert(on db: Database) async throws { try await db.schema(Topic.schema).delete() }
}

/// 023: coverage items of topics.
struct M023_CreateTopicCoverage: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(CoverageItem.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("topic_id", .uuid, .required, .references(Topic.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("note", .string, .required)
            .field("assignee_id", .uuid)
            .field("done", .bool, .required)
            .field("removed", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "topic_coverage_topic").on(CoverageItem.schema).column("topic_id").run()
    }

    func revert(on db: Database) async throws { try await db.schema(CoverageItem.schema).delete() }
}

/// 024: comments on topics.
struct M024_CreateTopicComments: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(TopicComment.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("topic_id", .uuid, .required, .references(Topic.schema, "id", onDelete: .cascade))
            .field("author_id", .uuid, .required)
            .field("author_name", .string, .required)
            .field("body", .string, .required)
            .field("mentions", .array(of: .string), .required)
            .field("created_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "topic_comments_topic").on(TopicComment.schema).column("topic_id").column("created_at").run()
    }

    func revert(on db: Database) async throws { try await db.schema(TopicComment.schema).delete() }
}

/// 025: interview outline drafts.
struct M025_CreateInterviewOutlines: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(InterviewOutline.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("topic_id", .uuid, .required, .references(Topic.schema, "id", onDelete: .cascade))
            .field("origin", .string, .required)
            .field("provider", .string, .required)
            .field("model", .string, .required)
            .field("generated_at", .datetime, .required)
            .field("content", .string, .required)
            .field("keywords", .array(of: .string), .required)
            .field("people", .array(of: .string), .required)
            .field("places", .array(of: .string), .required)
            .field("organisations", .array(of: .string), .required)
            .field("created_by", .uuid, .required)
            .field("edited_by", .uuid)
            .field("edited_at", .datetime)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "interview_outlines_topic").on(InterviewOutline.schema).column("topic_id").column("generated_at").run()
    }

    func revert(on db: Database) async throws { try await db.schema(InterviewOutline.schema).delete() }
}

/// 026: the shared pool between the platform and the counties.
struct M026_CreateSharedPool: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(PoolEntry.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("direction", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("summary", .string, .required)
            .field("body", .string, .required)
            .field("keywords", .array(of: .string), .required)
            .field("source_tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("source_tenant_name", .string, .required)
            .field("source_id", .uuid, .required)
            .field("shared_by", .uuid)
            .field("shared_by_name", .string, .required)
            .field("shared_at", .datetime, .required)
            .field("adopted_topic_id", .uuid)
            .field("adopted_at", .datetime)
            .field("adopted_by_name", .string)
            .unique(on: "tenant_id", "kind", "source_id")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "shared_pool_tenant").on(PoolEntry.schema).column("tenant_id").column("shared_at").run()
    }

    func revert(on db: Database) async throws { try await db.schema(PoolEntry.schema).delete() }
}
