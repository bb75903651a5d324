import Fluent
import SQLKit
import Vapor

/// Something waiting for one person: a mention, an assignment, a story to review. Shown under the bell
/// in the top bar and on /notifications; also sent to the tenant's notification webhook when one is configured.
/// (Named `AppNotification` so it never clashes with Foundation's `Notification`.)
public final class AppNotification: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "notifications"
    public static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    /// The recipient.
    @Field(key: "user_id") public var userID: UUID
    /// A dotted kind such as "topic.mention" or "review.waiting".
    @Field(key: "kind") public var kind: String
    @Field(key: "title") public var title: String
    /// A path inside the app ("/planning/topics/…").
    @Field(key: "link") public var link: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "read_at") public var readAt: Date?

    public init() {}
}

/// A tenant's notification webhook: every notification of the tenant is POSTed there, signed with HMAC-SHA256.
public final class NotificationWebhook: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "notification_webhooks"
    public static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "url") public var url: String
    /// The signing secret (needed in clear to sign; shown to the admin once, when generated).
    @Field(key: "secret") public var secret: String
    @Field(key: "enabled") public var enabled: Bool
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    @OptionalField(key: "last_delivery_at") public var lastDeliveryAt: Date?
    @OptionalField(key: "last_status") public var lastStatus: Int?
    @OptionalField(key: "last_error") public var lastError: String?

    public init() {}
}

/// 020: notifications (per recipient, per tenant).
struct M020_CreateNotifications: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(AppNotification.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "notifications_user").on(AppNotification.schema).column("user_id").column("created_at").run()
        try await sql.create(index: "notifications_tenant").on(AppNotification.schema).column("tenant_id").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(AppNotification.schema).delete()
    }
}

/// 021: one notification webhook per tenant.
struct M021_CreateNotificationWebhooks: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(NotificationWebhook.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references("tenants", "id"))
            .field("url", .string, .required)
            .field("secret", .string, .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("last_delivery_at", .datetime)
            .field("last_status", .int)
            .field("last_error", .string)
            .unique(on: "tenant_id")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema(NotificationWebhook.schema).delete()
    }
}
