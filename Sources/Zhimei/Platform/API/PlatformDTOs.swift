import Vapor

/// API shapes of the platform module. JSON keys are snake_case (the global coder converts).
struct TenantDTO: Content {
    var id: UUID
    var slug: String
    var name: String
    var kind: Tenant.Kind
    var parentId: UUID?
    var region: String
    var disabled: Bool
    var settings: TenantSettings
    var createdAt: Date?

    init(_ t: Tenant) {
        id = t.id ?? UUID()
        slug = t.slug
        name = t.name
        kind = t.kind
        parentId = t.$parent.id
        region = t.region
        disabled = t.disabled
        settings = t.settings
        createdAt = t.createdAt
    }
}

struct MembershipDTO: Content {
    var tenantId: UUID
    var role: Role
}

struct UserDTO: Content {
    var id: UUID
    var username: String
    var displayName: String
    var email: String?
    var status: User.Status
    var homeTenantId: UUID
    var language: String
    var roles: [MembershipDTO]
    var lastLoginAt: Date?
    var createdAt: Date?
    /// Present once, right after an invitation or password reset was issued.
    var inviteUrl: String?

    init(_ u: User, memberships: [Membership], inviteURL: String? = nil) {
        id = u.id ?? UUID()
        username = u.username
        displayName = u.displayName
        email = u.email
        status = u.status
        homeTenantId = u.$homeTenant.id
        language = u.language
        roles = memberships.map { MembershipDTO(tenantId: $0.$tenant.id, role: $0.role) }
            .sorted { ($0.tenantId.uuidString, $0.role.rawValue) < ($1.tenantId.uuidString, $1.role.rawValue) }
        lastLoginAt = u.lastLoginAt
        createdAt = u.createdAt
        inviteUrl = inviteURL
    }
}

struct MeDTO: Content {
    var user: UserDTO
    var activeTenantId: UUID
    var isPlatformAdmin: Bool
    /// Permissions per tenant ID.
    var permissions: [String: [Permission]]
    var csrfToken: String?
}

struct TokenDTO: Content {
    var id: UUID
    var name: String
    var prefix: String
    var scopes: [TokenScope]
    var expiresAt: Date?
    var lastUsedAt: Date?
    var revokedAt: Date?
    var createdAt: Date?
    /// The secret: present only in the response that created the token.
    var token: String?

    init(_ t: APIToken, secret: String? = nil) {
        id = t.id ?? UUID()
        name = t.name
        prefix = t.prefix
        scopes = t.scopes
        expiresAt = t.expiresAt
        lastUsedAt = t.lastUsedAt
        revokedAt = t.revokedAt
        createdAt = t.createdAt
        token = secret
    }
}

struct AuditEntryDTO: Content {
    var id: Int
    var at: Date
    var actorId: UUID?
    var actorName: String
    var tenantId: UUID?
    var action: String
    var targetType: String
    var targetId: String
    var ip: String
    var outcome: String
    var summary: String
    var hash: String

    init(_ e: AuditEntry) {
        id = e.id ?? 0
        at = e.at
        actorId = e.actorID
        actorName = e.actorName
        tenantId = e.tenantID
        action = e.action
        targetType = e.targetType
        targetId = e.targetID
        ip = e.ip
        outcome = e.outcome
        summary = e.summary
        hash = e.hash
    }
}

struct JobDTO: Content {
    var id: UUID
    var kind: String
    var tenantId: UUID?
    var state: Job.State
    var attempts: Int
    var maxAttempts: Int
    var runAt: Date
    var progressStage: String
    var progressPercent: Int
    var lastError: String?
    var result: String?
    var createdAt: Date
    var finishedAt: Date?

    init(_ j: Job) {
        id = j.id ?? UUID()
        kind = j.kind
        tenantId = j.tenantID
        state = j.state
        attempts = j.attempts
        maxAttempts = j.maxAttempts
        runAt = j.runAt
        progressStage = j.progressStage
        progressPercent = j.progressPercent
        lastError = j.lastError
        result = j.result
        createdAt = j.createdAt
        finishedAt = j.finishedAt
    }
}

/// Schemas for the OpenAPI document, matching the DTOs above.
enum PlatformSchemas {
    static let roleNames = Role.allCases.map(\.rawValue)
    static let all: [(String, Schema)] = [
        ("TenantSettings", .object([
            ("display_name", .nullable(.string)), ("default_language", .enumeration(["zh", "en"])),
            ("review_stages", .array(.string)), ("contact_email", .nullable(.string)),
        ], required: ["default_language", "review_stages"])),
        ("Tenant", .object([
            ("id", .uuid), ("slug", .string), ("name", .string), ("kind", .enumeration(["platform", "county"])),
            ("parent_id", .nullable(.uuid)), ("region", .string), ("disabled", .boolean),
            ("settings", .ref("TenantSettings")), ("created_at", .nullable(.dateTime)),
        ], required: ["id", "slug", "name", "kind", "region", "disabled", "settings"])),
        ("Membership", .object([("tenant_id", .uuid), ("role", .enumeration(roleNames))], required: ["tenant_id", "role"])),
        ("User", .object([
            ("id", .uuid), ("username", .string), ("display_name", .string), ("email", .nullable(.string)),
            ("status", .enumeration(["active", "invited", "disabled"])), ("home_tenant_id", .uuid), ("language", .string),
            ("roles", .array(.ref("Membership"))), ("last_login_at", .nullable(.dateTime)), ("created_at", .nullable(.dateTime)),
            ("invite_url", .nullable(.string)),
        ], required: ["id", "username", "display_name", "status", "home_tenant_id", "language", "roles"])),
        ("Me", .object([
            ("user", .ref("User")), ("active_tenant_id", .uuid), ("is_platform_admin", .boolean),
            ("permissions", .object([], required: [])), ("csrf_token", .nullable(.string)),
        ], required: ["user", "active_tenant_id", "is_platform_admin", "permissions"])),
        ("Token", .object([
            ("id", .uuid), ("name", .string), ("prefix", .string), ("scopes", .array(.enumeration(TokenScope.allCases.map(\.rawValue)))),
            ("expires_at", .nullable(.dateTime)), ("last_used_at", .nullable(.dateTime)), ("revoked_at", .nullable(.dateTime)),
            ("created_at", .nullable(.dateTime)), ("token", .nullable(.string)),
        ], required: ["id", "name", "prefix", "scopes"])),
        ("AuditEntry", .object([
            ("id", .integer), ("at", .dateTime), ("actor_id", .nullable(.uuid)), ("actor_name", .string), ("tenant_id", .nullable(.uuid)),
            ("action", .string), ("target_type", .string), ("target_id", .string), ("ip", .string), ("outcome", .string),
            ("summary", .string), ("hash", .string),
        ], required: ["id", "at", "actor_name", "action", "target_type", "target_id", "ip", "outcome", "summary", "hash"])),
        ("Job", .object([
            ("id", .uuid), ("kind", .string), ("tenant_id", .nullable(.uuid)), ("state", .enumeration(Job.State.allCases.map(\.rawValue))),
            ("attempts", .integer), ("max_attempts", .integer), ("run_at", .dateTime), ("progress_stage", .string),
            ("progress_percent", .integer), ("last_error", .nullable(.string)), ("result", .nullable(.string)),
            ("created_at", .dateTime), ("finished_at", .nullable(.dateTime)),
        ], required: ["id", "kind", "state", "attempts", "max_attempts", "run_at", "progress_stage", "progress_percent", "created_at"])),
    ]
}
