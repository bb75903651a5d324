import Fluent
import Vapor

/// A person who signs in: reporter, editor, admin. Belongs to a home tenant and holds
/// roles in one or more tenants through memberships.
public final class User: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "users"

    /// Account state; disabled and invited accounts cannot sign in with a password.
    public enum Status: String, Codable, Sendable, CaseIterable { case active, invited, disabled }

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @OptionalField(key: "email") public var email: String?
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "status") public var status: Status
    @Parent(key: "home_tenant_id") public var homeTenant: Tenant
    @Field(key: "language") public var language: String
    @Field(key: "failed_logins") public var failedLogins: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Field(key: "must_change_password") public var mustChangePassword: Bool
    @OptionalField(key: "invite_token_hash") public var inviteTokenHash: String?
    @OptionalField(key: "invite_expires_at") public var inviteExpiresAt: Date?
    @OptionalField(key: "last_login_at") public var lastLoginAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    @Children(for: \.$user) public var memberships: [Membership]

    public init() {}

    public init(id: UUID? = nil, username: String, displayName: String, email: String?, passwordHash: String, homeTenantID: UUID, status: Status = .active) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.email = email
        self.passwordHash = passwordHash
        self.status = status
        self.$homeTenant.id = homeTenantID
        self.language = "zh"
        self.failedLogins = 0
        self.mustChangePassword = false
    }
}

/// A role a user holds in a tenant.
public final class Membership: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "memberships"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Parent(key: "tenant_id") public var tenant: Tenant
    @Field(key: "role") public var role: Role
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(userID: UUID, tenantID: UUID, role: Role) {
        self.$user.id = userID
        self.$tenant.id = tenantID
        self.role = role
    }
}
