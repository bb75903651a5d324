import Fluent
import Vapor

/// A browser sign-in. The cookie carries a random secret; only its SHA-256 is stored.
public final class UserSession: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "sessions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "token_hash") public var tokenHash: String
    @Parent(key: "user_id") public var user: User
    @Field(key: "csrf_token") public var csrfToken: String
    @OptionalField(key: "active_tenant_id") public var activeTenantID: UUID?
    @Field(key: "ip") public var ip: String
    @Field(key: "user_agent") public var userAgent: String
    @Field(key: "expires_at") public var expiresAt: Date
    @Field(key: "last_seen_at") public var lastSeenAt: Date
    @OptionalField(key: "ended_at") public var endedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// A scoped API token for scripts. Shown once; only its SHA-256 is stored.
public final class APIToken: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Field(key: "name") public var name: String
    @Field(key: "prefix") public var prefix: String
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "scopes") public var scopes: [TokenScope]
    @OptionalField(key: "expires_at") public var expiresAt: Date?
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public var isUsable: Bool {
        revokedAt == nil && (expiresAt.map { $0 > Date() } ?? true)
    }
}
