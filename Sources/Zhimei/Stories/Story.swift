import Fluent
import SQLKit
import Foundation
import Vapor

/// A story (稿件): metadata, a structured body of blocks, a workflow status and a version counter.
final class Story: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "stories"
    static var tenantKey: FieldKey { "tenant_id" }

    /// Workflow status. Only `draft`, `returned` and `recalled` stories can be edited; the Review module moves
    /// stories between the others through `StoryService.setStatus`.
    enum Status: String, Codable, Sendable, CaseIterable {
        case draft
        case inReview = "in_review"
        case returned
        case recalled
        case approved
        case rejected
        case published

        var isEditable: Bool { self == .draft || self == .returned || self == .recalled }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "author_name") var authorName: String
    @Field(key: "headline") var headline: String
    @Field(key: "subtitle") var subtitle: String
    /// 导语
    @Field(key: "lead") var lead: String
    @Field(key: "byline") var byline: String
    @Field(key: "tags") var tags: [String]
    @Field(key: "categories") var categories: [String]
    @Field(key: "location") var location: String
    @Field(key: "language") var language: String
    @OptionalField(key: "embargo") var embargo: Date?
    @Field(key: "body") var content: StoryBody
    @Field(key: "status") var status: Status
    /// Incremented by every save; equals the newest row in `story_versions`.
    @Field(key: "version") var version: Int
    @OptionalField(key: "topic_id") var topicID: UUID?
    /// Story-level AIGC label (set when AI produced or substantially rewrote the story).
    @OptionalField(key: "aigc") var aigc: AIGCLabel?
    /// 64-bit SimHash of the plain text (hex), for related stories; nil when the text engine was unavailable.
    @OptionalField(key: "fingerprint") var fingerprint: String?
    /// Edit lock: who holds it and until when (renewed by the editor's heartbeat).
    @OptionalField(key: "lock_holder_id") var lockHolderID: UUID?
    @OptionalField(key: "lock_holder_name") var lockHolderName: String?
    @OptionalField(key: "lock_expires_at") var lockExpiresAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var body: [StoryBlock] {
        get { content.blocks }
        set { content = StoryBody(blocks: newValue) }
    }

    /// The lock holder when the lock is still valid at `now`.
    func activeLock(now: Date = Date()) -> (id: UUID, name: String, expires: Date)? {
        guard let holder = lockHolderID, let expires = lockExpiresAt, expires > now else { return nil }
        return (holder, lockHolderName ?? "", expires)
    }
}

/// One saved version of a story: a full snapshot, who saved it and when.
final class StoryVersion: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "story_versions"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "story_id") var storyID: UUID
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "snapshot") var snapshot: StorySnapshot
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "author_name") var authorName: String
    /// Why this version exists: "create", "save", "restore:3", "import:docx".
    @Field(key: "note") var note: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Everything a version captures (the editable content of a story).
struct StorySnapshot: Codable, Sendable, Equatable {
    var headline: String
    var subtitle: String
    var lead: String
    var byline: String
    var tags: [String]
    var categories: [String]
    var location: String
    var language: String
    var embargo: Date?
    var body: [StoryBlock]
    var aigc: AIGCLabel?

    init(_ story: Story) {
        headline = story.headline; subtitle = story.subtitle; lead = story.lead; byline = story.byline
        tags = story.tags; categories = story.categories; location = story.location; language = story.language
        embargo = story.embargo; body = story.body; aigc = story.aigc
    }

    func apply(to story: Story) {
        story.headline = headline; story.subtitle = subtitle; story.lead = lead; story.byline = byline
        story.tags = tags; story.categories = categories; story.location = location; story.language = language
        story.embargo = embargo; story.body = body; story.aigc = aigc
    }
}

/// 030: stories.
struct M030_CreateStories: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(Story.schema)
            .id()
            .field("tenant_id", .uuid, .required)
            .field("author_id", .uuid, .required)
            .field("author_name", .string, .required)
            .field("headline", .string, .required)
            .field("subtitle", .string, .required)
            .field("lead", .string, .required)
            .field("byline", .string, .required)
            .field("tags", .array(of: .string), .required)
            .field("categories", .array(of: .string), .required)
            .field("location", .string, .required)
            .field("language", .string, .required)
            .field("embargo", .datetime)
            .field("body", .json, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("topic_id", .uuid)
            .field("aigc", .json)
            .field("fingerprint", .string)
            .field("lock_holder_id", .uuid)
            .field("lock_holder_name", .string)
            .field("lock_expires_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "stories_tenant_updated").on(Story.schema).column("tenant_id").column("updated_at").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(Story.schema).delete()
    }
}

/// 031: story versions.
struct M031_CreateStoryVersions: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(StoryVersion.schema)
            .id()
            .field("story_id", .uuid, .required, .references(Story.schema, "id", onDelete: .cascade))
            .field("tenant_id", .uuid, .required)
            .field("version", .int, .required)
            .field("snapshot", .json, .required)
            .field("author_id", .uuid, .required)
            .field("author_name", .string, .required)
            .field("note", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "story_id", "version")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(StoryVersion.schema).delete()
    }
}
